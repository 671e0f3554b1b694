package io.mipo.operator.credentials;

import io.mipo.operator.core.ScannerRef;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.mipo.operator.core.Refusal;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.scanner.DaemonSetRenderer;
import io.mipo.operator.scanner.DaemonSetWorkload;
import io.mipo.operator.scanner.ScannerCleanup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Registration of a DaemonSet scanner's pod without any secret handed around (docs/credentials.md): the pod
 * presents its projected ServiceAccount token (audience {@value DaemonSetRenderer#AUDIENCE}), the
 * operator asks the API server who it is with a TokenReview, and accepts only a token that is
 * <ul>
 * <li>authenticated, for the audience mipo-scanner;</li>
 * <li>of the user {@code system:serviceaccount:<ns>:mipo-scanner-<scanner>} of a DaemonSet-mode Scanner;</li>
 * <li>bound to a pod (the pod-name and pod-uid the API server puts in the review) that exists,
 *     has that uid, and is controlled by the scanner's DaemonSet.</li>
 * </ul>
 * The API key it then issues is bound to that pod: {@link PodKeys} stops accepting it when the pod
 * goes away. Every refusal is the same 401 TOKEN_INVALID, so a caller learns nothing about why.
 */
@ApplicationScoped
public class PodEnrollment implements ScannerCleanup {
    private static final Logger LOG = Logger.getLogger(PodEnrollment.class);
    static final String SA_PREFIX = "system:serviceaccount:";
    static final String EXTRA_POD_NAME = "authentication.kubernetes.io/pod-name";
    static final String EXTRA_POD_UID = "authentication.kubernetes.io/pod-uid";

    @Inject
    KubernetesClient client;

    @Inject
    PodKeys keys;

    Clock clock = Clock.systemUTC();

    /** A pod whose ServiceAccount token was verified. */
    public record VerifiedPod(ScannerRef ref, Pod pod) {
        public String podName() {
            return pod.getMetadata().getName();
        }
    }

    /** The registered pod and its API key: the only place the key exists in plaintext. */
    public record Enrolled(ScannerRef ref, String pod, String apiKey, Instant registeredAt) {
        @Override
        public String toString() {
            return "Enrolled[" + ref + ", pod=" + pod + ", apiKey=" + TokenFormat.redacted(apiKey) + "]";
        }
    }

    /** Verifies the token; 401 TOKEN_INVALID for anything but a live pod of a DaemonSet scanner. */
    public VerifiedPod verify(String serviceAccountToken) {
        TokenReview review = new TokenReviewBuilder()
                .withNewSpec().withToken(serviceAccountToken).withAudiences(DaemonSetRenderer.AUDIENCE).endSpec()
                .build();
        TokenReview answered;
        try {
            answered = client.authentication().v1().tokenReviews().create(review);
        } catch (KubernetesClientException e) {
            LOG.warnf("TokenReview for an in-cluster scanner failed: HTTP %d", e.getCode());
            throw new Refusal(Refusal.Kind.UNAVAILABLE, "TOKEN_REVIEW_UNAVAILABLE", "the operator could not verify the service account token with the Kubernetes API; try again");
        }
        TokenReviewStatus status = answered == null ? null : answered.getStatus();
        if (status == null || !Boolean.TRUE.equals(status.getAuthenticated()) || status.getUser() == null) {
            throw refused("not authenticated");
        }
        if (status.getAudiences() == null || !status.getAudiences().contains(DaemonSetRenderer.AUDIENCE)) {
            throw refused("audience");
        }
        String user = status.getUser().getUsername();
        if (user == null || !user.startsWith(SA_PREFIX)) {
            throw refused("not a service account");
        }
        String[] nsAndName = user.substring(SA_PREFIX.length()).split(":", -1);
        if (nsAndName.length != 2) {
            throw refused("not a service account");
        }
        String ns = nsAndName[0];
        String serviceAccount = nsAndName[1];
        Scanner scanner = scannerOf(ns, serviceAccount);
        if (scanner == null) {
            throw refused("service account " + ns + "/" + serviceAccount + " belongs to no DaemonSet scanner");
        }
        String podName = single(status.getUser().getExtra(), EXTRA_POD_NAME);
        String podUid = single(status.getUser().getExtra(), EXTRA_POD_UID);
        if (podName == null || podUid == null) {
            throw refused("token not bound to a pod");
        }
        Pod pod = client.pods().inNamespace(ns).withName(podName).get();
        if (pod == null || !podUid.equals(pod.getMetadata().getUid()) || pod.getMetadata().getDeletionTimestamp() != null) {
            throw refused("pod " + ns + "/" + podName + " does not exist (any more)");
        }
        if (!ownedByWorkload(pod, scanner)) {
            throw refused("pod " + ns + "/" + podName + " is not a pod of the scanner's DaemonSet");
        }
        return new VerifiedPod(ScannerRef.of(scanner), pod);
    }

    /** Issues the pod's API key, replacing an earlier one of the same pod (the agent re-registers after a restart). */
    public Enrolled issue(VerifiedPod verified, RegisteredAgent agent) {
        String apiKey = TokenFormat.generate(TokenKind.API_KEY);
        byte[] hash = SecretDigest.sha256(apiKey);
        Instant now = clock.instant();
        Secret desired = PodCredentialSecrets.of(verified.ref(), verified.pod(), hash, now, agent);
        String ns = verified.ref().namespace();
        Secret written = null;
        for (int attempt = 0; attempt < 5 && written == null; attempt++) {
            try {
                written = client.secrets().inNamespace(ns).resource(desired).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                // The pod's earlier key: replace the object (new uid), so the old key's revocation by uid holds.
                keys.ofPod(ns, verified.podName()).ifPresent(keys::revoke);
                client.secrets().inNamespace(ns).withName(desired.getMetadata().getName()).delete();
            }
        }
        if (written == null) {
            throw new Refusal(Refusal.Kind.CONFLICT, "CONFLICT", "the pod's credentials Secret kept changing; try again");
        }
        keys.put(PodCredentialSecrets.read(written));
        LOG.infof("Scanner %s: pod %s registered from %s; API key %s issued", verified.ref(), verified.podName(),
                agent.sourceAddress(), TokenFormat.redacted(apiKey));
        return new Enrolled(verified.ref(), verified.podName(), apiKey, now);
    }

    @Override
    public void cleanup(Scanner scanner) {
        ScannerRef ref = ScannerRef.of(scanner);
        keys.forget(ref);
        // One by one: a delete-collection would need a grant the chart does not give.
        for (Secret s : client.secrets().inNamespace(ref.namespace())
                .withLabel(io.mipo.operator.kube.Labels.COMPONENT, PodCredentialSecrets.COMPONENT)
                .withLabel(io.mipo.operator.kube.Labels.SCANNER, ref.name())
                .list().getItems()) {
            client.secrets().inNamespace(ref.namespace()).withName(s.getMetadata().getName()).delete();
        }
    }

    private Scanner scannerOf(String ns, String serviceAccount) {
        if (!serviceAccount.startsWith("mipo-scanner-")) {
            return null;
        }
        // The workload name may be shortened for long scanner names, so look the scanner up by it.
        String guess = serviceAccount.substring("mipo-scanner-".length());
        Scanner direct = client.resources(Scanner.class).inNamespace(ns).withName(guess).get();
        if (matches(direct, serviceAccount)) {
            return direct;
        }
        if (serviceAccount.length() < 63) {
            return null;
        }
        return client.resources(Scanner.class).inNamespace(ns).list().getItems().stream()
                .filter(s -> matches(s, serviceAccount)).findFirst().orElse(null);
    }

    private static boolean matches(Scanner s, String serviceAccount) {
        return s != null && s.getMetadata().getDeletionTimestamp() == null && DaemonSetWorkload.isDaemonSetMode(s)
                && DaemonSetRenderer.workloadName(s.getMetadata().getName()).equals(serviceAccount);
    }

    private boolean ownedByWorkload(Pod pod, Scanner scanner) {
        String workload = DaemonSetRenderer.workloadName(scanner.getMetadata().getName());
        List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
        OwnerReference owner = owners == null ? null : owners.stream()
                .filter(o -> Boolean.TRUE.equals(o.getController())).findFirst().orElse(null);
        if (owner == null || !"DaemonSet".equals(owner.getKind()) || !workload.equals(owner.getName())) {
            return false;
        }
        DaemonSet ds = client.apps().daemonSets().inNamespace(pod.getMetadata().getNamespace()).withName(workload).get();
        return ds != null && Objects.equals(ds.getMetadata().getUid(), owner.getUid());
    }

    private static String single(Map<String, List<String>> extra, String key) {
        List<String> values = extra == null ? null : extra.get(key);
        return values == null || values.size() != 1 || values.get(0) == null || values.get(0).isBlank() ? null : values.get(0);
    }

    private static Refusal refused(String why) {
        // Why goes to the debug log only: the caller gets the same answer for every refusal.
        LOG.debugf("In-cluster registration refused: %s", why);
        return new Refusal(Refusal.Kind.UNAUTHENTICATED, Enrollment.TOKEN_INVALID, "the service account token is not valid for an in-cluster scanner");
    }
}
