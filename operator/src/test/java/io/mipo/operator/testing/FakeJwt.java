package io.mipo.operator.testing;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Tokens shaped like the JWTs a Kubernetes API server issues (header, claims, signature), with
 * random content and a random "signature": only the mock API server's TokenReview answer decides
 * whether one is valid. Made fresh by every test, never a real credential.
 */
public final class FakeJwt {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private FakeJwt() {
    }

    /** A token for the audiences, expiring in an hour. */
    public static String of(List<String> audiences) {
        return of(audiences, Instant.now().plusSeconds(3600));
    }

    public static String of(List<String> audiences, Instant expiry) {
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        String header = "{\"alg\":\"RS256\",\"kid\":\"test\"}";
        String claims = "{\"aud\":[" + audiences.stream().map(a -> "\"" + a + "\"").collect(Collectors.joining(","))
                + "],\"exp\":" + expiry.getEpochSecond() + ",\"iat\":" + Instant.now().getEpochSecond()
                + ",\"iss\":\"https://kubernetes.default.svc\",\"jti\":\"" + B64.encodeToString(id) + "\",\"sub\":\"test\"}";
        byte[] signature = new byte[256];
        RANDOM.nextBytes(signature);
        return B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "." + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8))
                + "." + B64.encodeToString(signature);
    }
}
