package io.mipo.operator.api.agent;

import io.mipo.operator.core.AgentCallGuard;
import io.mipo.operator.api.ApiException;
import io.mipo.operator.credentials.CredentialIndex;
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
    Instance<AgentCallGuard> guards;

    /** Resolved once: looking beans up on every call would cost more than the rest of a heartbeat. */
    private volatile List<AgentCallGuard> resolved;

    /**
     * @return the scanner the key belongs to
     * @throws ApiException 401 INVALID_API_KEY, or whatever a guard throws (403 IP_BINDING_VIOLATION)
     */
    public ScannerRef authenticate(String authorization, InetAddress client, AgentCallGuard.Call call) {
        String key = bearer(authorization);
        if (key == null || !TokenFormat.isWellFormed(TokenKind.API_KEY, key)) {
            throw invalidKey();
        }
        byte[] hash = SecretDigest.sha256(key);
        ScannerRef ref = index.keyOwner(hash)
                .or(() -> podKeys.keyOwner(hash).map(PodKeys.PodKey::ref))
                .orElseThrow(AgentAuthenticator::invalidKey);
        guard(ref, client, call);
        return ref;
    }

    /** Runs every call guard for an identified scanner (registration identifies by token instead). */
    public void guard(ScannerRef ref, InetAddress client, AgentCallGuard.Call call) {
        List<AgentCallGuard> gs = resolved;
        if (gs == null) {
            gs = guards.stream().toList();
            resolved = gs;
        }
        for (AgentCallGuard g : gs) {
            g.check(ref.namespace(), ref.name(), client, call);
        }
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
