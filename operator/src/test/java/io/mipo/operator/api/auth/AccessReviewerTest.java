package io.mipo.operator.api.auth;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.mipo.operator.api.ApiException;
import io.mipo.operator.config.MipoConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reviewer against a mock API server that answers what each test says (no Quarkus). */
class AccessReviewerTest {
    private static final String TOKEN_REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews";
    private static final String ACCESS_REVIEWS = "/apis/authorization.k8s.io/v1/subjectaccessreviews";

    private KubernetesMockServer server;
    private KubernetesClient client;
    private final MutableClock clock = new MutableClock();

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2030-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(false);
        server.init(java.net.InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    static MipoConfig config(Duration ttl, String staticToken) {
        return config(ttl, staticToken, false);
    }

    static MipoConfig config(Duration ttl, String staticToken, boolean standalone) {
        MipoConfig.Auth auth = (MipoConfig.Auth) Proxy.newProxyInstance(MipoConfig.class.getClassLoader(), new Class<?>[]{MipoConfig.Auth.class},
                (p, m, a) -> switch (m.getName()) {
                    case "cacheTtl" -> ttl;
                    case "staticToken" -> Optional.ofNullable(staticToken);
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        return (MipoConfig) Proxy.newProxyInstance(MipoConfig.class.getClassLoader(), new Class<?>[]{MipoConfig.class},
                (p, m, a) -> {
                    if (m.getName().equals("auth")) {
                        return auth;
                    }
                    if (m.getName().equals("standalone")) {
                        return standalone;
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
    }

    private void tokenReviewAnswers(boolean authenticated, int times) {
        TokenReview answer = new TokenReviewBuilder().withNewStatus().withAuthenticated(authenticated)
                .withNewUser().withUsername("alice").withGroups("devs").endUser().endStatus().build();
        server.expect().post().withPath(TOKEN_REVIEWS).andReturn(201, answer).times(times);
    }

    private void accessReviewAnswers(boolean allowed, int times) {
        SubjectAccessReview answer = new SubjectAccessReviewBuilder().withNewStatus().withAllowed(allowed).endStatus().build();
        server.expect().post().withPath(ACCESS_REVIEWS).andReturn(201, answer).times(times);
    }

    private static final AccessRequest LIST = new AccessRequest("list", "scanners", "", "default", "");

    @Test
    void answersAreCachedForTheTtlAndAskedAgainAfterwards() {
        AccessReviewer reviewer = new AccessReviewer(client, config(Duration.ofSeconds(5), null), clock);
        tokenReviewAnswers(true, 1);
        accessReviewAnswers(true, 1);
        Identity alice = reviewer.authenticate("tok-1", "d1").orElseThrow();
        assertEquals("alice", alice.name());
        assertTrue(reviewer.allowed(alice, "d1", LIST));
        int requests = server.getRequestCount();
        clock.now = clock.now.plusSeconds(4);
        assertEquals("alice", reviewer.authenticate("tok-1", "d1").orElseThrow().name());
        assertTrue(reviewer.allowed(alice, "d1", LIST));
        assertEquals(requests, server.getRequestCount(), "a cached answer was asked again");

        // After the TTL the API server is asked again, and its new "no" counts.
        clock.now = clock.now.plusSeconds(2);
        tokenReviewAnswers(true, 1);
        accessReviewAnswers(false, 1);
        reviewer.authenticate("tok-1", "d1").orElseThrow();
        assertFalse(reviewer.allowed(alice, "d1", LIST));
        assertEquals(requests + 2, server.getRequestCount());
    }

    @Test
    void aCacheTtlAboveTheMaximumIsCapped() {
        AccessReviewer reviewer = new AccessReviewer(client, config(Duration.ofHours(1), null), clock);
        tokenReviewAnswers(true, 2);
        reviewer.authenticate("tok-2", "d2").orElseThrow();
        clock.now = clock.now.plus(AccessReviewer.MAX_CACHE_TTL).plusMillis(1);
        int requests = server.getRequestCount();
        reviewer.authenticate("tok-2", "d2").orElseThrow();
        assertEquals(requests + 1, server.getRequestCount(), "an hour-long TTL was not capped");
    }

    @Test
    void anUnauthenticatedTokenHasNoIdentity() {
        AccessReviewer reviewer = new AccessReviewer(client, config(Duration.ofSeconds(5), null), clock);
        tokenReviewAnswers(false, 1);
        assertTrue(reviewer.authenticate("bad", "d3").isEmpty());
    }

    @Test
    void anApiServerThatCannotAnswerMeans503NeverAccess() {
        AccessReviewer reviewer = new AccessReviewer(client, config(Duration.ofSeconds(5), null), clock);
        // 403: the operator may not create reviews (no retries, unlike 5xx)
        server.expect().post().withPath(TOKEN_REVIEWS).andReturn(403, "{}").always();
        ApiException e = assertThrows(ApiException.class, () -> reviewer.authenticate("tok", "d4"));
        assertEquals(503, e.status());
        server.expect().post().withPath(ACCESS_REVIEWS).andReturn(403, "{}").always();
        ApiException f = assertThrows(ApiException.class,
                () -> reviewer.allowed(new Identity("bob", null, null, null), "d5", LIST));
        assertEquals(503, f.status());
    }

    @Test
    void theStaticTokenMatchesOnlyItself() {
        String secret = java.util.UUID.randomUUID().toString();
        AccessReviewer reviewer = new AccessReviewer(client, config(Duration.ofSeconds(5), secret), clock);
        assertTrue(reviewer.isStaticToken(secret));
        assertFalse(reviewer.isStaticToken(secret.substring(1)));
        assertFalse(reviewer.isStaticToken(secret + "X"));
        assertFalse(new AccessReviewer(client, config(Duration.ofSeconds(5), null), clock).isStaticToken(""));
        assertFalse(new AccessReviewer(client, config(Duration.ofSeconds(5), " "), clock).isStaticToken(" "));
    }

    @Test
    void standaloneModeAcceptsOnlyTheStaticTokenAndAsksNoReview() {
        String secret = java.util.UUID.randomUUID().toString();
        AccessReviewer reviewer = new AccessReviewer(client, config(Duration.ofSeconds(5), secret, true), clock);
        tokenReviewAnswers(true, 1); // a server that would say yes is not even asked
        int requests = server.getRequestCount();
        assertTrue(reviewer.isStaticToken(secret));
        assertTrue(reviewer.authenticate("some-other-token", "d6").isEmpty());
        assertEquals(Optional.of(Optional.empty()), reviewer.cachedIdentity("d6"));
        assertEquals(requests, server.getRequestCount());
    }

    @Test
    void bearerHeaderParsing() {
        assertEquals("abc", AccessFilter.bearerToken("Bearer abc"));
        assertEquals("abc", AccessFilter.bearerToken("bearer   abc "));
        for (String bad : new String[]{null, "", "Bearer", "Bearer   ", "Basic abc", "Token abc"}) {
            ApiException e = assertThrows(ApiException.class, () -> AccessFilter.bearerToken(bad), "header " + bad);
            assertEquals(401, e.status());
        }
    }

    @Test
    void theCacheStaysBounded() {
        ExpiringCache<String, String> cache = new ExpiringCache<>(Duration.ofSeconds(5), 3, clock);
        for (int i = 0; i < 10; i++) {
            cache.put("k" + i, "v");
            assertTrue(cache.size() <= 3, "size " + cache.size());
        }
        assertEquals(Optional.of("v"), cache.get("k9"));
    }
}
