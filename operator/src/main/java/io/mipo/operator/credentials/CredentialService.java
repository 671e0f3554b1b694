package io.mipo.operator.credentials;

import io.mipo.operator.model.Scanner;

import java.time.Instant;

/**
 * Provisioning tokens and API keys of External scanners (docs/credentials.md). The REST facade and the
 * Scanner reconciler use this; the ingest API's registration and key lookup live beside it.
 */
public interface CredentialService {

    /** A freshly issued provisioning token. The only place its plaintext exists besides the Secret's install command. */
    record IssuedToken(String token, String installCommand, Instant issuedAt, Instant expiresAt) {
        @Override
        public String toString() {
            return "IssuedToken[token=mipo_pt_…, expiresAt=" + expiresAt + "]";
        }
    }

    /**
     * Issues a new provisioning token for the scanner, replacing any earlier one, and revokes the
     * scanner's API key at once (regenerate-token). {@code requestBaseUrl} is used for the install
     * command when {@code mipo.public-url} is unset (may be null).
     */
    IssuedToken issueToken(Scanner scanner, String requestBaseUrl);

    /** Revokes the token and the API key: from the moment this returns, the key gets 401. */
    void revokeAll(Scanner scanner);
}
