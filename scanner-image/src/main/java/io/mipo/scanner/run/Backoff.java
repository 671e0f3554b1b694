package io.mipo.scanner.run;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential back-off, doubling from {@code initial} up to {@code max}, each delay jittered by ±10 %. */
final class Backoff {
    private final long initialNanos;
    private final long maxNanos;
    private long current;

    Backoff(Duration initial, Duration max) {
        this.initialNanos = initial.toNanos();
        this.maxNanos = Math.max(initialNanos, max.toNanos());
        this.current = initialNanos;
    }

    Duration next() {
        long d = current;
        current = Math.min(maxNanos, current * 2);
        return jitter(Duration.ofNanos(d));
    }

    void reset() {
        current = initialNanos;
    }

    /** ±10 %, so a fleet restarted together does not heartbeat in lock-step. */
    static Duration jitter(Duration d) {
        double f = 0.9 + 0.2 * ThreadLocalRandom.current().nextDouble();
        return Duration.ofNanos((long) (d.toNanos() * f));
    }
}
