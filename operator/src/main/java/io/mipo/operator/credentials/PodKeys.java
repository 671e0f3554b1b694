package io.mipo.operator.credentials;

import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.core.CredentialsChanged;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.mipo.operator.kube.WatchedNamespaces;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The API keys of DaemonSet scanner pods, each bound to one pod (by uid), and the scanner pods
 * themselves. Two informers feed it: the process's shared one on the labelled Secrets
 * ({@link LabelledSecrets}, of which it reads the per-pod credentials Secrets), and one on pods labelled
 * {@code app.kubernetes.io/name=mipo-scanner}. A key stops working when its pod is deleted (the
 * pod informer's delete event), and also whenever the pod cache no longer holds its pod, so that
 * a missed event cannot keep a key alive.
 */
@ApplicationScoped
public class PodKeys {
    private static final Logger LOG = Logger.getLogger(PodKeys.class);
    public static final String POD_SELECTOR = "app.kubernetes.io/name=mipo-scanner";
    /** A pod verified by a direct read at registration may not be in the cache yet; trust it this long. */
    static final Duration CACHE_LAG = Duration.ofSeconds(60);

    @Inject
    KubernetesClient client;

    @Inject
    WatchedNamespaces watched;

    @Inject
    Event<CredentialsChanged> changes;

    /** An issued pod key: which scanner and which pod it belongs to. */
    public record PodKey(ScannerRef ref, String pod, String podUid, String node, byte[] hash, String secretUid,
                         Instant registeredAt, RegisteredAgent agent) {
        @Override
        public String toString() {
            return "PodKey[" + ref + ", pod=" + pod + "]";
        }
    }

    private final Map<Long, PodKey> keys = new ConcurrentHashMap<>();
    /** namespace/pod → key prefix, so that a pod's key can be removed. */
    private final Map<String, Long> keyOfPod = new ConcurrentHashMap<>();
    private final Map<String, Instant> revokedSecretUids = new ConcurrentHashMap<>();
    /** The process's one informer on the labelled Secrets, shared with {@link CredentialIndex}; this reads the per-pod ones. */
    @Inject
    LabelledSecrets secrets;
    private volatile List<SharedIndexInformer<Pod>> podInformers;

    void start(@Observes StartupEvent e) {
        startInformers();
    }

    void stop(@Observes ShutdownEvent e) {
        if (podInformers != null) {
            podInformers.forEach(SharedIndexInformer::stop);
        }
    }

    synchronized void startInformers() {
        if (podInformers != null) {
            return;
        }
        List<SharedIndexInformer<Pod>> pods = new ArrayList<>();
        if (watched.all()) {
            pods.add(client.pods().inAnyNamespace().withLabelSelector(POD_SELECTOR).withLimit(io.mipo.operator.core.ListPaging.PAGE)
                    .inform(podHandler(), 0));
        } else {
            for (String ns : watched.only().orElseThrow()) {
                pods.add(client.pods().inNamespace(ns).withLabelSelector(POD_SELECTOR).withLimit(io.mipo.operator.core.ListPaging.PAGE)
                        .inform(podHandler(), 0));
            }
        }
        podInformers = List.copyOf(pods);
        // The pod credentials Secrets carry the operator's label too: the shared informer has them.
        secrets.addListener(secretHandler());
    }

    /** Reads the per-pod credentials Secrets (component {@code pod-credentials}) among the labelled ones; {@code read} ignores the rest. */
    private ResourceEventHandler<Secret> secretHandler() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(Secret s) {
                PodKey k = PodCredentialSecrets.read(s);
                if (k != null) {
                    put(k);
                }
            }

            @Override
            public void onUpdate(Secret old, Secret s) {
                onAdd(s);
            }

            @Override
            public void onDelete(Secret s, boolean unknownFinalState) {
                PodKey k = PodCredentialSecrets.read(s);
                if (k != null) {
                    remove(k.ref().namespace(), k.pod(), k.secretUid());
                }
            }
        };
    }

    private ResourceEventHandler<Pod> podHandler() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod p) {
                fire(p);
            }

            @Override
            public void onUpdate(Pod old, Pod p) {
                if (!Objects.equals(old.getSpec() == null ? null : old.getSpec().getNodeName(), p.getSpec() == null ? null : p.getSpec().getNodeName())
                        || !Objects.equals(old.getMetadata().getDeletionTimestamp(), p.getMetadata().getDeletionTimestamp())) {
                    fire(p);
                }
            }

            @Override
            public void onDelete(Pod p, boolean unknownFinalState) {
                podGone(p);
            }
        };
    }

    private void fire(Pod p) {
        String scanner = p.getMetadata().getLabels() == null ? null : p.getMetadata().getLabels().get(io.mipo.operator.kube.Labels.SCANNER);
        if (scanner != null) {
            changes.fire(new CredentialsChanged(new ScannerRef(p.getMetadata().getNamespace(), scanner)));
        }
    }

    /** The pod is gone: its key stops working here at once, and its Secret is deleted. */
    void podGone(Pod p) {
        String ns = p.getMetadata().getNamespace();
        String pod = p.getMetadata().getName();
        PodKey k = current(ns, pod);
        if (k != null && Objects.equals(k.podUid(), p.getMetadata().getUid())) {
            revoke(k);
            try {
                client.secrets().inNamespace(ns).withName(PodCredentialSecrets.name(pod)).delete();
            } catch (KubernetesClientException e) {
                LOG.debugf("Could not delete the credentials of pod %s/%s: HTTP %d", ns, pod, e.getCode());
            }
            LOG.infof("Scanner %s: pod %s is gone, its API key is revoked", k.ref(), pod);
        }
        fire(p);
    }

    /** True once both informers listed everything (readiness). */
    public boolean isSynced() {
        List<SharedIndexInformer<Pod>> pods = podInformers;
        return pods != null && secrets.isSynced() && pods.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    // ---- questions ----

    /** The pod key with this hash, if it is valid now: its pod still exists (same uid). */
    public Optional<PodKey> keyOwner(byte[] keyHash) {
        PodKey k = keys.get(SecretDigest.prefix(keyHash));
        if (k == null || !SecretDigest.matches(k.hash(), keyHash)) {
            return Optional.empty();
        }
        Pod pod = cachedPod(k.ref().namespace(), k.pod());
        boolean podAlive = pod != null && Objects.equals(pod.getMetadata().getUid(), k.podUid());
        boolean young = k.registeredAt() != null && k.registeredAt().plus(CACHE_LAG).isAfter(Instant.now());
        if (!podAlive && !(pod == null && young)) {
            return Optional.empty();
        }
        return Optional.of(k);
    }

    /** The scanner's pods as the cache has them (labelled with the scanner's name). */
    public List<Pod> pods(ScannerRef ref) {
        List<Pod> out = new ArrayList<>();
        if (podInformers == null) {
            return out;
        }
        for (SharedIndexInformer<Pod> i : podInformers) {
            for (Pod p : i.getStore().list()) {
                Map<String, String> labels = p.getMetadata().getLabels();
                if (ref.namespace().equals(p.getMetadata().getNamespace()) && labels != null
                        && ref.name().equals(labels.get(io.mipo.operator.kube.Labels.SCANNER))) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** The current key of a pod, valid or not. */
    public Optional<PodKey> ofPod(String namespace, String pod) {
        return Optional.ofNullable(current(namespace, pod));
    }

    // ---- changes ----

    void put(PodKey k) {
        synchronized (this) {
            if (k.secretUid() != null && revokedSecretUids.containsKey(k.secretUid())) {
                return;
            }
            String podKey = k.ref().namespace() + "/" + k.pod();
            Long old = keyOfPod.put(podKey, SecretDigest.prefix(k.hash()));
            if (old != null) {
                keys.remove(old);
            }
            keys.put(SecretDigest.prefix(k.hash()), k);
        }
        changes.fire(new CredentialsChanged(k.ref()));
    }

    void revoke(PodKey k) {
        synchronized (this) {
            if (k.secretUid() != null) {
                revokedSecretUids.put(k.secretUid(), Instant.now());
            }
            Long prefix = keyOfPod.remove(k.ref().namespace() + "/" + k.pod());
            if (prefix != null) {
                keys.remove(prefix);
            }
            Instant cutoff = Instant.now().minus(Duration.ofMinutes(30));
            revokedSecretUids.values().removeIf(t -> t.isBefore(cutoff));
        }
        changes.fire(new CredentialsChanged(k.ref()));
    }

    /** Forgets every key of a scanner (deleted, or no longer in DaemonSet mode). */
    void forget(ScannerRef ref) {
        List<PodKey> of = keys.values().stream().filter(k -> k.ref().equals(ref)).toList();
        of.forEach(this::revoke);
    }

    private synchronized void remove(String namespace, String pod, String secretUid) {
        PodKey k = current(namespace, pod);
        if (k != null && Objects.equals(k.secretUid(), secretUid)) {
            Long prefix = keyOfPod.remove(namespace + "/" + pod);
            if (prefix != null) {
                keys.remove(prefix);
            }
        }
    }

    private PodKey current(String namespace, String pod) {
        Long prefix = keyOfPod.get(namespace + "/" + pod);
        return prefix == null ? null : keys.get(prefix);
    }

    private Pod cachedPod(String namespace, String name) {
        if (podInformers == null) {
            return null;
        }
        for (SharedIndexInformer<Pod> i : podInformers) {
            Pod p = i.getStore().getByKey(namespace + "/" + name);
            if (p != null) {
                return p;
            }
        }
        return null;
    }
}
