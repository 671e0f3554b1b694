package io.mipo.operator.credentials;

import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.core.CredentialsChanged;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.mipo.operator.kube.WatchedNamespaces;
import io.mipo.operator.model.TokenState;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory view of every scanner's provisioning and credentials Secrets, fed by an informer
 * that only sees Secrets with the operator's labels. It answers the two questions of the ingest
 * API without touching the Kubernetes API: whose token is this, and whose API key is this.
 *
 * <p>An API key is valid only while both Secrets agree: the credentials Secret holds its hash and
 * the provisioning Secret says the token was consumed for that same hash. Replacing the
 * provisioning Secret (a new token) therefore revokes the key on every replica as soon as the
 * informer delivers it, even before the credentials Secret is deleted.
 *
 * <p>Changes made on this replica are applied here at once, without waiting for the informer; a
 * revoked credentials Secret is remembered by uid so that a late informer event cannot bring the
 * key back.
 */
@ApplicationScoped
public class CredentialIndex {
    private static final Logger LOG = Logger.getLogger(CredentialIndex.class);
    private static final Duration TOMBSTONE_TTL = Duration.ofMinutes(30);

    @Inject
    KubernetesClient client;

    @Inject
    Event<CredentialsChanged> changes;

    @Inject
    WatchedNamespaces watched;

    private final Map<ScannerRef, ProvisioningRecord> provisioning = new ConcurrentHashMap<>();
    private final Map<ScannerRef, CredentialRecord> credentials = new ConcurrentHashMap<>();
    private final Map<Long, ScannerRef> tokens = new ConcurrentHashMap<>();
    private final Map<Long, KeyEntry> keys = new ConcurrentHashMap<>();
    /** Which key prefix is indexed for a scanner, so that it can be removed when anything changes. */
    private final Map<ScannerRef, Long> keyOf = new ConcurrentHashMap<>();
    private final Map<ScannerRef, Long> tokenOf = new ConcurrentHashMap<>();
    private final Map<String, Instant> revokedUids = new ConcurrentHashMap<>();
    /** Per scanner and component: the uid of the Scanner that controls the Secret the informer delivered. */
    private final Map<ScannerRef, Map<String, String>> ownerUids = new ConcurrentHashMap<>();

    /** The process's one informer on the labelled Secrets, shared with {@link PodKeys}. */
    @Inject
    LabelledSecrets secrets;

    private volatile boolean listening;

    private record KeyEntry(byte[] hash, ScannerRef ref) {
    }

    void start(@Observes StartupEvent e) {
        startInformer();
    }

