package io.mipo.operator.credentials;

import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.core.ScannerEvents;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.mipo.operator.core.Refusal;
import io.mipo.operator.config.MipoConfig;
import io.mipo.operator.model.DeploymentMode;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.TokenState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Issues provisioning tokens and revokes credentials, keeping them in the scanner's two Secrets
 * (docs/credentials.md). Every change is applied to the local {@link CredentialIndex} at once, so that on this
 * replica a revoked key fails from the moment the call returns; other replicas follow through
 * their informers.
 */
@ApplicationScoped
public class SecretCredentialService implements CredentialService {
    private static final Logger LOG = Logger.getLogger(SecretCredentialService.class);
    private static final int ATTEMPTS = 5;

    @Inject
    KubernetesClient client;

    @Inject
    CredentialIndex index;

    @Inject
    InstallCommand installCommand;

    @Inject
    ScannerEvents events;

    @Inject
    MipoConfig config;

    Clock clock = Clock.systemUTC();

    @Override
    public IssuedToken issueToken(Scanner scanner, String requestBaseUrl) {
        return issue(withUid(scanner), requestBaseUrl, false)
                .orElseThrow(() -> new IllegalStateException("token not issued"));
    }

    /**
     * Issues the first token of a scanner created without the facade (kubectl, GitOps), unless a
     * provisioning Secret exists already: creating is all it does, so it never replaces a token the
     * facade has just issued and returned.
     */
    public Optional<IssuedToken> issueFirstToken(Scanner scanner) {
        return issue(scanner, null, true);
    }

