package io.mipo.scanner.scan;

import java.util.Arrays;

/**
 * Measures how evenly events (probe launch times, in nanoseconds) are spread: for every
 * window of a given length that lies inside the run, how many events fall in it. Windows
 * starting exactly at an event and just after an event are both checked, which covers the
 * extreme counts of all sliding windows.
 */
public final class RateWindows {
    private RateWindows() {
    }

    /** Smallest and largest count over all windows of {@code windowNanos} inside [first, last]. */
    public static long[] minMaxCount(long[] times, long windowNanos) {
        long[] t = times.clone();
        Arrays.sort(t);
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        if (t.length == 0) {
            return new long[] {0, 0};
        }
        long end = t[t.length - 1];
        int j = 0; // first index with t[j] >= t[i] + W   (window [t_i, t_i + W))
        int k = 0; // first index with t[k] >  t[i] + W   (window (t_i, t_i + W])
        for (int i = 0; i < t.length; i++) {
            long stop = t[i] + windowNanos;
            if (stop > end) {
                break;
            }
            while (j < t.length && t[j] < stop) {
                j++;
            }
            while (k < t.length && t[k] <= stop) {
                k++;
            }
            int firstAfter = i;
            while (firstAfter < t.length && t[firstAfter] == t[i]) {
                firstAfter++;
            }
            long closedOpen = j - i;
            long openClosed = k - firstAfter;
            min = Math.min(min, Math.min(closedOpen, openClosed));
            max = Math.max(max, Math.max(closedOpen, openClosed));
        }
        if (min == Long.MAX_VALUE) {
            return new long[] {0, 0};
        }
        return new long[] {min, max};
    }

    /** Worst relative deviation from {@code rate × window} over all windows, e.g. 0.012 = 1.2 %. */
    public static double worstDeviation(long[] times, double rate, long windowNanos) {
        long[] mm = minMaxCount(times, windowNanos);
        double expected = rate * windowNanos / 1e9;
        return Math.max(Math.abs(mm[0] - expected), Math.abs(mm[1] - expected)) / expected;
    }
}
