package io.mipo.operator.liveness;

import io.mipo.operator.model.Phase;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Whether a phase change gets its own Event (WentOffline, BackOnline) or is counted in a summary
 * Event (docs/liveness.md, "Many scanners at once"). Per namespace and direction: while phase changes
 * are written as they come (none waits for its turn, no fleet-wide outage), the first {@code threshold}
 * changes within {@link #WINDOW_MILLIS} get their own Event; from the next one on, or from the first
 * one written while changes wait their turn, the changes form a <em>batch</em>, reported by one Event that is written when the batch starts and
 * updated at most every {@link #UPDATE_MILLIS} while it grows (its count is the number of scanners).
 * A batch ends when no change has joined it for {@link #WINDOW_MILLIS}. Pure logic on the caller's
 * clock; thread-safe.
 */
public final class EventBatches {
    public static final long WINDOW_MILLIS = 10_000;
    /** How often at most a growing batch's summary Event is rewritten. */
    public static final long UPDATE_MILLIS = 60_000;

    /** One namespace's changes to one phase. */
    public record Key(String namespace, Phase to) {
    }

    /** The first scanner of a batch, which its summary Event is about (an Event names one object of its namespace). */
    public record First(String name, String uid) {
    }

    /**
     * What a summary Event says now.
     *
     * @param individual changes of the window before the batch began that got their own Event
     * @param batched    changes in the batch (reported only here)
     */
    public record Summary(Key key, First first, String latest, long firstAt, long lastAt, int individual, int batched,
                          long startedAt) {
        public int total() {
            return individual + batched;
        }
    }

    private static final class Window {
        long start;
        int count;
    }

    private static final class Batch {
        First first;
        String latest;
        long firstAt;
        long lastAt;
        int individual;
        int batched;
        int reported;
        boolean reportedOnce;
        long lastReport;
    }

    private final int threshold;
    private final Map<Key, Window> windows = new HashMap<>();
    private final Map<Key, Batch> batches = new HashMap<>();

    public EventBatches(int threshold) {
        this.threshold = Math.max(0, threshold);
    }

    /**
     * A phase change is being written.
     *
     * @param busy whether phase changes wait for their turn (or Offline is slowed by an outage) now
     * @return true: write its own Event; false: it is counted in the batch's summary
     */
    public synchronized boolean record(Key key, First scanner, boolean busy, long now) {
        Batch b = batches.get(key);
        if (b != null) {
            b.batched++;
            b.lastAt = now;
            b.latest = scanner.name();
            return false;
        }
        Window w = windows.computeIfAbsent(key, k -> new Window());
        if (w.count == 0 || now - w.start >= WINDOW_MILLIS) {
            w.start = now;
            w.count = 0;
        }
        if (!busy && w.count < threshold) {
            w.count++;
            return true;
        }
        b = new Batch();
        b.first = scanner;
        b.latest = scanner.name();
        b.firstAt = now;
        b.lastAt = now;
        b.individual = w.count;
        b.batched = 1;
        batches.put(key, b);
        return false;
    }

    /**
     * The summaries to write now: a batch's first, then one every {@link #UPDATE_MILLIS} while it
     * grows, and its last when it ends (ended batches are forgotten).
     */
    public synchronized List<Summary> due(long now) {
        List<Summary> out = new ArrayList<>();
        Iterator<Map.Entry<Key, Batch>> it = batches.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Batch> e = it.next();
            Batch b = e.getValue();
            boolean ended = now - b.lastAt >= WINDOW_MILLIS;
            if (b.batched > b.reported && (ended || !b.reportedOnce || now - b.lastReport >= UPDATE_MILLIS)) {
                b.reportedOnce = true;
                b.reported = b.batched;
                b.lastReport = now;
                out.add(new Summary(e.getKey(), b.first, b.latest, b.firstAt, b.lastAt, b.individual, b.batched, b.firstAt));
            }
            if (ended) {
                it.remove();
                windows.remove(e.getKey());
            }
        }
        windows.values().removeIf(w -> now - w.start >= WINDOW_MILLIS);
        return out;
    }

    /** Batches not ended yet. */
    public synchronized int open() {
        return batches.size();
    }
}
