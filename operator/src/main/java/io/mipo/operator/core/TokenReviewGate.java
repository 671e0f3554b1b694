package io.mipo.operator.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mipo.operator.core.RetryLater;
import io.mipo.operator.config.MipoConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * What stands between an unauthenticated caller and a TokenReview, so that a flood of made-up
 * tokens costs the API server (and the operator's worker threads) nothing:
 * <ol>
 * <li>a shape check: a JWT of at most {@value #MAX_TOKEN_LENGTH} characters whose claims name an
 *     expected audience and an expiry in the future (decided from memory; signatures are the API
 *     server's business);</li>
 * <li>a negative cache: a token the API server refused is refused again from memory, by its
 *     SHA-256, for {@code mipo.auth.negative-cache-ttl} (size-bounded, least recently used go first);</li>
 * <li>a bound on TokenReviews in flight per caller ({@code mipo.auth.max-token-reviews-in-flight}):
 *     beyond it the call is answered 429 with {@code Retry-After} at once, never queued.</li>
 * </ol>
 * Every outcome is counted in {@code mipo_token_reviews_total{caller,result}}: the API server saw a
 * review for {@code authenticated}, {@code unauthenticated} and {@code error}; it saw none for
 * {@code malformed}, {@code cached} and {@code throttled}.
 */
@ApplicationScoped
@io.quarkus.runtime.Startup
public class TokenReviewGate {
    public static final int MAX_TOKEN_LENGTH = 8192;
    static final String METRIC = "mipo.token.reviews";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Who asks for the review. */
    public enum Caller {
        /** An in-cluster scanner's ServiceAccount token at /scanner/register. */
        AGENT,
        /** A bearer token of the REST facade. */
        FACADE;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What happened to a token. */
    public enum Result {
        AUTHENTICATED, UNAUTHENTICATED, ERROR, MALFORMED, CACHED, THROTTLED;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Map<Caller, Semaphore> inFlight = new EnumMap<>(Caller.class);
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Cache<String, Boolean> refused;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Set<String> facadeAudiences;
    private final boolean opaqueAllowed;

    @Inject
    public TokenReviewGate(MipoConfig config, MeterRegistry registry) {
        this(config.auth().maxTokenReviewsInFlight(), config.auth().negativeCacheTtl(), config.auth().negativeCacheSize(),
                Set.copyOf(config.auth().audiences().orElse(java.util.List.of())), config.auth().allowOpaqueTokens(),
                registry, Clock.systemUTC(), Ticker.systemTicker());
    }

    TokenReviewGate(int maxInFlight, Duration negativeTtl, int negativeSize, Set<String> facadeAudiences, boolean opaqueAllowed,
                    MeterRegistry registry, Clock clock, Ticker ticker) {
        for (Caller c : Caller.values()) {
            inFlight.put(c, new Semaphore(Math.max(1, maxInFlight)));
        }
        this.refused = Caffeine.newBuilder()
                .maximumSize(Math.max(1, negativeSize))
                .expireAfterWrite(negativeTtl.isNegative() || negativeTtl.isZero() ? Duration.ofNanos(1) : negativeTtl)
                .ticker(ticker)
                .build();
        this.registry = registry;
        this.clock = clock;
        this.facadeAudiences = facadeAudiences;
        this.opaqueAllowed = opaqueAllowed;
        for (Caller c : Caller.values()) {
            for (Result r : Result.values()) {
                counter(c, r); // present from the start, so that rates can be computed
            }
        }
    }

    /** A gate that lets every token through to the review (no shape check, high bound); for unit tests of the review caches. */
    public static TokenReviewGate permissive(Clock clock) {
        return new TokenReviewGate(1000, Duration.ofMinutes(5), 10_000, Set.of(), true, new SimpleMeterRegistry(), clock, Ticker.systemTicker());
    }

    /**
     * Why the token cannot be one the API server would accept for this caller, decided from memory;
     * empty when it is worth a review. Never says anything about the token's content.
     */
    public Optional<String> shapeProblem(Caller caller, String token, Set<String> audiences) {
        if (token == null || token.isEmpty()) {
            return Optional.of("empty");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            return Optional.of("longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
            return caller == Caller.FACADE && opaqueAllowed ? Optional.empty() : Optional.of("not a JWT");
        }
        JsonNode header;
        JsonNode claims;
        try {
            header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
            claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException | java.io.IOException e) {
            return Optional.of("not a JWT");
        }
        if (header == null || !header.isObject() || !header.path("alg").isTextual() || "none".equalsIgnoreCase(header.path("alg").asText())) {
            return Optional.of("not a signed JWT");
        }
        if (claims == null || !claims.isObject()) {
            return Optional.of("not a JWT");
        }
        JsonNode exp = claims.path("exp");
        if (!exp.isNumber()) {
            return Optional.of("no expiry");
        }
        if (exp.asLong() <= clock.instant().getEpochSecond()) {
            return Optional.of("expired");
        }
        if (!audiences.isEmpty()) {
            JsonNode aud = claims.path("aud");
            boolean named = aud.isTextual() ? audiences.contains(aud.asText())
                    : aud.isArray() && java.util.stream.StreamSupport.stream(aud.spliterator(), false)
                    .anyMatch(a -> a.isTextual() && audiences.contains(a.asText()));
            if (!named) {
                return Optional.of("not for this audience");
            }
        }
        return Optional.empty();
    }

    /** The audiences a facade token must name one of (empty: any). */
    public Set<String> facadeAudiences() {
        return facadeAudiences;
    }

    /**
     * Whether the token can be refused without asking the API server (bad shape, or refused
     * before); counts the refusal.
     */
    public boolean refusedFromMemory(Caller caller, String token, String tokenDigest, Set<String> audiences) {
        if (shapeProblem(caller, token, audiences).isPresent()) {
            counter(caller, Result.MALFORMED).increment();
            return true;
        }
        if (refused.getIfPresent(tokenDigest) != null) {
            counter(caller, Result.CACHED).increment();
            return true;
        }
        return false;
    }

    /**
     * Runs one TokenReview within the caller's bound. The review returns whether the API server
     * authenticated the token; an unauthenticated token is remembered as refused.
     *
     * @throws RetryLater 429 when the caller's reviews in flight are at the bound
     */
    public <T> T review(Caller caller, String tokenDigest, Supplier<T> review, java.util.function.Predicate<T> authenticated) {
        Semaphore permits = inFlight.get(caller);
        if (!permits.tryAcquire()) {
            counter(caller, Result.THROTTLED).increment();
            throw new RetryLater("TOO_MANY_TOKEN_REVIEWS",
                    "too many token reviews are in progress; try again in a second", 1);
        }
        try {
            T answer = review.get();
            if (authenticated.test(answer)) {
                counter(caller, Result.AUTHENTICATED).increment();
            } else {
                refused.put(tokenDigest, Boolean.TRUE);
                counter(caller, Result.UNAUTHENTICATED).increment();
            }
            return answer;
        } catch (RuntimeException e) {
            counter(caller, Result.ERROR).increment();
            throw e;
        } finally {
            permits.release();
        }
    }

    /** Remembers a token as refused (e.g. authenticated, but not for anything it may do here). */
    public void refuse(String tokenDigest) {
        refused.put(tokenDigest, Boolean.TRUE);
    }

    long remembered() {
        refused.cleanUp();
        return refused.estimatedSize();
    }

    double count(Caller caller, Result result) {
        return counter(caller, result).count();
    }

    private Counter counter(Caller caller, Result result) {
        return counters.computeIfAbsent(caller.tag() + "/" + result.tag(), k -> Counter.builder(METRIC)
                .description("Bearer and ServiceAccount tokens by caller and outcome; authenticated, unauthenticated and error "
                        + "are TokenReviews the API server answered, the others cost none")
                .tag("caller", caller.tag()).tag("result", result.tag()).register(registry));
    }
}
