package io.mipo.scanner.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The pacer against a fake clock: every 10-second window holds the rate within ±3 %. */
class ProbePacerTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long TEN_SECONDS = 10 * SECOND;

    /** Probes a caller gets when it wakes exactly when told to. */
    private static long[] exactCaller(double rate, long durationNanos) {
        ProbePacer pacer = new ProbePacer(rate);
        long now = 1_000 * SECOND; // an arbitrary origin
        long end = now + durationNanos;
        long[] times = new long[(int) (rate * durationNanos / SECOND) + 16];
        int n = 0;
        while (now <= end) {
            if (pacer.tryAcquire(now)) {
                times[n++] = now;
            } else {
                now += Math.max(1, pacer.nanosUntilNext(now));
            }
        }
        return Arrays.copyOf(times, n);
    }

    /**
     * A caller like the scanner's selector loop: wakes on a coarse tick (1 ms), sometimes
     * late by a random extra (up to 3 ms), and takes every permit that is due.
     */
    private static long[] tickingCaller(double rate, long durationNanos, long seed) {
        ProbePacer pacer = new ProbePacer(rate);
        Random random = new Random(seed);
        long now = 0;
        long[] times = new long[(int) (rate * durationNanos / SECOND) + 1024];
        int n = 0;
        while (now <= durationNanos) {
            while (pacer.tryAcquire(now)) {
                times[n++] = now;
            }
            long wait = Math.max(1_000_000, pacer.nanosUntilNext(now));
            now += (wait + 999_999) / 1_000_000 * 1_000_000 + (random.nextInt(10) == 0 ? random.nextInt(3_000_000) : 0);
        }
        return Arrays.copyOf(times, n);
    }

    @ParameterizedTest(name = "{0} probes/s")
    @ValueSource(doubles = {0.5, 1, 10, 100, 1000, 10000})
    void everyTenSecondWindowHoldsTheRateWithinThreePercent(double rate) {
        long[] times = exactCaller(rate, 60 * SECOND);
        double deviation = RateWindows.worstDeviation(times, rate, TEN_SECONDS);
        assertTrue(deviation <= 0.03, "worst 10 s window deviates " + deviation * 100 + " % at " + rate + "/s");
        // a perfect caller gets the exact count, give or take one probe
        long[] mm = RateWindows.minMaxCount(times, TEN_SECONDS);
        assertTrue(mm[1] - mm[0] <= 1, "counts " + Arrays.toString(mm));
        assertEquals(rate * 60, times.length - 1, 1.0, "probes over 60 s");
    }

    @ParameterizedTest(name = "{0} probes/s")
    @ValueSource(doubles = {0.5, 1, 10, 100, 1000, 10000})
    void aLateCoarseCallerStillHoldsTheRate(double rate) {
        long[] times = tickingCaller(rate, 40 * SECOND, 42);
        long[] mm = RateWindows.minMaxCount(times, TEN_SECONDS);
        double expected = rate * 10;
        // Below ~3.4 probes/s, 3 % of a 10 s window is less than one probe: a probe that wakes a
        // millisecond late can slide across a window edge, so one probe either way is allowed there.
        double allowed = Math.max(0.03 * expected, 1);
        assertTrue(Math.abs(mm[0] - expected) <= allowed && Math.abs(mm[1] - expected) <= allowed,
                "10 s window counts " + Arrays.toString(mm) + ", expected " + expected + " ± " + allowed);
    }

    @Test
    void halfAProbePerSecondMeansOneEveryTwoSeconds() {
        long[] times = exactCaller(0.5, 20 * SECOND);
        assertEquals(11, times.length);
        for (int i = 1; i < times.length; i++) {
            assertEquals(2 * SECOND, times[i] - times[i - 1]);
        }
    }

    @Test
    void theFirstProbeGoesAtOnceAndTheScheduleDoesNotDrift() {
        ProbePacer pacer = new ProbePacer(3); // 333,333,333.33 ns apart: rounding would drift
        assertTrue(pacer.tryAcquire(0));
        assertFalse(pacer.tryAcquire(0));
        long now = 0;
        int count = 1;
        while (count < 3_000_001) {
            now += pacer.nanosUntilNext(now);
            assertTrue(pacer.tryAcquire(now));
            count++;
        }
        // probe 3,000,000 is due at exactly 1,000,000 s
        assertEquals(1_000_000 * SECOND, now, 5);
    }

    @Test
    void afterAStallTheBurstIsBounded() {
        ProbePacer pacer = new ProbePacer(1000);
        long now = 0;
        for (int i = 0; i < 1000; i++) {
            now += pacer.nanosUntilNext(now);
            assertTrue(pacer.tryAcquire(now));
        }
        now += 5 * SECOND; // the caller stalls for 5 s: 5000 probes "owed"
        int burst = 0;
        while (pacer.tryAcquire(now)) {
            burst++;
        }
        assertTrue(burst <= 101, "burst after a stall: " + burst);
        assertTrue(burst >= 1);
        // and then it is back to 1000/s
        long start = now;
        int n = 0;
        while (now < start + 10 * SECOND) {
            now += Math.max(1, pacer.nanosUntilNext(now));
            if (pacer.tryAcquire(now)) {
                n++;
            }
        }
        assertEquals(10_000, n, 101);
    }

    @Test
    void burstBoundAtLowRatesIsOneProbe() {
        ProbePacer pacer = new ProbePacer(1);
        assertTrue(pacer.tryAcquire(0));
        long now = 30 * SECOND;
        assertTrue(pacer.tryAcquire(now));
        assertFalse(pacer.tryAcquire(now));
        assertEquals(SECOND - pacer.maxLagNanos(), pacer.nanosUntilNext(now));
    }

    @Test
    void zeroMeansUnlimited() {
        ProbePacer pacer = new ProbePacer(0);
        assertTrue(pacer.unlimited());
        for (int i = 0; i < 100_000; i++) {
            assertTrue(pacer.tryAcquire(0));
        }
        assertEquals(0, pacer.nanosUntilNext(0));
    }

    @Test
    void badRatesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ProbePacer(-1));
        assertThrows(IllegalArgumentException.class, () -> new ProbePacer(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new ProbePacer(Double.POSITIVE_INFINITY));
    }

    @Test
    void windowMeasureCountsSlidingWindows() {
        long[] times = {0, 2 * SECOND, 4 * SECOND, 6 * SECOND, 8 * SECOND, 10 * SECOND, 12 * SECOND};
        assertEquals(5, RateWindows.minMaxCount(times, TEN_SECONDS)[0]);
        assertEquals(5, RateWindows.minMaxCount(times, TEN_SECONDS)[1]);
        long[] bursty = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, TEN_SECONDS, 2 * TEN_SECONDS};
        assertEquals(1, RateWindows.minMaxCount(bursty, TEN_SECONDS)[0]);
        assertEquals(10, RateWindows.minMaxCount(bursty, TEN_SECONDS)[1]);
    }
}
