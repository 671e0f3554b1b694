package io.mipo.operator.api.agent;

import io.mipo.operator.core.AgentCallGuard;
import io.mipo.operator.api.ApiException;
import io.mipo.operator.credentials.CredentialIndex;
import io.mipo.operator.credentials.LateRegistrations;
import io.mipo.operator.credentials.PodKeys;
import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.credentials.SecretDigest;
import io.mipo.operator.credentials.TokenFormat;
import io.mipo.operator.credentials.TokenKind;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.net.InetAddress;
import java.util.List;

/**
 * Authenticates agent calls by API key ({@code Authorization: Bearer mipo_sk_…}) against the
 * in-memory credential index, then runs every {@link AgentCallGuard} (source-address binding).
 * No Kubernetes API call is made, so authentication costs microseconds and a flood of bad keys
 * costs nothing but CPU.
 */
@ApplicationScoped
public class AgentAuthenticator {
    public static final String INVALID_API_KEY = "INVALID_API_KEY";
    private static final String BEARER = "Bearer ";

    @Inject
    CredentialIndex index;

    @Inject
    PodKeys podKeys;

    @Inject
    io.mipo.operator.core.ReconcileTrigger scanners;

    @Inject
    LateRegistrations lateRegistrations;

    @Inject
    io.fabric8.kubernetes.client.KubernetesClient client;

    @Inject
    Instance<AgentCallGuard> guards;

    /** Every agent call comes through here: the beans themselves, not their client proxies (they live as long as this one). */
    @jakarta.annotation.PostConstruct
    void unwrapProxies() {
        index = io.quarkus.arc.ClientProxy.unwrap(index);
        podKeys = io.quarkus.arc.ClientProxy.unwrap(podKeys);
        scanners = io.quarkus.arc.ClientProxy.unwrap(scanners);
    }

    /** Resolved once: looking beans up on every call would cost more than the rest of a heartbeat. */
    private volatile List<AgentCallGuard> resolved;

    /**
     * @return the scanner the key belongs to
     * @throws ApiException 401 INVALID_API_KEY, or whatever a guard throws (403 IP_BINDING_VIOLATION)
     */
    public ScannerRef authenticate(String authorization, InetAddress client, AgentCallGuard.Call call) {
        return authenticate(authorization, null, client, call);
    }

    /**
     * As above; {@code scannerHint} is the scanner the agent says it is ({@code X-Mipo-Scanner}), used only
     * to look for a key this replica has not learned of yet ({@link LateRegistrations}), never to trust one.
     */
    public ScannerRef authenticate(String authorization, String scannerHint, InetAddress client, AgentCallGuard.Call call) {
        return caller(authorization, scannerHint, client, call).ref();
    }

    /**
     * An authenticated agent: its scanner and, for a DaemonSet pod's key, the pod the key is bound to.
     * {@code scanner} is the Scanner as the fleet cache held it when the key's owner was checked, so
     * that the call need not look it up again; null when no check needed it (a pod's key, a key learned late).
     */
    public record Caller(ScannerRef ref, java.util.Optional<PodKeys.PodKey> pod, io.mipo.operator.model.Scanner scanner) {
        public Caller(ScannerRef ref, java.util.Optional<PodKeys.PodKey> pod) {
            this(ref, pod, null);
        }
    }

    /** As {@link #authenticate(String, String, InetAddress, AgentCallGuard.Call)}, with the key's pod ({@link #instance}) from the same hash. */
    public Caller caller(String authorization, String scannerHint, InetAddress client, AgentCallGuard.Call call) {
        Caller c = identify(authorization, scannerHint, true);
        guard(c.ref(), client, call);
        return c;
    }

    /**
     * The same decision without any step that may block the calling thread (an event loop), or empty
     * when only such a step can decide: a well-formed key this replica does not know, sent with a
     * scanner hint ({@link LateRegistrations} reads the API), or a guard that may write (a binding still
     * learning its value). Then call {@link #caller} on a worker thread. Refusals are thrown as by
     * {@link #caller}; nothing is recorded before the answer is known, so the retry counts once.
     */
    public java.util.Optional<Caller> callerWithoutBlocking(String authorization, String scannerHint, InetAddress client,
                                                           AgentCallGuard.Call call) {
        Caller c = identify(authorization, scannerHint, false);
        if (c == null || mayBlock(c.ref(), call)) {
            return java.util.Optional.empty();
        }
        guard(c.ref(), client, call);
        return java.util.Optional.of(c);
    }