    /** Listens to the shared informer, which starts after the start-up observers (so the first list arrives here as adds). */
    synchronized void startInformer() {
        if (listening) {
            return;
        }
        listening = true;
        secrets.addListener(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Secret s) {
                observed(s);
            }

            @Override
            public void onUpdate(Secret old, Secret s) {
                observed(s);
            }

            @Override
            public void onDelete(Secret s, boolean unknownFinalState) {
                observedDeletion(s);
            }
        });
    }

    /** True once the informer has listed every labelled Secret (readiness). */
    public boolean isSynced() {
        return listening && secrets.isSynced();
    }

    // ---- questions ----

    public Optional<ProvisioningRecord> provisioning(ScannerRef ref) {
        return Optional.ofNullable(provisioning.get(ref));
    }

    public Optional<CredentialRecord> credentials(ScannerRef ref) {
        return Optional.ofNullable(credentials.get(ref));
    }

    /** The scanner whose current provisioning token has this hash. */
    public Optional<ProvisioningRecord> tokenOwner(byte[] tokenHash) {
        ScannerRef ref = tokens.get(SecretDigest.prefix(tokenHash));
        ProvisioningRecord p = ref == null ? null : provisioning.get(ref);
        return p != null && SecretDigest.matches(p.tokenHash(), tokenHash) ? Optional.of(p) : Optional.empty();
    }

    /** The scanner that holds the API key with this hash, if the key is valid now. */
    public Optional<ScannerRef> keyOwner(byte[] keyHash) {
        KeyEntry e = keys.get(SecretDigest.prefix(keyHash));
        return e != null && SecretDigest.matches(e.hash(), keyHash) ? Optional.of(e.ref()) : Optional.empty();
    }

    /** The scanner's valid registration (both Secrets agree), if any. */
    public Optional<CredentialRecord> registration(ScannerRef ref) {
        return keyOf.containsKey(ref) ? Optional.ofNullable(credentials.get(ref)) : Optional.empty();
    }

    public int registeredCount() {
        return keyOf.size();
    }

    // ---- what the informer saw ----

    void observed(Secret s) {
        String component = CredentialSecrets.component(s);
        if (!trusted(s, component)) {
            return;
        }
        if (CredentialSecrets.PROVISIONING.equals(component)) {
            ProvisioningRecord p = CredentialSecrets.readProvisioning(s);
            if (p != null) {
                putProvisioning(p);
            }
        } else if (CredentialSecrets.CREDENTIALS.equals(component)) {
            CredentialRecord c = CredentialSecrets.readCredentials(s);
            if (c != null) {
                putCredentials(c);
            }
        }
    }

    void observedDeletion(Secret s) {
        ScannerRef ref = CredentialSecrets.owner(s);
        if (ref == null) {
            return;
        }
        String uid = s.getMetadata().getUid();
        String component = CredentialSecrets.component(s);
        synchronized (this) {
            if (CredentialSecrets.PROVISIONING.equals(component)) {
                ProvisioningRecord p = provisioning.get(ref);
                if (p != null && Objects.equals(p.uid(), uid)) {
                    provisioning.remove(ref);
                }
            } else if (CredentialSecrets.CREDENTIALS.equals(component)) {
                CredentialRecord c = credentials.get(ref);
                if (c != null && Objects.equals(c.uid(), uid)) {
                    credentials.remove(ref);
                }
            }
            reindex(ref);
        }
        changes.fire(new CredentialsChanged(ref));
    }

    // ---- changes (from the informer or from this replica's own writes) ----

    void putProvisioning(ProvisioningRecord p) {
        synchronized (this) {
            ProvisioningRecord old = provisioning.get(p.ref());
            if (old != null && Objects.equals(old.uid(), p.uid()) && isOlder(p.resourceVersion(), old.resourceVersion())) {
                return; // a late event for a version this replica already wrote past
            }
            provisioning.put(p.ref(), p);
            reindex(p.ref());
        }
        changes.fire(new CredentialsChanged(p.ref()));
    }

    void putCredentials(CredentialRecord c) {
        synchronized (this) {
            if (c.uid() != null && revokedUids.containsKey(c.uid())) {
                return;
            }
            credentials.put(c.ref(), c);
            reindex(c.ref());
        }
        changes.fire(new CredentialsChanged(c.ref()));
    }

    /**
     * Revokes the scanner's API key on this replica at once: the current credentials Secret's uid is
     * remembered so that no late informer event re-admits it.
     */
    void revokeKey(ScannerRef ref) {
        synchronized (this) {
            CredentialRecord c = credentials.remove(ref);
            if (c != null && c.uid() != null) {
                revokedUids.put(c.uid(), Instant.now());
            }
            reindex(ref);
            pruneTombstones();
        }
        changes.fire(new CredentialsChanged(ref));
    }

    /**
     * Whether the Secrets this index holds for the scanner are controlled by the Scanner with this
     * uid (the live one). A Secret written by this replica and not yet seen by the informer counts
     * as controlled (it was made with that owner).
     */
    public boolean ownedBy(ScannerRef ref, String scannerUid) {
        Map<String, String> owners = ownerUids.get(ref);
        if (owners == null) {
            return true;
        }
        // Asked on every heartbeat: a loop, not a stream pipeline (a twentieth of the event loops' samples).
        for (String uid : owners.values()) {
            if (!uid.equals(scannerUid)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Labels alone prove nothing (anyone who may create a Secret can set them): a Secret counts only
     * when it has the name the operator gives it and a Scanner of that name as its controller.
     */
    private boolean trusted(Secret s, String component) {
        ScannerRef ref = CredentialSecrets.owner(s);
        if (ref == null || component == null) {
            return true; // not one of ours; the readers below ignore it
        }
        String expectedName = CredentialSecrets.PROVISIONING.equals(component) ? CredentialSecrets.provisioningName(ref.name())
                : CredentialSecrets.CREDENTIALS.equals(component) ? CredentialSecrets.credentialsName(ref.name()) : null;
        if (expectedName == null) {
            return true;
        }
        String ownerUid = s.getMetadata().getOwnerReferences() == null ? null : s.getMetadata().getOwnerReferences().stream()
                .filter(o -> Boolean.TRUE.equals(o.getController()) && "Scanner".equals(o.getKind()) && ref.name().equals(o.getName()))
                .map(io.fabric8.kubernetes.api.model.OwnerReference::getUid).filter(Objects::nonNull).findFirst().orElse(null);
        if (!expectedName.equals(s.getMetadata().getName()) || ownerUid == null) {
            LOG.warnf("Ignoring Secret %s/%s: it carries the labels of scanner %s's %s Secret but not its name and owner",
                    s.getMetadata().getNamespace(), s.getMetadata().getName(), ref, component);
            return false;
        }
        ownerUids.computeIfAbsent(ref, r -> new ConcurrentHashMap<>()).put(component, ownerUid);
        return true;
    }

    /**
     * Forgets the scanner entirely (deleted): key and token stop working here at once. Announces a
     * change only when there was something to forget: the finalizer calls this on every attempt, and
     * an announcement asks for another reconciliation of the scanner, which (while the deletion has
     * not reached the cache, e.g. its watch event was lost) would run the finalizer again at once, in a loop.
     */
    void forget(ScannerRef ref) {
        boolean known = ownerUids.remove(ref) != null;
        synchronized (this) {
            CredentialRecord c = credentials.remove(ref);
            if (c != null && c.uid() != null) {
                revokedUids.put(c.uid(), Instant.now());
            }
            known |= c != null;
            known |= provisioning.remove(ref) != null;
            reindex(ref);
        }
        if (known) {
            changes.fire(new CredentialsChanged(ref));
        }
    }

    /** Recomputes the token and key entries of one scanner. Caller holds the lock. */
    private void reindex(ScannerRef ref) {
        Long oldToken = tokenOf.remove(ref);
        if (oldToken != null) {
            tokens.remove(oldToken, ref);
        }
        Long oldKey = keyOf.remove(ref);
        if (oldKey != null) {
            KeyEntry e = keys.get(oldKey);
            if (e != null && e.ref().equals(ref)) {
                keys.remove(oldKey);
            }
        }
        ProvisioningRecord p = provisioning.get(ref);
        if (p != null && p.tokenHash() != null && p.state() != TokenState.Revoked) {
            long prefix = SecretDigest.prefix(p.tokenHash());
            tokens.put(prefix, ref);
            tokenOf.put(ref, prefix);
        }
        CredentialRecord c = credentials.get(ref);
        if (p != null && c != null && p.state() == TokenState.Consumed && SecretDigest.matches(p.apiKeyHash(), c.apiKeyHash())) {
            long prefix = SecretDigest.prefix(c.apiKeyHash());
            KeyEntry clash = keys.put(prefix, new KeyEntry(c.apiKeyHash(), ref));
            if (clash != null && !clash.ref().equals(ref)) {
                LOG.warnf("API keys of scanners %s and %s share a hash prefix; the older one must re-register", clash.ref(), ref);
            }
            keyOf.put(ref, prefix);
        }
    }

    private void pruneTombstones() {
        Instant cutoff = Instant.now().minus(TOMBSTONE_TTL);
        revokedUids.values().removeIf(t -> t.isBefore(cutoff));
    }

    /** resourceVersions are opaque, but both the API server and the embedded one use increasing integers. */
    private static boolean isOlder(String candidate, String current) {
        if (candidate == null || current == null) {
            return false;
        }
        try {
            return Long.parseLong(candidate) < Long.parseLong(current);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
