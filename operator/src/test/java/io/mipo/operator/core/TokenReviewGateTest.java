package io.mipo.operator.core;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mipo.operator.core.RetryLater;
import io.mipo.operator.testing.FakeJwt;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Floods of made-up tokens are refused from memory; reviews in flight are bounded (threat: TokenReview amplification). */
class TokenReviewGateTest {
    private static final Set<String> SCANNER = Set.of("mipo-scanner");
    private final AtomicLong nanos = new AtomicLong();
    private final Clock clock = Clock.fixed(Instant.now(), ZoneOffset.UTC);

    private TokenReviewGate gate(int inFlight, boolean opaque) {
        return new TokenReviewGate(inFlight, Duration.ofMinutes(5), 1000, Set.of(), opaque, new SimpleMeterRegistry(), clock, nanos::get);
    }

    @Test
    void onlyBoundedUnexpiredJwtsForTheExpectedAudienceAreWorthAReview() {
        TokenReviewGate g = gate(4, false);
        TokenReviewGate.Caller agent = TokenReviewGate.Caller.AGENT;
        assertEquals(Optional.empty(), g.shapeProblem(agent, FakeJwt.of(List.of("mipo-scanner")), SCANNER));
        assertEquals(Optional.of("not a JWT"), g.shapeProblem(agent, "garbage", SCANNER));
        assertEquals(Optional.of("not a JWT"), g.shapeProblem(agent, "a.b.c", SCANNER));
        assertEquals(Optional.of("not for this audience"), g.shapeProblem(agent, FakeJwt.of(List.of("https://kubernetes.default.svc")), SCANNER));
        assertEquals(Optional.of("expired"), g.shapeProblem(agent, FakeJwt.of(List.of("mipo-scanner"), clock.instant().minusSeconds(1)), SCANNER));
        String huge = FakeJwt.of(List.of("mipo-scanner" + "x".repeat(9000)));
        assertTrue(g.shapeProblem(agent, huge, Set.of()).orElseThrow().startsWith("longer than"));
        // facade: opaque tokens only when allowed
        assertEquals(Optional.of("not a JWT"), g.shapeProblem(TokenReviewGate.Caller.FACADE, "opaque-token", Set.of()));
        assertEquals(Optional.empty(), gate(4, true).shapeProblem(TokenReviewGate.Caller.FACADE, "opaque-token", Set.of()));
    }

    @Test
    void aRefusedTokenIsRefusedFromMemoryUntilTheNegativeCacheForgetsIt() {
        TokenReviewGate g = gate(4, false);
        String token = FakeJwt.of(List.of("mipo-scanner"));
        assertFalse(g.refusedFromMemory(TokenReviewGate.Caller.AGENT, token, "d1", SCANNER));
        assertFalse(g.review(TokenReviewGate.Caller.AGENT, "d1", () -> false, b -> b));
        assertTrue(g.refusedFromMemory(TokenReviewGate.Caller.AGENT, token, "d1", SCANNER), "refused before: no second review");
        assertEquals(1.0, g.count(TokenReviewGate.Caller.AGENT, TokenReviewGate.Result.UNAUTHENTICATED));
        assertEquals(1.0, g.count(TokenReviewGate.Caller.AGENT, TokenReviewGate.Result.CACHED));
        nanos.addAndGet(Duration.ofMinutes(5).plusSeconds(1).toNanos());
        assertFalse(g.refusedFromMemory(TokenReviewGate.Caller.AGENT, token, "d1", SCANNER), "after the TTL it is reviewed again");
    }

    @Test
    void theNegativeCacheIsBoundedAndEvictsOneByOne() {
        TokenReviewGate g = new TokenReviewGate(4, Duration.ofMinutes(5), 100, Set.of(), false, new SimpleMeterRegistry(), clock, nanos::get);
        for (int i = 0; i < 10_000; i++) {
            g.refuse("d" + i);
        }
        assertTrue(g.remembered() <= 100, "remembered " + g.remembered());
        assertTrue(g.remembered() > 0, "evicting must not forget everything");
    }

    @Test
    void reviewsBeyondTheBoundAreRefusedAtOnceWith429() throws Exception {
        TokenReviewGate g = gate(2, false);
        CountDownLatch inReview = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Boolean>> slow = List.of(
                    pool.submit(() -> g.review(TokenReviewGate.Caller.FACADE, "a", () -> block(inReview, release), b -> b)),
                    pool.submit(() -> g.review(TokenReviewGate.Caller.FACADE, "b", () -> block(inReview, release), b -> b)));
            assertTrue(inReview.await(10, TimeUnit.SECONDS), "two reviews in flight");
            RetryLater e = assertThrows(RetryLater.class, () -> g.review(TokenReviewGate.Caller.FACADE, "c", () -> true, b -> b));
            assertEquals(429, io.mipo.operator.api.ApiException.statusOf(e));
            assertEquals(1, e.retryAfterSeconds());
            // the other caller has its own bound
            assertTrue(g.review(TokenReviewGate.Caller.AGENT, "d", () -> true, b -> b));
            release.countDown();
            for (Future<Boolean> f : slow) {
                assertTrue(f.get(10, TimeUnit.SECONDS));
            }
            assertTrue(g.review(TokenReviewGate.Caller.FACADE, "c", () -> true, b -> b), "permits come back");
            assertEquals(1.0, g.count(TokenReviewGate.Caller.FACADE, TokenReviewGate.Result.THROTTLED));
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    private static boolean block(CountDownLatch inReview, CountDownLatch release) {
        inReview.countDown();
        try {
            return release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
