package io.mipo.operator.credentials;

import io.mipo.operator.core.ScannerRef;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mipo.operator.kube.Labels;
import io.mipo.operator.kube.Times;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Layout of the credentials Secret of one DaemonSet scanner pod: the hash of the pod's API key and
 * the pod it is bound to. Its owner is the pod, so Kubernetes' garbage collector removes it with
 * the pod even when no operator replica is running.
 */
public final class PodCredentialSecrets {
    public static final String COMPONENT = "pod-credentials";
    public static final String POD_LABEL = "mipo.io/pod";
    static final String SUFFIX = "-credentials";
    static final String POD = "pod";
    static final String POD_UID = "pod-uid";
    static final String NODE = "node";

    private PodCredentialSecrets() {
    }

    /** The Secret's name: the pod's (already unique and prefixed with mipo-scanner-) plus a suffix, within 253 characters. */
    public static String name(String pod) {
        String base = pod.length() + SUFFIX.length() <= 253 ? pod : pod.substring(0, 253 - SUFFIX.length());
        return base + SUFFIX;
    }

    static Secret of(ScannerRef ref, Pod pod, byte[] keyHash, Instant registeredAt, RegisteredAgent agent) {
        String podName = pod.getMetadata().getName();
        ObjectMetaBuilder meta = new ObjectMetaBuilder()
                .withName(name(podName))
                .withNamespace(ref.namespace())
                .addToLabels(Labels.SCANNER, ref.name())
                .addToLabels(Labels.COMPONENT, COMPONENT)
                .addToLabels(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion("v1").withKind("Pod").withName(podName).withUid(pod.getMetadata().getUid())
                        .withBlockOwnerDeletion(false).build());
        if (podName.length() <= 63) {
            meta.addToLabels(POD_LABEL, podName);
        }
        Map<String, String> data = new LinkedHashMap<>();
        data.put(CredentialSecrets.API_KEY_SHA256, SecretDigest.hex(keyHash));
        data.put(POD, podName);
        data.put(POD_UID, pod.getMetadata().getUid());
        data.put(NODE, pod.getSpec() == null ? null : pod.getSpec().getNodeName());
        data.put(CredentialSecrets.REGISTERED_AT, Times.format(registeredAt));
        data.put(CredentialSecrets.AGENT, Serialization.asJson(agent));
        return new SecretBuilder().withMetadata(meta.build()).withType("Opaque").withData(CredentialSecrets.encode(data)).build();
    }

    /** Reads a pod credentials Secret; null when it is not one or is incomplete. */
    static PodKeys.PodKey read(Secret s) {
        ScannerRef ref = CredentialSecrets.owner(s);
        if (ref == null || !COMPONENT.equals(CredentialSecrets.component(s))) {
            return null;
        }
        Map<String, String> d = CredentialSecrets.decode(s.getData());
        byte[] hash = SecretDigest.fromHex(d.get(CredentialSecrets.API_KEY_SHA256));
        if (hash == null || d.get(POD) == null || d.get(POD_UID) == null) {
            return null;
        }
        RegisteredAgent agent = null;
        try {
            agent = d.get(CredentialSecrets.AGENT) == null ? null : Serialization.jsonMapper().readValue(d.get(CredentialSecrets.AGENT), RegisteredAgent.class);
        } catch (Exception e) {
            // an unreadable agent description does not invalidate the key
        }
        return new PodKeys.PodKey(ref, d.get(POD), d.get(POD_UID), d.get(NODE), hash, s.getMetadata().getUid(),
                Times.parse(d.get(CredentialSecrets.REGISTERED_AT)), agent);
    }
}