    private Optional<IssuedToken> issue(Scanner scanner, String requestBaseUrl, boolean onlyIfAbsent) {
        if (isDaemonSet(scanner)) {
            throw new Refusal(Refusal.Kind.CONFLICT, "TOKEN_NOT_APPLICABLE", "scanner " + scanner.getMetadata().getName() + " runs as a DaemonSet; its pods authenticate with their service account, not with a token");
        }
        ScannerRef ref = ScannerRef.of(scanner);
        String token = TokenFormat.generate(TokenKind.PROVISIONING);
        Instant issuedAt = clock.instant();
        Instant expiresAt = issuedAt.plus(config.token().ttl());
        String command = installCommand.forToken(requestBaseUrl, token);
        Secret desired = CredentialSecrets.provisioning(scanner, SecretDigest.sha256(token), command, issuedAt, expiresAt);

        Secret written;
        boolean replaced = false;
        if (onlyIfAbsent) {
            try {
                written = client.secrets().inNamespace(ref.namespace()).resource(desired).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409) {
                    return Optional.empty();
                }
                throw e;
            }
        } else {
            // The old key stops working here before anything is written.
            index.revokeKey(ref);
            Secret[] previous = new Secret[1];
            written = createOrReplace(desired, previous);
            replaced = previous[0] != null;
            boolean hadKey = deleteQuietly(ref.namespace(), CredentialSecrets.credentialsName(ref.name()));
            replaced |= hadKey;
        }
        index.putProvisioning(CredentialSecrets.readProvisioning(written));
        if (replaced) {
            events.normal(scanner, ScannerEvents.TOKEN_REGENERATED,
                    "A new provisioning token was issued (expires " + io.mipo.operator.kube.Times.format(expiresAt)
                            + "); the previous token and the agent's API key no longer work.",
                    written.getMetadata().getResourceVersion());
            LOG.infof("Scanner %s: new provisioning token issued, previous token and API key revoked", ref);
        } else {
            LOG.infof("Scanner %s: provisioning token issued; it expires at %s", ref, expiresAt);
        }
        return Optional.of(new IssuedToken(token, command, issuedAt, expiresAt));
    }

    @Override
    public void revokeAll(Scanner scanner) {
        ScannerRef ref = ScannerRef.of(scanner);
        index.revokeKey(ref);
        deleteQuietly(ref.namespace(), CredentialSecrets.credentialsName(ref.name()));
        for (int i = 0; i < ATTEMPTS; i++) {
            Secret p = client.secrets().inNamespace(ref.namespace()).withName(CredentialSecrets.provisioningName(ref.name())).get();
            if (p == null) {
                break;
            }
            try {
                Secret written = client.secrets().inNamespace(ref.namespace()).resource(CredentialSecrets.retired(p, TokenState.Revoked)).update();
                index.putProvisioning(CredentialSecrets.readProvisioning(written));
                break;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 && e.getCode() != 404) {
                    throw e;
                }
            }
        }
        LOG.infof("Scanner %s: provisioning token and API key revoked", ref);
    }

    /** Removes both Secrets (the Scanner is going away); idempotent. */
    public void deleteAll(ScannerRef ref) {
        index.forget(ref);
        deleteQuietly(ref.namespace(), CredentialSecrets.credentialsName(ref.name()));
        deleteQuietly(ref.namespace(), CredentialSecrets.provisioningName(ref.name()));
    }

    /** An unused token passed its expiry: drop the plaintext command and record the state. */
    public boolean retireExpired(ScannerRef ref) {
        return retire(ref, TokenState.Expired, p -> p.state() == TokenState.Unused);
    }

    private boolean retire(ScannerRef ref, TokenState state, java.util.function.Predicate<ProvisioningRecord> when) {
        for (int i = 0; i < ATTEMPTS; i++) {
            Secret p = client.secrets().inNamespace(ref.namespace()).withName(CredentialSecrets.provisioningName(ref.name())).get();
            ProvisioningRecord current = p == null ? null : CredentialSecrets.readProvisioning(p);
            if (current == null || !when.test(current)) {
                return false;
            }
            try {
                Secret written = client.secrets().inNamespace(ref.namespace()).resource(CredentialSecrets.retired(p, state)).update();
                index.putProvisioning(CredentialSecrets.readProvisioning(written));
                return true;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
            }
        }
        return false;
    }

    /**
     * Repairs the credentials Secret from the provisioning Secret, which recorded the key hash in
     * the same write that consumed the token: this is what makes a crash between registration's two
     * writes harmless.
     */
    public void restoreCredentials(Scanner scanner, ProvisioningRecord p) {
        Secret s = CredentialSecrets.credentials(scanner, p.apiKeyHash(), p.consumedAt(), p.agent());
        try {
            Secret written = client.secrets().inNamespace(p.ref().namespace()).resource(s).create();
            index.putCredentials(CredentialSecrets.readCredentials(written));
            LOG.infof("Scanner %s: credentials Secret restored from the provisioning record", p.ref());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    /** Deletes a credentials Secret that no provisioning record vouches for (left over by a race with a regeneration). */
    public void deleteOrphanedCredentials(ScannerRef ref) {
        index.revokeKey(ref);
        deleteQuietly(ref.namespace(), CredentialSecrets.credentialsName(ref.name()));
        LOG.infof("Scanner %s: removed credentials that no current token was exchanged for", ref);
    }

    /** Creates the Secret, or replaces the existing one (whatever its content), retrying on conflicts. */
    private Secret createOrReplace(Secret desired, Secret[] previous) {
        String ns = desired.getMetadata().getNamespace();
        String name = desired.getMetadata().getName();
        for (int i = 0; i < ATTEMPTS; i++) {
            Secret existing = client.secrets().inNamespace(ns).withName(name).get();
            try {
                if (existing == null) {
                    return client.secrets().inNamespace(ns).resource(desired).create();
                }
                previous[0] = existing;
                Secret replacement = new io.fabric8.kubernetes.api.model.SecretBuilder(desired)
                        .editMetadata().withResourceVersion(existing.getMetadata().getResourceVersion()).endMetadata()
                        .build();
                return client.secrets().inNamespace(ns).resource(replacement).update();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 && e.getCode() != 404) {
                    throw e;
                }
            }
        }
        throw new Refusal(Refusal.Kind.CONFLICT, "CONFLICT", "the provisioning Secret kept changing; try again");
    }

    boolean deleteQuietly(String ns, String name) {
        try {
            var details = client.secrets().inNamespace(ns).withName(name).delete();
            return details != null && !details.isEmpty();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private Scanner withUid(Scanner scanner) {
        if (scanner.getMetadata().getUid() != null) {
            return scanner;
        }
        Scanner fresh = client.resources(Scanner.class).inNamespace(scanner.getMetadata().getNamespace())
                .withName(scanner.getMetadata().getName()).get();
        if (fresh == null) {
            throw Refusal.notFound("scanner " + scanner.getMetadata().getName());
        }
        return fresh;
    }

    static boolean isDaemonSet(Scanner scanner) {
        return scanner.getSpec() != null && scanner.getSpec().getDeployment() != null
                && scanner.getSpec().getDeployment().getMode() == DeploymentMode.DaemonSet;
    }
}
