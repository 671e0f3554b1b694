package io.mipo.operator.credentials;

import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.core.ScannerEvents;
import io.mipo.operator.kube.Times;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerStatus;
import io.mipo.operator.model.TokenState;
import io.mipo.operator.model.TokenStatus;
import io.mipo.operator.scanner.ScannerStatusContributor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code status.token} (never the token), and the credential chores that belong to the reconciler:
 * the first token of a scanner created with kubectl, retiring an expired token's install command,
 * and repairing the two Secrets when a registration was interrupted between its writes.
 */
@ApplicationScoped
public class CredentialStatusContributor implements ScannerStatusContributor {
    /**
     * A scanner created through the facade gets its token from the facade moments later; waiting a
     * little before issuing one automatically keeps the two from racing.
     */
    static final Duration FIRST_TOKEN_DELAY = Duration.ofSeconds(2);
    /** How long a half-finished registration is given to finish before it is repaired. */
    static final Duration REPAIR_AFTER = Duration.ofSeconds(30);

    @Inject
    CredentialIndex index;

    @Inject
    SecretCredentialService service;

    @Inject
    ScannerEvents events;

    @Override
    public int order() {
        return ScannerStatusContributor.Order.CREDENTIALS;
    }

    @Override
    public Optional<Duration> contribute(Scanner scanner, ScannerStatus previous, ScannerStatus next, Instant now) {
        if (SecretCredentialService.isDaemonSet(scanner) || scanner.getMetadata().getDeletionTimestamp() != null) {
            next.setToken(null);
            return Optional.empty();
        }
        ScannerRef ref = ScannerRef.of(scanner);
        Optional<ProvisioningRecord> found = index.provisioning(ref);
        if (found.isEmpty()) {
            Instant created = Times.parse(scanner.getMetadata().getCreationTimestamp());
            if (created != null && now.isBefore(created.plus(FIRST_TOKEN_DELAY))) {
                next.setToken(previous.getToken());
                return Optional.of(Duration.between(now, created.plus(FIRST_TOKEN_DELAY)));
            }
            service.issueFirstToken(scanner);
            found = index.provisioning(ref);
            if (found.isEmpty()) {
                return Optional.of(Duration.ofSeconds(1)); // someone else created it; the informer will tell
            }
        }
        ProvisioningRecord p = found.get();
        TokenState state = p.effectiveState(now);
        Optional<Duration> recheck = Optional.empty();
        if (state == TokenState.Expired && p.state() == TokenState.Unused) {
            if (service.retireExpired(ref)) {
                events.normal(scanner, ScannerEvents.TOKEN_EXPIRED,
                        "The provisioning token expired at " + Times.format(p.expiresAt())
                                + " without being used; its install command was removed. Regenerate the token to provision the scanner.",
                        Times.format(p.expiresAt()));
            }
        } else if (state == TokenState.Unused && p.expiresAt() != null) {
            recheck = Optional.of(Duration.between(now, p.expiresAt()));
        }

        TokenStatus token = new TokenStatus();
        token.setIssuedAt(Times.format(p.issuedAt()));
        token.setExpiresAt(Times.format(p.expiresAt()));
        token.setState(state);
        next.setToken(token);

        Optional<Duration> repair = repair(scanner, ref, p, now);
        return earliest(recheck, repair);
    }

    private Optional<Duration> repair(Scanner scanner, ScannerRef ref, ProvisioningRecord p, Instant now) {
        Optional<CredentialRecord> c = index.credentials(ref);
        boolean agrees = c.isPresent() && p.state() == TokenState.Consumed && SecretDigest.matches(p.apiKeyHash(), c.get().apiKeyHash());
        if (c.isPresent() && !agrees) {
            Instant since = c.get().registeredAt() == null ? now : c.get().registeredAt();
            if (now.isBefore(since.plus(REPAIR_AFTER))) {
                return Optional.of(Duration.between(now, since.plus(REPAIR_AFTER)));
            }
            service.deleteOrphanedCredentials(ref);
        } else if (c.isEmpty() && p.state() == TokenState.Consumed && p.apiKeyHash() != null) {
            Instant since = p.consumedAt() == null ? now : p.consumedAt();
            if (now.isBefore(since.plus(REPAIR_AFTER))) {
                return Optional.of(Duration.between(now, since.plus(REPAIR_AFTER)));
            }
            service.restoreCredentials(scanner, p);
        }
        return Optional.empty();
    }

    private static Optional<Duration> earliest(Optional<Duration> a, Optional<Duration> b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        return a.get().compareTo(b.get()) <= 0 ? a : b;
    }
}
