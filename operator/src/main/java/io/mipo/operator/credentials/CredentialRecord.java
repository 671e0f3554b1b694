package io.mipo.operator.credentials;

import io.mipo.operator.core.ScannerRef;
import java.time.Instant;

/** What the {@code <scanner>-credentials} Secret says: the API key's hash, when and from where the agent registered. */
public record CredentialRecord(ScannerRef ref, String uid, byte[] apiKeyHash, Instant registeredAt,
                               RegisteredAgent agent) {

    @Override
    public String toString() {
        return "CredentialRecord[" + ref + ", registeredAt=" + registeredAt + "]";
    }
}
