package io.mipo.operator.core;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.mipo.operator.kube.Labels;
import io.mipo.operator.kube.Times;
import io.mipo.operator.model.Scanner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Kubernetes Events on a Scanner ({@code kubectl describe scanner}). Messages are built by the
 * callers from non-secret facts only. Each event's name is derived from what it reports, so a
 * retried reconciliation that reports the same transition again is refused by the API server as a
 * duplicate instead of showing twice. Events are best effort: a failure is logged, never thrown.
 */
@ApplicationScoped
public class ScannerEvents {
    private static final Logger LOG = Logger.getLogger(ScannerEvents.class);

    public static final String REGISTERED = "Registered";
    public static final String WENT_OFFLINE = "WentOffline";
    public static final String BACK_ONLINE = "BackOnline";
    public static final String TOKEN_REGENERATED = "TokenRegenerated";
    public static final String TOKEN_EXPIRED = "TokenExpired";

    @Inject
    KubernetesClient client;

    Clock clock = Clock.systemUTC();

    /**
     * @param occurrence what makes this occurrence distinct (e.g. the heartbeat time it is about);
     *                   the same reason and occurrence for the same Scanner is reported once
     */
    public void emit(Scanner scanner, String reason, String type, String message, String occurrence) {
        String ns = scanner.getMetadata().getNamespace();
        String name = scanner.getMetadata().getName() + "." + shortHash(scanner.getMetadata().getUid() + "|" + reason + "|" + occurrence);
        Instant now = clock.instant();
        var event = new EventBuilder()
                .withNewMetadata().withName(name).withNamespace(ns)
                .addToLabels(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(Scanner.GROUP + "/" + Scanner.VERSION)
                        .withKind("Scanner")
                        .withNamespace(ns)
                        .withName(scanner.getMetadata().getName())
                        .withUid(scanner.getMetadata().getUid())
                        .build())
                .withReason(reason)
                .withMessage(message)
                .withType(type)
                .withCount(1)
                .withFirstTimestamp(Times.format(now))
                .withLastTimestamp(Times.format(now))
                .withNewSource().withComponent(Labels.MANAGED_BY_VALUE).endSource()
                .withReportingComponent(Labels.MANAGED_BY_VALUE)
                .build();
        try {
            client.v1().events().inNamespace(ns).resource(event).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                LOG.debugf("could not record event %s on scanner %s/%s: HTTP %d", reason, ns, scanner.getMetadata().getName(), e.getCode());
            }
        }
    }

    public void normal(Scanner scanner, String reason, String message, String occurrence) {
        emit(scanner, reason, "Normal", message, occurrence);
    }

    public void warning(Scanner scanner, String reason, String message, String occurrence) {
        emit(scanner, reason, "Warning", message, occurrence);
    }

    private static String shortHash(String s) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)), 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
