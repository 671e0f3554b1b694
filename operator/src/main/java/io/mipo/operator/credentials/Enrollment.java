package io.mipo.operator.credentials;

import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.core.ScannerLookup;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.mipo.operator.core.Refusal;
import io.mipo.operator.kube.Times;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.TokenState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * Registration: a provisioning token is exchanged, exactly once, for an API key (docs/credentials.md).
 *
 * <p>Exactly once holds across replicas because consumption is an update of the provisioning Secret
 * carrying the resourceVersion that was read: of two registrations racing on one token, the API
 * server accepts one update and answers the other with 409, after which the loser re-reads the
 * Secret, finds it consumed and gets TOKEN_USED. No JVM lock is involved.
 *
 * <p>Everything a bad token can be rejected for without the API server — format, checksum, unknown,
 * used, expired — is decided from memory, so a flood of bad tokens costs no API call at all.
 */
@ApplicationScoped
public class Enrollment {
    private static final Logger LOG = Logger.getLogger(Enrollment.class);
    private static final int ATTEMPTS = 5;

    public static final String TOKEN_INVALID = "TOKEN_INVALID";
    public static final String TOKEN_EXPIRED = "TOKEN_EXPIRED";
    public static final String TOKEN_USED = "TOKEN_USED";

    @Inject
    KubernetesClient client;

    @Inject
    CredentialIndex index;

    @Inject
    ScannerLookup scanners;

    Clock clock = Clock.systemUTC();

    /** The outcome of a registration: the only place the API key exists in plaintext. */
    public record Enrolled(ScannerRef ref, String apiKey, Instant registeredAt) {
        @Override
        public String toString() {
            return "Enrolled[" + ref + ", apiKey=" + TokenFormat.redacted(apiKey) + "]";
        }
    }

    /**
     * Which scanner a token was issued for, judged from memory only: 401 TOKEN_INVALID for a
     * malformed or unknown token, TOKEN_USED and TOKEN_EXPIRED when the index already knows.
     */
    public ScannerRef identify(String token) {
        if (!TokenFormat.isWellFormed(TokenKind.PROVISIONING, token)) {
            throw invalid();
        }
        ProvisioningRecord p = index.tokenOwner(SecretDigest.sha256(token)).orElseThrow(Enrollment::invalid);
        check(p, clock.instant());
        return p.ref();
    }

    /**
     * Consumes the token and issues the API key. Call after {@link #identify} and the call guards
     * (binding). Re-checks everything against the API server, since the index may lag.
     */
    public Enrolled consume(ScannerRef ref, String token, RegisteredAgent agent) {
        byte[] tokenHash = SecretDigest.sha256(token);
        String provisioningName = CredentialSecrets.provisioningName(ref.name());
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Secret current = client.secrets().inNamespace(ref.namespace()).withName(provisioningName).get();
            ProvisioningRecord p = current == null ? null : CredentialSecrets.readProvisioning(current);
            if (p == null || !SecretDigest.matches(p.tokenHash(), tokenHash)) {
                throw invalid();
            }
            Instant now = clock.instant();
            check(p, now);
            // The informer cache is enough: the Scanner existed before its token did; the API is asked only when the cache lags.
            Scanner scanner = scanners.scanner(ref)
                    .orElseGet(() -> client.resources(Scanner.class).inNamespace(ref.namespace()).withName(ref.name()).get());
            if (scanner == null || scanner.getMetadata().getDeletionTimestamp() != null
                    || !ownedBy(current, scanner) || SecretCredentialService.isDaemonSet(scanner)) {
                throw invalid();
            }

            String apiKey = TokenFormat.generate(TokenKind.API_KEY);
            byte[] keyHash = SecretDigest.sha256(apiKey);
            Secret consumed;
            try {
                consumed = client.secrets().inNamespace(ref.namespace())
                        .resource(CredentialSecrets.consumed(current, keyHash, now, agent)).update();
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409) {
                    continue; // another registration (or a regeneration) changed it first: look again
                }
                if (e.getCode() == 404) {
                    throw invalid();
                }
                throw e;
            }
            index.putProvisioning(CredentialSecrets.readProvisioning(consumed));
            // Should a regeneration replace the token between these two writes, the key is still
            // dead: a key counts only while the provisioning Secret vouches for its hash, and the
            // reconciler deletes credentials no provisioning record vouches for.
            Secret credentials = writeCredentials(scanner, keyHash, now, agent);
            index.putCredentials(CredentialSecrets.readCredentials(credentials));
            LOG.infof("Scanner %s registered from %s (agent %s on %s); API key %s issued", ref,
                    agent.sourceAddress(), agent.version(), agent.hostname(), TokenFormat.redacted(apiKey));
            return new Enrolled(ref, apiKey, now);
        }
        throw new Refusal(Refusal.Kind.CONFLICT, "CONFLICT", "the provisioning Secret kept changing; try again");
    }

    private Secret writeCredentials(Scanner scanner, byte[] keyHash, Instant now, RegisteredAgent agent) {
        Secret desired = CredentialSecrets.credentials(scanner, keyHash, now, agent);
        String ns = scanner.getMetadata().getNamespace();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                return client.secrets().inNamespace(ns).resource(desired).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                // A stale one from an earlier registration: replace it by a new object (new uid), so
                // that revocations remembered by uid keep applying to the old one.
                client.secrets().inNamespace(ns).withName(desired.getMetadata().getName()).delete();
            }
        }
        throw new Refusal(Refusal.Kind.CONFLICT, "CONFLICT", "the credentials Secret kept changing; try again");
    }

    private static boolean ownedBy(Secret s, Scanner scanner) {
        return s.getMetadata().getOwnerReferences() == null || s.getMetadata().getOwnerReferences().isEmpty()
                || s.getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> Objects.equals(o.getUid(), scanner.getMetadata().getUid()));
    }

    private static void check(ProvisioningRecord p, Instant now) {
        if (p.state() == TokenState.Consumed) {
            throw new Refusal(Refusal.Kind.UNAUTHENTICATED, TOKEN_USED, "this provisioning token was already used; regenerate the token to provision the scanner again");
        }
        if (p.state() == TokenState.Revoked || p.tokenHash() == null) {
            throw invalid();
        }
        if (p.effectiveState(now) == TokenState.Expired) {
            throw new Refusal(Refusal.Kind.UNAUTHENTICATED, TOKEN_EXPIRED, "this provisioning token expired at " + Times.format(p.expiresAt()) + "; regenerate the token");
        }
    }

    static Refusal invalid() {
        return new Refusal(Refusal.Kind.UNAUTHENTICATED, TOKEN_INVALID, "the provisioning token is not valid (unknown, mistyped, or replaced by a newer one)");
    }
}
