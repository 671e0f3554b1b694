package io.mipo.operator.liveness;

import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.model.Phase;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 10,000 scanners go silent at once (an ingress outage) and come back, on a simulated clock with the
 * default settings: the sweeper, the reconciler's phase decision and the liveness thread's tick
 * follow {@link Liveness#sweep}, {@link LivenessStatusContributor} and {@link Transitions#tick} step by
 * step, using the real {@link TransitionGate}, {@link EventBatches} and {@link LivenessRules}.
 */
class FleetTransitionsTest {
    static final int N = 10_000;
    static final int NAMESPACES = 10;
    static final double RATE = 50;
    static final int BURST = 100;
    static final double OUTAGE_RATE = 10;
    static final int EVENT_THRESHOLD = 10;
    static final long HEARTBEAT = 30_000;
    static final long OFFLINE_AFTER = 120_000;
    static final long SWEEP = 5_000;
    static final long TICK = 1_000;
    static final long STEP = 100;

    /** One simulated fleet: what each scanner did, what status says, and everything written. */
    static final class Fleet {
        final ScannerRef[] refs = new ScannerRef[N];
        final Map<ScannerRef, Integer> index = new HashMap<>();
        final long[] lastSeen = new long[N];
        final Phase[] status = new Phase[N];
        final boolean[] reachable = new boolean[N];
        final TransitionGate gate;
        final EventBatches events = new EventBatches(EVENT_THRESHOLD);
        long now;
        /** Every status phase write: {time, 0 = Offline / 1 = Active, recoveries pending at that moment}. */
        final List<long[]> writes = new ArrayList<>();
        final Map<Phase, Integer> ownEvents = new HashMap<>();
        /** Summary Event objects (namespace, direction, start) and how often each was written, and its last count. */
        final Map<String, Integer> summaryWrites = new HashMap<>();
        final Map<String, Integer> summaryCount = new HashMap<>();
        final Map<String, Integer> summaryBatched = new HashMap<>();
        int maxPending;
        final List<Boolean> outageAtWrite = new ArrayList<>();

        Fleet() {
            gate = new TransitionGate(RATE, BURST, 0.55, OUTAGE_RATE, 2 * OFFLINE_AFTER, 0);
            for (int i = 0; i < N; i++) {
                refs[i] = new ScannerRef("ns-" + (i % NAMESPACES), "scanner-" + i);
                index.put(refs[i], i);
                status[i] = Phase.Active;
                reachable[i] = true;
            }
        }

        /** Heartbeats every 30 s, each scanner at its own offset; then the sweeper and the tick when due. */
        void step() {
            now += STEP;
            long slot = (now / STEP) % (HEARTBEAT / STEP);
            for (int i = (int) slot; i < N; i += (int) (HEARTBEAT / STEP)) {
                if (reachable[i]) {
                    heartbeat(i);
                }
            }
            if (now % SWEEP == 0) {
                sweep();
            }
            if (now % TICK == 0) {
                tick();
            }
            maxPending = Math.max(maxPending, pending());
        }

        int pending() {
            return gate.pending(Phase.Active) + gate.pending(Phase.Offline);
        }

        /** Liveness#heartbeat: a scanner shown Offline is offered back at once. */
        void heartbeat(int i) {
            lastSeen[i] = now;
            if (status[i] == Phase.Offline && gate.offer(refs[i], Phase.Active, now)) {
                reconcile(i);
            }
        }

        /** Liveness#sweep. */
        void sweep() {
            List<Integer> back = new ArrayList<>();
            List<Integer> off = new ArrayList<>();
            int shownActive = 0;
            int overdue = 0;
            for (int i = 0; i < N; i++) {
                boolean silent = lastSeen[i] + OFFLINE_AFTER < now;
                if (status[i] == Phase.Active) {
                    shownActive++;
                    if (lastSeen[i] + Math.min(2 * HEARTBEAT, OFFLINE_AFTER) < now) {
                        overdue++;
                    }
                }
                if (status[i] == Phase.Active && silent) {
                    off.add(i);
                } else if (status[i] == Phase.Offline && !silent) {
                    back.add(i);
                } else {
                    gate.cancel(refs[i]);
                }
            }
            gate.assess(shownActive, overdue);
            for (int i : back) {
                if (gate.offer(refs[i], Phase.Active, now)) {
                    reconcile(i);
                }
            }
            for (int i : off) {
                if (gate.offer(refs[i], Phase.Offline, now)) {
                    reconcile(i);
                }
            }
        }

        /** Transitions#tick. */
        void tick() {
            for (ScannerRef r : gate.drain(now)) {
                reconcile(index.get(r));
            }
            for (EventBatches.Summary s : events.due(now)) {
                String id = s.key() + "@" + s.startedAt();
                summaryWrites.merge(id, 1, Integer::sum);
                summaryCount.put(id, s.total());
                summaryBatched.put(id, s.batched());
            }
        }

        /** The liveness part of the Scanner reconciler: the phase from the heartbeats, written when the gate admits it. */
        void reconcile(int i) {
            LivenessRules.Verdict v = LivenessRules.phase(Instant.EPOCH, Instant.ofEpochMilli(lastSeen[i]), Instant.ofEpochMilli(now),
                    Duration.ofMillis(OFFLINE_AFTER), null, status[i]);
            if (v.phase() == status[i] || !gate.claim(refs[i], v.phase(), now)) {
                return;
            }
            status[i] = v.phase();
            writes.add(new long[]{now, v.phase() == Phase.Active ? 1 : 0, gate.pending(Phase.Active)});
            outageAtWrite.add(gate.outage());
            boolean busy = pending() > 0 || gate.outage();
            if (events.record(new EventBatches.Key(refs[i].namespace(), v.phase()), new EventBatches.First(refs[i].name(), "uid-" + i), busy, now)) {
                ownEvents.merge(v.phase(), 1, Integer::sum);
            }
        }

        int count(Phase p) {
            int n = 0;
            for (Phase s : status) {
                if (s == p) {
                    n++;
                }
            }
            return n;
        }

        /** Whether every scanner's status says what its heartbeats say. */
        boolean agrees() {
            for (int i = 0; i < N; i++) {
                Phase truth = lastSeen[i] + OFFLINE_AFTER >= now ? Phase.Active : Phase.Offline;
                if (status[i] != truth) {
                    return false;
                }
            }
            return true;
        }

        /**
         * Runs until status agrees with the heartbeats (checked from {@code from} on, once what the heartbeats
         * say has settled) or {@code until}; returns when it agreed, -1 if it did not.
         */
        long runUntilAgreed(long from, long until) {
            while (now < until) {
                step();
                if (now >= from && now % SWEEP == 0 && pending() == 0 && agrees()) {
                    return now;
                }
            }
            return -1;
        }

        /** Most writes in any window of {@code window} ms. */
        int maxWritesIn(long window, long from) {
            int max = 0;
            int lo = 0;
            for (int hi = 0; hi < writes.size(); hi++) {
                if (writes.get(hi)[0] < from) {
                    lo = hi + 1;
                    continue;
                }
                while (writes.get(hi)[0] - writes.get(lo)[0] >= window) {
                    lo++;
                }
                max = Math.max(max, hi - lo + 1);
            }
            return max;
        }

        void run(long until) {
            while (now < until) {
                step();
            }
        }
    }

    @Test
    void tenThousandGoSilentAtOnceAndComeBack() {
        Fleet f = new Fleet();
        f.run(60_000); // settled: every scanner heartbeated twice
        assertEquals(N, f.count(Phase.Active));
        assertTrue(f.writes.isEmpty(), "writes in a settled fleet: " + f.writes.size());

        // The ingress fails: nothing arrives any more.
        long down = f.now;
        java.util.Arrays.fill(f.reachable, false);
        // Everything is Offline in the end, no later than: the last deadline (offline-after after the last heartbeat,
        // which came less than 30 s before the outage), one sweep, then N Offline writes at outage-offline-rate
        // (the last BURST of them at transition-rate, once fewer than BURST remain), one tick to spare.
        long bound = down + OFFLINE_AFTER + SWEEP + (long) Math.ceil((N - BURST) / OUTAGE_RATE * 1000 + BURST / RATE * 1000) + TICK;
        long agreed = f.runUntilAgreed(down + OFFLINE_AFTER + HEARTBEAT, bound + 60_000);
        assertTrue(agreed > 0 && agreed <= bound, "all Offline at " + (agreed - down) + " ms after the outage began; bound "
                + (bound - down) + " ms; Offline now " + f.count(Phase.Offline));
        assertEquals(N, f.count(Phase.Offline));
        // The rate: a token bucket never pays for more than the burst plus the rate over any window.
        for (long w : new long[]{1_000, 10_000, 60_000}) {
            int max = f.maxWritesIn(w, 0);
            assertTrue(max <= BURST + RATE * w / 1000, "at most " + (BURST + RATE * w / 1000) + " writes in " + w + " ms, saw " + max);
        }
        // The outage was seen before the first deadline passed: every Offline was written at the outage rate
        // (but the last BURST, written when fewer than BURST were left) — none at the full rate before the outage was detected.
        long slowed = f.outageAtWrite.stream().filter(b -> b).count();
        assertTrue(slowed >= N - BURST - 1, "Offline writes during the outage: " + slowed);
        int maxOutageWrites = 0;
        List<long[]> outageWrites = new ArrayList<>();
        for (int k = 0; k < f.writes.size(); k++) {
            if (f.outageAtWrite.get(k)) {
                outageWrites.add(f.writes.get(k));
            }
        }
        for (int lo = 0, hi = 0; hi < outageWrites.size(); hi++) {
            while (outageWrites.get(hi)[0] - outageWrites.get(lo)[0] >= 10_000) {
                lo++;
            }
            maxOutageWrites = Math.max(maxOutageWrites, hi - lo + 1);
        }
        assertTrue(maxOutageWrites <= Math.ceil(OUTAGE_RATE) + OUTAGE_RATE * 10, "Offline writes in 10 s during the outage: " + maxOutageWrites);
        assertTrue(f.maxPending >= N * 9 / 10, "the backlog went up: max " + f.maxPending);
        assertEquals(0, f.pending(), "the backlog drained");
        // Events: no per-scanner WentOffline (the outage was known before the first); one summary per namespace, counting all its scanners.
        f.run(f.now + 2 * EventBatches.WINDOW_MILLIS);
        assertEquals(0, f.ownEvents.getOrDefault(Phase.Offline, 0), "per-scanner WentOffline Events");
        assertEquals(NAMESPACES, f.summaryCount.size(), "summary Events: " + f.summaryCount);
        f.summaryCount.values().forEach(c -> assertEquals(N / NAMESPACES, c, "scanners in a summary: " + f.summaryCount));
        int summaryWrites = f.summaryWrites.values().stream().mapToInt(Integer::intValue).sum();
        long minutes = (f.now - down) / 60_000 + 1;
        assertTrue(summaryWrites <= NAMESPACES * (minutes + 2), "summary Event writes: " + summaryWrites + " in " + minutes + " min");
        int offlineWrites = f.writes.size();
        System.out.printf("outage of %d: all Offline %d s after it began, %d writes, backlog at most %d, %d summary Event writes%n",
                N, (agreed - down) / 1000, offlineWrites, f.maxPending, summaryWrites);

        // The ingress is back for 8,000 of them; 2,000 hosts are really gone. Recoveries first; the 2,000 stay Offline (no write).
        Set<Integer> gone = new HashSet<>();
        for (int i = 0; i < N; i++) {
            f.reachable[i] = i % 5 != 0;
            if (!f.reachable[i]) {
                gone.add(i);
            }
        }
        long back = f.now;
        f.summaryCount.clear();
        f.summaryBatched.clear();
        bound = back + HEARTBEAT + SWEEP + (long) Math.ceil((8_000 - BURST) / RATE * 1000) + TICK;
        agreed = f.runUntilAgreed(back + HEARTBEAT, bound + 60_000);
        assertTrue(agreed > 0 && agreed <= bound, "status agreed at " + (agreed - back) + " ms after the recovery began; bound " + (bound - back));
        assertEquals(8_000, f.count(Phase.Active));
        for (int i : gone) {
            assertEquals(Phase.Offline, f.status[i]);
        }
        assertEquals(8_000, f.writes.size() - offlineWrites, "one write per scanner that came back");
        for (long w : new long[]{1_000, 10_000, 60_000}) {
            int max = f.maxWritesIn(w, back);
            assertTrue(max <= BURST + RATE * w / 1000, "at most " + (BURST + RATE * w / 1000) + " writes in " + w + " ms, saw " + max);
        }
        System.out.printf("recovery of 8,000: status agreed %d s after it began, %d writes%n", (agreed - back) / 1000,
                f.writes.size() - offlineWrites);
        f.run(f.now + 2 * EventBatches.WINDOW_MILLIS);
        int ownBack = f.ownEvents.getOrDefault(Phase.Active, 0);
        assertTrue(ownBack <= NAMESPACES * EVENT_THRESHOLD, "per-scanner BackOnline Events: " + ownBack);
        assertTrue(f.summaryCount.size() <= 2 * NAMESPACES, "summary Events: " + f.summaryCount);
        int batched = f.summaryBatched.values().stream().mapToInt(Integer::intValue).sum();
        assertEquals(8_000, ownBack + batched, "every scanner that came back is in an Event: " + ownBack + " of their own, "
                + f.summaryBatched + " in summaries");
    }

    @Test
    void recoveriesAreWrittenBeforeAnyOtherScannerGoesOffline() {
        Fleet f = new Fleet();
        f.run(60_000);
        // Half the fleet goes silent; once some are Offline and more wait, the first silent half comes back while
        // the other half goes silent in turn.
        for (int i = 0; i < N; i += 2) {
            f.reachable[i] = false;
        }
        f.run(f.now + OFFLINE_AFTER + 30_000);
        int offline = f.count(Phase.Offline);
        assertTrue(offline > BURST && f.gate.pending(Phase.Offline) > 0, "some Offline (" + offline + "), more waiting");
        long switchAt = f.now;
        for (int i = 0; i < N; i++) {
            f.reachable[i] = i % 2 == 1 ? false : true;
        }
        long agreed = f.runUntilAgreed(f.now + OFFLINE_AFTER + HEARTBEAT, f.now + 4 * OFFLINE_AFTER + N / 2 * 1000L / (long) OUTAGE_RATE);
        assertTrue(agreed > 0, "status agrees with the heartbeats in the end");
        // From the switch on: no Offline write while a recovery waits.
        int offlineWhileRecoveryWaits = 0;
        int recoveries = 0;
        for (long[] w : f.writes) {
            if (w[0] >= switchAt) {
                if (w[1] == 0 && w[2] > 0) {
                    offlineWhileRecoveryWaits++;
                }
                if (w[1] == 1) {
                    recoveries++;
                }
            }
        }
        assertEquals(offline, recoveries, "each scanner marked Offline came back with one write");
        assertEquals(0, offlineWhileRecoveryWaits, "Offline writes while recoveries waited");
    }

    @Test
    void aSingleScannerGoingOfflineIsWrittenAtTheFirstSweepPastItsDeadline() {
        Fleet f = new Fleet();
        f.run(60_000);
        f.reachable[42] = false;
        long last = f.lastSeen[42];
        while (f.status[42] == Phase.Active && f.now < last + 2 * OFFLINE_AFTER) {
            f.step();
        }
        assertEquals(Phase.Offline, f.status[42]);
        long deadline = last + OFFLINE_AFTER;
        assertTrue(f.now > deadline && f.now <= deadline + SWEEP, "Offline " + (f.now - deadline) + " ms after the deadline (sweep " + SWEEP + " ms)");
        assertEquals(1, f.ownEvents.getOrDefault(Phase.Offline, 0), "its own WentOffline Event");
        assertEquals(0, f.pending());
        f.reachable[42] = true;
        long from = f.now;
        while (f.status[42] == Phase.Offline && f.now < from + 2 * HEARTBEAT) {
            f.step();
        }
        assertEquals(f.lastSeen[42], f.now, "back at its first heartbeat");
        assertEquals(1, f.ownEvents.getOrDefault(Phase.Active, 0), "its own BackOnline Event");
        f.run(f.now + 3 * EventBatches.WINDOW_MILLIS);
        assertTrue(f.summaryCount.isEmpty(), "no summary Event: " + f.summaryCount);
    }
}
