package io.mipo.scanner.run;

import io.mipo.scanner.util.Clock;
import java.time.Duration;

/**
 * When a refused API key (401) counts as final. A key can be refused for a moment without being
 * revoked: the operator replica that answered may not have seen a fresh registration yet, or a
 * regeneration failed half-way. So a 401 is final only after every call for {@link #GRACE} was
 * refused; any accepted heartbeat in between starts over. Time comes from an injectable monotonic
 * clock, so the rule is tested without waiting two minutes.
 */
final class UnauthorizedGrace {
    static final Duration GRACE = Duration.ofMinutes(2);
    /** Retries while refused come at least this often, so that a transient refusal costs little. */
    static final Duration MAX_RETRY = Duration.ofSeconds(15);

    private final Clock clock;
    private long refusedSince = -1;

    UnauthorizedGrace(Clock clock) {
        this.clock = clock;
    }

    /** A call was refused with 401; true when the refusals have lasted {@link #GRACE} (give up). */
    boolean refused() {
        long now = clock.nanoTime();
        if (refusedSince < 0) {
            refusedSince = now;
        }
        return now - refusedSince >= GRACE.toNanos();
    }

    boolean refusing() {
        return refusedSince >= 0;
    }

    /** How long the key has been refused so far. */
    Duration refusedFor() {
        return refusedSince < 0 ? Duration.ZERO : Duration.ofNanos(clock.nanoTime() - refusedSince);
    }

    /** A call with the key was accepted. */
    void accepted() {
        refusedSince = -1;
    }

    static Duration retryDelay(Duration backoff) {
        return backoff.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : backoff;
    }
}