    /** The key's owner from the in-memory indexes (one SHA-256); null when only a blocking API read could tell. */
    private Caller identify(String authorization, String scannerHint, boolean mayBlock) {
        String key = bearer(authorization);
        if (key == null || !TokenFormat.isWellFormed(TokenKind.API_KEY, key)) {
            throw invalidKey();
        }
        byte[] hash = SecretDigest.sha256(key);
        java.util.Optional<ScannerRef> external = index.keyOwner(hash);
        io.mipo.operator.model.Scanner live = null;
        if (external.isPresent()) {
            live = scanners.scanner(external.get()).orElse(null);
            if (!ownedBy(external.get(), live)) {
                throw invalidKey();
            }
        }
        java.util.Optional<PodKeys.PodKey> pod = podKeys.keyOwner(hash);
        if (external.isPresent()) {
            return new Caller(external.get(), pod, live);
        }
        if (pod.isPresent()) {
            return new Caller(pod.get().ref(), pod);
        }
        if (scannerHint == null) {
            throw invalidKey(); // nothing to look for: LateRegistrations needs the hint
        }
        if (!mayBlock) {
            return null;
        }
        ScannerRef late = lateRegistrations.lookUp(hash, scannerHint).orElseThrow(AgentAuthenticator::invalidKey);
        return new Caller(late, podKeys.keyOwner(hash));
    }

    /**
     * Whether the scanner's credential Secrets are controlled by the Scanner that exists now (not by
     * an earlier Scanner of the same name, nor by nobody). While the Scanner cache is not running,
     * only the Secrets' own owner check applies.
     */
    public boolean ownedByLiveScanner(ScannerRef ref) {
        return ownedBy(ref, scanners.scanner(ref).orElse(null));
    }

    private boolean ownedBy(ScannerRef ref, io.mipo.operator.model.Scanner live) {
        if (live == null) {
            return scanners.mayExist(ref);
        }
        return index.ownedBy(ref, live.getMetadata().getUid());
    }

    /**
     * {@link #ownedByLiveScanner}, for a registration: a Scanner created a moment ago may be missing
     * from the fleet cache while its provisioning Secret is already known (the facade's create writes
     * both, and the cache hears of the Scanner through its watch), so a miss is checked with one GET
     * of the Scanner. Only a token that matched a stored hash gets here, so made-up tokens cause no
     * API request. Blocking: for the worker threads that serve registrations.
     */
    public boolean ownedByScannerForRegistration(ScannerRef ref) {
        if (ownedByLiveScanner(ref)) {
            return true;
        }
        if (scanners.scanner(ref).isPresent()) {
            return false; // cached, and its Secrets belong to another Scanner of that name
        }
        io.mipo.operator.model.Scanner live;
        try {
            live = client.resources(io.mipo.operator.model.Scanner.class).inNamespace(ref.namespace()).withName(ref.name()).get();
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            return false;
        }
        return live != null && live.getMetadata().getDeletionTimestamp() == null && index.ownedBy(ref, live.getMetadata().getUid());
    }

    /** Runs every call guard for an identified scanner (registration identifies by token instead). */
    public void guard(ScannerRef ref, InetAddress client, AgentCallGuard.Call call) {
        for (AgentCallGuard g : guards()) {
            g.check(ref.namespace(), ref.name(), client, call);
        }
    }

    private boolean mayBlock(ScannerRef ref, AgentCallGuard.Call call) {
        for (AgentCallGuard g : guards()) {
            if (g.mayBlock(ref.namespace(), ref.name(), call)) {
                return true;
            }
        }
        return false;
    }

    private List<AgentCallGuard> guards() {
        List<AgentCallGuard> gs = resolved;
        if (gs == null) {
            gs = guards.stream().toList();
            resolved = gs;
        }
        return gs;
    }

    /** The pod a DaemonSet scanner's key is bound to; empty for an External scanner's key. Call after {@link #authenticate}. */
    public java.util.Optional<PodKeys.PodKey> instance(String authorization) {
        String key = bearer(authorization);
        if (key == null || !TokenFormat.isWellFormed(TokenKind.API_KEY, key)) {
            return java.util.Optional.empty();
        }
        return podKeys.keyOwner(SecretDigest.sha256(key));
    }

    private static String bearer(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        return authorization.substring(BEARER.length()).trim();
    }

    static ApiException invalidKey() {
        return new ApiException(401, INVALID_API_KEY, "Unauthorized",
                "the API key is missing or not valid (revoked, replaced by a new registration, or unknown); provision the scanner again");
    }
}
