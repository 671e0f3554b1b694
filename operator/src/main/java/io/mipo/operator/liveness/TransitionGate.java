package io.mipo.operator.liveness;

import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.model.Phase;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which phase changes (Active to Offline, Offline to Active) of Scanner status may be written now,
 * when many scanners change at once (docs/liveness.md, "Many scanners at once"). Pure logic on the
 * caller's clock; thread-safe.
 *
 * <ul>
 * <li>A token bucket ({@code rate} a second, {@code burst} at once) pays for every phase change
 *     written; a few at a time go through at once, as before.</li>
 * <li>Beyond it, changes wait in two queues, first come first served: scanners coming back
 *     (Offline to Active) always before scanners going Offline.</li>
 * <li>During a fleet-wide outage ({@link #assess}: more scanners than the burst, and at least
 *     {@code outageThreshold} of those shown Active, have missed their heartbeats at once) an Offline change also needs
 *     a token of a second, slower bucket ({@code outageOfflineRate} a second): the fault is more likely
 *     between the scanners and the operator than in the scanners, and if it clears, the scanners not
 *     marked yet cost no write at all.</li>
 * </ul>
 *
 * <p>A change admitted from a queue is a <em>grant</em>: the caller asks the reconciler to look at
 * the scanner, and the reconciler {@link #claim claims} it. A change the reconciler finds by itself
 * is admitted at once only when no change of the same or a higher priority waits before it.
 */
public final class TransitionGate {

    private record Grant(Phase to, long at) {
    }

    private final Bucket bucket;
    private final Bucket outageBucket;
    private final int burst;
    private final double outageThreshold;
    private final long grantTtlMillis;
    private final LinkedHashMap<ScannerRef, Long> recoveries = new LinkedHashMap<>();
    private final LinkedHashMap<ScannerRef, Long> offlines = new LinkedHashMap<>();
    private final Map<ScannerRef, Grant> grants = new LinkedHashMap<>();
    private boolean outage;

    /**
     * @param grantTtlMillis how long a grant waits for its reconciliation; after that the token is
     *                       lost and the scanner must be offered again (the sweeper does so)
     */
    public TransitionGate(double rate, int burst, double outageThreshold, double outageOfflineRate,
                          long grantTtlMillis, long nowMillis) {
        if (!(rate > 0) || burst < 1 || !(outageOfflineRate > 0) || !(outageThreshold > 0 && outageThreshold <= 1)) {
            throw new IllegalArgumentException("transition-rate and outage-offline-rate must be > 0, transition-burst >= 1, "
                    + "outage-threshold in (0, 1]: " + rate + ", " + burst + ", " + outageOfflineRate + ", " + outageThreshold);
        }
        this.bucket = new Bucket(rate, burst, nowMillis);
        this.outageBucket = new Bucket(outageOfflineRate, Math.max(1, (int) Math.ceil(outageOfflineRate)), nowMillis);
        this.burst = burst;
        this.outageThreshold = outageThreshold;
        this.grantTtlMillis = grantTtlMillis;
    }

    /**
     * The sweeper saw that the scanner's status should change to {@code to}.
     *
     * @return true when the change is admitted now: the caller asks the reconciler to look at the scanner
     */
    public synchronized boolean offer(ScannerRef ref, Phase to, long now) {
        Grant g = grants.get(ref);
        if (g != null) {
            if (g.to() == to && now - g.at() < grantTtlMillis) {
                return false; // already admitted; its reconciliation is on its way
            }
            grants.remove(ref);
        }
        if (queue(to).containsKey(ref)) {
            return false;
        }
        queue(other(to)).remove(ref);
        if (nothingAhead(to) && take(to, now)) {
            grants.put(ref, new Grant(to, now));
            return true;
        }
        queue(to).put(ref, now);
        return false;
    }

    /**
     * The reconciler would write the phase change to {@code to} now.
     *
     * @return true: write it (it has been paid for); false: keep the phase shown, the change waits
     *         in the queue and the reconciler is asked again when its turn comes
     */
    public synchronized boolean claim(ScannerRef ref, Phase to, long now) {
        Grant g = grants.remove(ref);
        if (g != null && g.to() == to) {
            return true;
        }
        if (queue(to).containsKey(ref)) {
            return false;
        }
        queue(other(to)).remove(ref);
        if (nothingAhead(to) && take(to, now)) {
            return true;
        }
        queue(to).put(ref, now);
        return false;
    }

    /** The scanner's status agrees with its heartbeats again (or it is gone): nothing to write. */
    public synchronized void cancel(ScannerRef ref) {
        if (!recoveries.isEmpty()) {
            recoveries.remove(ref);
        }
        if (!offlines.isEmpty()) {
            offlines.remove(ref);
        }
        if (!grants.isEmpty()) {
            grants.remove(ref);
        }
    }

    /**
     * The fleet-wide outage detector, once per sweep.
     *
     * @param shownActive scanners whose status says Active (enabled, registered)
     * @param overdue     how many of them have missed two heartbeats (or are silent past offline-after)
     * @return whether Offline changes are slowed down now
     */
    public synchronized boolean assess(int shownActive, int overdue) {
        outage = overdue > burst && overdue >= outageThreshold * shownActive;
        return outage;
    }

    public synchronized boolean outage() {
        return outage;
    }

    /** Admits waiting changes as far as the tokens go, recoveries first; returns the scanners to reconcile. */
    public synchronized List<ScannerRef> drain(long now) {
        if (!grants.isEmpty()) {
            grants.values().removeIf(g -> now - g.at() >= grantTtlMillis);
        }
        List<ScannerRef> admitted = new ArrayList<>();
        admit(recoveries, Phase.Active, now, admitted);
        if (recoveries.isEmpty()) {
            admit(offlines, Phase.Offline, now, admitted);
        }
        return admitted;
    }

    /** Changes waiting for their turn, to {@code to}. */
    public synchronized int pending(Phase to) {
        return queue(to).size();
    }

    /** When the change to {@code to} waiting longest was first offered; -1 when none waits. */
    public synchronized long oldestPending(Phase to) {
        Iterator<Long> it = queue(to).values().iterator();
        return it.hasNext() ? it.next() : -1;
    }

    private void admit(LinkedHashMap<ScannerRef, Long> queue, Phase to, long now, List<ScannerRef> admitted) {
        Iterator<ScannerRef> it = queue.keySet().iterator();
        while (it.hasNext()) {
            if (!take(to, now)) {
                return;
            }
            ScannerRef ref = it.next();
            it.remove();
            grants.put(ref, new Grant(to, now));
            admitted.add(ref);
        }
    }

    private boolean nothingAhead(Phase to) {
        return recoveries.isEmpty() && (to == Phase.Active || offlines.isEmpty());
    }

    private boolean take(Phase to, long now) {
        bucket.refill(now);
        if (to == Phase.Offline && outage) {
            outageBucket.refill(now);
            if (bucket.tokens >= 1 && outageBucket.tokens >= 1) {
                bucket.tokens -= 1;
                outageBucket.tokens -= 1;
                return true;
            }
            return false;
        }
        if (bucket.tokens >= 1) {
            bucket.tokens -= 1;
            return true;
        }
        return false;
    }

    private LinkedHashMap<ScannerRef, Long> queue(Phase to) {
        if (to == Phase.Active) {
            return recoveries;
        }
        if (to == Phase.Offline) {
            return offlines;
        }
        throw new IllegalArgumentException("only Active and Offline changes are gated: " + to);
    }

    private static Phase other(Phase to) {
        return to == Phase.Active ? Phase.Offline : Phase.Active;
    }

    /** A token bucket: {@code perSecond} tokens a second, at most {@code capacity}; starts full. */
    private static final class Bucket {
        private final double perMilli;
        private final double capacity;
        private double tokens;
        private long last;

        Bucket(double perSecond, int capacity, long now) {
            this.perMilli = perSecond / 1000.0;
            this.capacity = capacity;
            this.tokens = capacity;
            this.last = now;
        }

        void refill(long now) {
            if (now > last) {
                tokens = Math.min(capacity, tokens + (now - last) * perMilli);
                last = now;
            }
        }
    }
}
