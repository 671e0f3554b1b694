package io.mipo.operator.scanner;

import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mipo.operator.config.MipoConfig;
import io.mipo.operator.model.DeploymentMode;
import io.mipo.operator.model.Scanner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Keeps the DaemonSet and ServiceAccount of a DaemonSet-mode Scanner in line with its spec:
 * created when missing, replaced when the rendered pod template or scheduling changes (which
 * rolls the pods), removed when the mode goes back to External or the Scanner is deleted.
 * Writes only on a difference, so a steady state costs no API writes.
 */
@ApplicationScoped
public class DaemonSetWorkload implements ScannerCleanup {
    /** Hash of the rendered spec, to notice a change without comparing server-defaulted fields. */
    static final String SPEC_HASH = "mipo.io/spec-hash";

    @Inject
    KubernetesClient client;

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(DaemonSetWorkload.class);

    @Inject
    MipoConfig config;

    /**
     * @param current the scanner's DaemonSet as the informer cache has it, or null
     */
    public void reconcile(Scanner scanner, DaemonSet current) {
        boolean wanted = isDaemonSetMode(scanner) && scanner.getMetadata().getDeletionTimestamp() == null;
        if (!wanted) {
            if (current != null) {
                cleanup(scanner);
            }
            return;
        }
        String ns = scanner.getMetadata().getNamespace();
        DaemonSet desired = DaemonSetRenderer.daemonSet(scanner, config.scannerImage(), serverUrl(), caBundle());
        String hash = DaemonSetRenderer.sha256(Serialization.asJson(desired.getSpec()));
        Map<String, String> annotations = new HashMap<>();
        annotations.put(SPEC_HASH, hash);
        desired.getMetadata().setAnnotations(annotations);

        if (current == null) {
            ServiceAccount sa = DaemonSetRenderer.serviceAccount(scanner);
            if (client.serviceAccounts().inNamespace(ns).withName(sa.getMetadata().getName()).get() == null) {
                client.resource(sa).create();
            }
            client.resource(desired).create();
        } else if (current.getMetadata().getAnnotations() == null
                || !Objects.equals(hash, current.getMetadata().getAnnotations().get(SPEC_HASH))) {
            desired.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
            client.resource(desired).update();
        }
    }

    public static boolean isDaemonSetMode(Scanner scanner) {
        return scanner.getSpec().getDeployment() != null
                && scanner.getSpec().getDeployment().getMode() == DeploymentMode.DaemonSet;
    }

    @Override
    public void cleanup(Scanner scanner) {
        String ns = scanner.getMetadata().getNamespace();
        String name = DaemonSetRenderer.workloadName(scanner.getMetadata().getName());
        if (client.apps().daemonSets().inNamespace(ns).withName(name).get() != null) {
            client.apps().daemonSets().inNamespace(ns).withName(name).delete();
        }
        if (client.serviceAccounts().inNamespace(ns).withName(name).get() != null) {
            client.serviceAccounts().inNamespace(ns).withName(name).delete();
        }
    }

    String serverUrl() {
        if (config.daemonSetServerUrl().isPresent()) {
            return config.daemonSetServerUrl().get();
        }
        String ns = System.getenv().getOrDefault("POD_NAMESPACE", "default");
        return "http://" + config.daemonSetServiceName() + "." + ns + ".svc:8080";
    }

    /**
     * The CA bundle handed to the agents: {@code mipo.daemon-set.ca-bundle}, else the current text
     * of {@code mipo.daemon-set.ca-file} (read each time, so a renewed CA rolls the DaemonSets), else null.
     */
    String caBundle() {
        if (config.daemonSetCaBundle().filter(b -> !b.isBlank()).isPresent()) {
            return config.daemonSetCaBundle().get();
        }
        return config.daemonSetCaFile().map(DaemonSetWorkload::readCaFile).orElse(null);
    }

    static String readCaFile(String file) {
        java.nio.file.Path path = java.nio.file.Path.of(file);
        try {
            if (!java.nio.file.Files.isRegularFile(path)) {
                return null;
            }
            String text = java.nio.file.Files.readString(path, java.nio.charset.StandardCharsets.US_ASCII);
            return text.isBlank() ? null : text;
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warnf("Cannot read the DaemonSet agents' CA bundle %s (%s); they get none", file, e.getClass().getSimpleName());
            return null;
        }
    }
}
