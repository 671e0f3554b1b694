package io.mipo.operator.credentials;

import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.model.TokenState;

import java.time.Instant;

/**
 * What the {@code <scanner>-provisioning} Secret says: the token's hash and lifecycle and, once the
 * token was exchanged, the hash of the API key it was exchanged for (written in the same update that
 * consumed the token, so a crash before the credentials Secret exists loses nothing).
 */
public record ProvisioningRecord(ScannerRef ref, String uid, String resourceVersion, byte[] tokenHash,
                                 Instant issuedAt, Instant expiresAt, TokenState state, Instant consumedAt,
                                 byte[] apiKeyHash, RegisteredAgent agent, boolean hasInstallCommand) {

    /** The state a user should see at {@code now}: an unused token past its expiry is Expired. */
    public TokenState effectiveState(Instant now) {
        if (state == TokenState.Unused && expiresAt != null && !now.isBefore(expiresAt)) {
            return TokenState.Expired;
        }
        return state;
    }

    @Override
    public String toString() {
        return "ProvisioningRecord[" + ref + ", state=" + state + ", expiresAt=" + expiresAt + "]";
    }
}
