package io.mipo.operator.credentials;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.mipo.operator.model.TokenState;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Retryable registration. An agent sends a {@code registrationId} (a UUID it made and stored on disk
 * before its first try) with the token. When the answer was lost (timeout, dropped connection, the
 * operator died after consuming the token), the agent repeats the call with the same token and id:
 * within the token's lifetime and at most {@link #WINDOW} after the token was first used, that repeat
 * gets a new API key, and the key issued to the earlier attempt stops working (the provisioning
 * Secret vouches for one key hash at a time). Any other reuse is TOKEN_USED.
 *
 * <p>Only the id's SHA-256 is stored, in the provisioning Secret, written in the same update that
 * consumes the token.
 */
public final class RegistrationRetry {
    public static final String REGISTRATION_ID_SHA256 = "registration-id-sha256";
    public static final Duration WINDOW = Duration.ofMinutes(15);
    private static final Pattern UUID = Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

    private RegistrationRetry() {
    }

    public static boolean wellFormed(String registrationId) {
        return registrationId != null && UUID.matcher(registrationId).matches();
    }

    /** The provisioning Secret as {@link CredentialSecrets#consumed} leaves it, plus the registration id's hash. */
    static Secret withId(Secret consumed, String registrationId) {
        if (!wellFormed(registrationId)) {
            return consumed;
        }
        Map<String, String> data = new LinkedHashMap<>(consumed.getData() == null ? Map.of() : consumed.getData());
        data.put(REGISTRATION_ID_SHA256, Base64.getEncoder().encodeToString(
                SecretDigest.hex(digest(registrationId)).getBytes(StandardCharsets.UTF_8)));
        return new SecretBuilder(consumed).withData(data).build();
    }

    /** Whether this consumed token may be exchanged again by the attempt with this id, at {@code now}. */
    static boolean allows(Secret current, ProvisioningRecord p, String registrationId, Instant now) {
        if (p == null || p.state() != TokenState.Consumed || !wellFormed(registrationId)
                || p.expiresAt() == null || !now.isBefore(p.expiresAt())
                || p.consumedAt() == null || now.isAfter(p.consumedAt().plus(WINDOW))) {
            return false;
        }
        String stored = CredentialSecrets.decode(current.getData()).get(REGISTRATION_ID_SHA256);
        byte[] storedHash = stored == null ? null : SecretDigest.fromHex(stored);
        return storedHash != null && SecretDigest.matches(storedHash, digest(registrationId));
    }

    /** Case-insensitive: a UUID is the same in either case. */
    private static byte[] digest(String registrationId) {
        return SecretDigest.sha256(registrationId.toLowerCase(java.util.Locale.ROOT));
    }
}
