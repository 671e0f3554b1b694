package io.mipo.scanner.scan;

/**
 * Paces probes at a fixed rate: probe <i>i</i> is due at <i>origin + i / rate</i>.
 *
 * <p>Because every due time is computed from the origin rather than from the previous probe,
 * rounding and wake-up latency do not accumulate: a caller that is a little late catches up,
 * so the count over any window stays within one probe of {@code rate × window}. A caller
 * that falls far behind (a stall: GC, all connection slots busy, a suspended VM) does not get
 * the whole backlog at once: when it is more than {@link #maxLagNanos()} late, the schedule
 * restarts from "now minus maxLag", so a burst after a stall is at most
 * {@code maxLag × rate + 1} probes (≤ 101 by the default bound).
 *
 * <p>Pure and single-threaded: the caller passes the current time, so tests drive it with a
 * fake clock. A rate of 0 means unlimited.
 */
public final class ProbePacer {
    /** Largest lag that is caught up: 100 ms, and never more than 100 probe intervals. */
    static final long DEFAULT_MAX_LAG_NANOS = 100_000_000L;
    static final long MAX_LAG_INTERVALS = 100;
    /** Re-anchor the origin every so many probes so i × interval stays exact in a double. */
    private static final long REANCHOR_EVERY = 1L << 20;

    private final double rate;
    private final double intervalNanos;
    private final long maxLagNanos;
    private boolean started;
    private long origin;
    private long issued;

    public ProbePacer(double probesPerSecond) {
        this(probesPerSecond, defaultMaxLag(probesPerSecond));
    }

    public ProbePacer(double probesPerSecond, long maxLagNanos) {
        if (!(probesPerSecond >= 0) || Double.isInfinite(probesPerSecond)) {
            throw new IllegalArgumentException("rate must be a finite number ≥ 0, got " + probesPerSecond);
        }
        this.rate = probesPerSecond;
        this.intervalNanos = probesPerSecond == 0 ? 0 : 1e9 / probesPerSecond;
        this.maxLagNanos = Math.max(0, maxLagNanos);
    }

    private static long defaultMaxLag(double rate) {
        if (rate <= 0) {
            return 0;
        }
        return (long) Math.min(DEFAULT_MAX_LAG_NANOS, MAX_LAG_INTERVALS * 1e9 / rate);
    }

    public boolean unlimited() {
        return rate == 0;
    }

    public double rate() {
        return rate;
    }

    public long maxLagNanos() {
        return maxLagNanos;
    }

    /** Takes a permit if one is due at {@code now}; the first call starts the schedule. */
    public boolean tryAcquire(long now) {
        if (rate == 0) {
            return true;
        }
        if (!started) {
            started = true;
            origin = now;
            issued = 0;
        }
        long due = dueAt(issued);
        if (now - due < 0) {
            return false;
        }
        if (now - due > maxLagNanos) {
            // too far behind: forget the backlog beyond maxLag instead of bursting through it
            origin = now - maxLagNanos;
            issued = 0;
        }
        issued++;
        if (issued >= REANCHOR_EVERY) {
            origin = dueAt(issued);
            issued = 0;
        }
        return true;
    }

    /** Nanoseconds until the next permit is due; 0 when one is due now (or unlimited). */
    public long nanosUntilNext(long now) {
        if (rate == 0 || !started) {
            return 0;
        }
        return Math.max(0, dueAt(issued) - now);
    }

    private long dueAt(long i) {
        return origin + (long) (i * intervalNanos);
    }
}
