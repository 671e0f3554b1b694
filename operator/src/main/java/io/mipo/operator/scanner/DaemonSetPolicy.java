package io.mipo.operator.scanner;

import io.mipo.operator.config.MipoConfig;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.validation.FieldError;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Optional;

/**
 * What a DaemonSet-mode Scanner may make the operator run. The operator's ServiceAccount creates
 * the DaemonSet, so without a rule anyone allowed to write a Scanner could have any image run on
 * every node, possibly in the host network (a confused deputy). Two settings close that:
 * <ul>
 * <li>{@code mipo.daemon-set.enabled=false}: no DaemonSet at all (reason {@value #DISABLED});</li>
 * <li>{@code mipo.daemon-set.allowed-images}: the images a Scanner may name (reason
 *     {@value #IMAGE_NOT_ALLOWED}); default: the repository of {@code mipo.scanner-image}.</li>
 * </ul>
 * A refused Scanner is {@code Valid=False} and its DaemonSet is neither created nor changed.
 */
@ApplicationScoped
public class DaemonSetPolicy {
    public static final String IMAGE_NOT_ALLOWED = "ImageNotAllowed";
    public static final String DISABLED = "DaemonSetModeDisabled";
    static final String IMAGE_FIELD = "spec.deployment.daemonSet.image";

    @Inject
    MipoConfig config;

    /** Why the operator will not run this Scanner's DaemonSet, or empty when it may (or the Scanner is not in DaemonSet mode). */
    public Optional<FieldError> refusal(Scanner scanner) {
        if (!DaemonSetWorkload.isDaemonSetMode(scanner)) {
            return Optional.empty();
        }
        if (!config.daemonSetEnabled()) {
            return Optional.of(new FieldError("spec.deployment.mode", DISABLED,
                    "DaemonSet mode is disabled on this operator (mipo.daemon-set.enabled=false); use mode External"));
        }
        String image = requestedImage(scanner);
        if (image == null || image.equals(config.scannerImage())) {
            return Optional.empty();
        }
        List<String> allowed = allowedImages(config);
        if (allowed.stream().anyMatch(rule -> matches(rule, image))) {
            return Optional.empty();
        }
        return Optional.of(new FieldError(IMAGE_FIELD, IMAGE_NOT_ALLOWED,
                IMAGE_FIELD + " '" + abbreviate(image) + "' is not allowed on this operator (mipo.daemon-set.allowed-images: "
                        + String.join(", ", allowed) + ")"));
    }

    static String requestedImage(Scanner scanner) {
        var d = scanner.getSpec().getDeployment();
        String image = d == null || d.getDaemonSet() == null ? null : d.getDaemonSet().getImage();
        return image == null || image.isBlank() ? null : image.trim();
    }

    static List<String> allowedImages(MipoConfig config) {
        List<String> configured = config.daemonSetAllowedImages().orElse(List.of()).stream()
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        return configured.isEmpty() ? List.of(repository(config.scannerImage())) : configured;
    }

    /**
     * Whether an image reference is covered by a rule: a rule ending in {@code /} or {@code *} is a
     * prefix ({@code registry.example/mipo/}); a rule with a tag or digest is one exact image; any
     * other rule is a repository and allows each of its tags and digests, not other repositories
     * that merely start with the same characters ({@code ghcr.io/mipo/mipo-scanner-x}).
     */
    public static boolean matches(String rule, String image) {
        if (rule.endsWith("*")) {
            return image.startsWith(rule.substring(0, rule.length() - 1));
        }
        if (rule.endsWith("/")) {
            return image.startsWith(rule);
        }
        if (image.equals(rule)) {
            return true;
        }
        if (!repository(rule).equals(rule)) {
            return false; // the rule names a tag or digest: that image only
        }
        return image.startsWith(rule) && (image.charAt(rule.length()) == ':' || image.charAt(rule.length()) == '@')
                && repository(image).equals(rule);
    }

    /** The image reference without its tag and digest ({@code host:5000/a/b:1@sha256:…} → {@code host:5000/a/b}). */
    public static String repository(String image) {
        String s = image;
        int at = s.indexOf('@');
        if (at >= 0) {
            s = s.substring(0, at);
        }
        int slash = s.lastIndexOf('/');
        int colon = s.lastIndexOf(':');
        if (colon > slash) {
            s = s.substring(0, colon);
        }
        return s;
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }
}
