package io.mipo.operator.liveness;

import io.mipo.operator.core.ScannerRef;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.mipo.operator.model.Phase;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How old the last heartbeat a replica can show is, and what an in-place restart of a replica does to
 * the phases, with the default timings (heartbeat 30 s, offline-after 2 min, ledger-flush-interval
 * 10 s). Time is simulated (250 ms steps, every replica's tick once a second); the API server, the
 * ledger writes and reading them back are real (mock server), so the outcome does not depend on the
 * load of the machine.
 */
@EnableKubernetesMockClient(crud = true)
class FreshLastHeartbeatTest {
    private static final String NS = "mipo-system";
    private static final Duration FLUSH = Duration.ofSeconds(10);
    private static final Duration OFFLINE_AFTER = Duration.ofMinutes(2);
    private static final LivenessSettings SETTINGS = LivenessSettings.of(Duration.ofSeconds(30), OFFLINE_AFTER,
            Duration.ofMinutes(5), FLUSH, 30);
    private static final int SCANNERS = 1_000;
    private static final long STEP = 250;

    static KubernetesClient client;

    /** Two replicas behind one Service: each heartbeat lands on either. */
    private final class Fleet {
        final long seed;
        final Random random;
        final List<ScannerRef> refs = new ArrayList<>();
        final long[] nextBeat = new long[SCANNERS];
        final long[] lastBeat = new long[SCANNERS];
        final String prefix;
        HeartbeatLedger a;
        HeartbeatLedger b;
        int writes;

        Fleet(String prefix, long seed, long t0) {
            this.prefix = prefix;
            this.seed = seed;
            this.random = new Random(seed);
            a = new HeartbeatLedger(client, NS, prefix + "-a", SETTINGS);
            b = new HeartbeatLedger(client, NS, prefix + "-b", SETTINGS);
            for (int i = 0; i < SCANNERS; i++) {
                refs.add(new ScannerRef("scanners", prefix + "-scanner-" + i));
                nextBeat[i] = t0 + random.nextInt(30_000);
                lastBeat[i] = -1;
            }
        }

        /** Heartbeats due by {@code now} land on a random replica; each replica ticks once a second. */
        void step(long now, boolean bUp) {
            for (int i = 0; i < SCANNERS; i++) {
                if (nextBeat[i] <= now) {
                    HeartbeatLedger on = bUp && random.nextBoolean() ? b : a;
                    on.record(refs.get(i), nextBeat[i], "1.0", "host-" + i, null, "198.51.100.7");
                    lastBeat[i] = nextBeat[i];
                    nextBeat[i] += 30_000;
                }
            }
        }

        int tick(long now, LedgerBoard board, boolean bUp) {
            int w = a.flushIfDue(now, board::lastSeen);
            if (bUp) {
                w += b.flushIfDue(now, board::lastSeen);
            }
            writes += w;
            return w;
        }

        void readBack(LedgerBoard board) {
            client.configMaps().inNamespace(NS).withLabelSelector(LedgerBoard.SELECTOR).list().getItems().stream()
                    .filter(cm -> cm.getMetadata().getName().startsWith(HeartbeatLedger.NAME_PREFIX + prefix + "-"))
                    .forEach(board::accept);
        }
    }

    @Test
    void everyReplicaShowsALastHeartbeatAtMostTheFlushIntervalPlusTwoSecondsOldWithoutExtraWrites() {
        long seed = Long.getLong("mipo.test.seed", System.nanoTime());
        System.out.println("FreshLastHeartbeatTest seed=" + seed + " (rerun with -Dmipo.test.seed=" + seed + ")");
        long t0 = 1_800_000_000_000L;
        Fleet f = new Fleet("fresh", seed, t0);
        // What replica A shows: its own memory, plus every ledger as its informer delivers it.
        LedgerBoard boardOfA = new LedgerBoard();
        // For each scanner, its latest heartbeat that replica A does not show yet, and how long that took.
        long[] pending = new long[SCANNERS];
        java.util.Arrays.fill(pending, -1);
        List<Long> delays = new ArrayList<>();
        long worst = 0;
        String worstAt = "";
        int steadyFrom = 0;
        long end = t0 + Duration.ofMinutes(4).toMillis();
        for (long now = t0; now <= end; now += STEP) {
            long[] before = f.lastBeat.clone();
            f.step(now, true);
            for (int i = 0; i < SCANNERS; i++) {
                if (f.lastBeat[i] != before[i]) {
                    pending[i] = f.lastBeat[i];
                }
            }
            if (now == t0 + 40_000) {
                steadyFrom = f.writes; // every scanner has been seen once: urgent first writes are over
            }
            if ((now - t0) % 1_000 == 0 && f.tick(now, boardOfA, true) > 0) {
                f.readBack(boardOfA);
            }
            for (int i = 0; i < SCANNERS; i++) {
                if (pending[i] < 0) {
                    continue;
                }
                ScannerRef r = f.refs.get(i);
                long shown = Math.max(f.a.lastSeen(r), boardOfA.lastSeen(r));
                long waited = now - pending[i];
                if (shown >= pending[i]) {
                    delays.add(waited);
                    pending[i] = -1;
                }
                if (waited > worst) {
                    worst = waited;
                    worstAt = r.name() + " heartbeat at +" + (now - t0 - waited) + " ms";
                }
            }
        }
        java.util.Collections.sort(delays);
        System.out.printf("FreshLastHeartbeatTest: %d heartbeats of %d scanners via 2 replicas: shown on replica A after p50 %d ms, p99 %d ms, max %d ms; %d ledger writes%n",
                delays.size(), SCANNERS, delays.get(delays.size() / 2), delays.get(delays.size() * 99 / 100), delays.get(delays.size() - 1), f.writes);
        long bound = FLUSH.toMillis() + 2_000;
        assertTrue(worst <= bound, "invariant fresh-last-heartbeat: a heartbeat was shown only after "
                + worst + " ms (" + worstAt + "), more than ledger-flush-interval + 2 s = " + bound + " ms; seed " + seed);
        // Write budget: at most one write per replica and shard per flush interval, whatever the heartbeat rate.
        long intervals = Duration.ofMinutes(4).minusSeconds(40).toMillis() / FLUSH.toMillis() + 1;
        int steady = f.writes - steadyFrom;
        assertTrue(steady <= 2 * intervals, "invariant write-budget: " + steady + " ledger writes in 200 s of steady state by 2 replicas (at most "
                + 2 * intervals + ", one per replica and flush interval); seed " + seed);
    }

    @Test
    void aReplicaRestartedInPlaceMakesNoScannerLeaveActiveNeitherOnTheLeaderNorOnANewLeader() {
        long seed = Long.getLong("mipo.test.seed", System.nanoTime());
        System.out.println("FreshLastHeartbeatTest restart seed=" + seed);
        long t0 = 1_900_000_000_000L;
        Fleet f = new Fleet("restart", seed, t0);
        LedgerBoard leader = new LedgerBoard();
        long now = t0;
        for (; now <= t0 + 90_000; now += STEP) {
            f.step(now, true);
            if ((now - t0) % 1_000 == 0 && f.tick(now, leader, true) > 0) {
                f.readBack(leader);
            }
        }
        assertEquals(Map.of(Phase.Active, SCANNERS), phases(f, leader, now), "before the restart");
        // Replica B is killed (out of memory) and comes back with the same name and an empty memory.
        // Some of its scanners' heartbeats are lost with it; they must not make anything Offline.
        f.b = new HeartbeatLedger(client, NS, "restart-b", SETTINGS);
        int restored = f.b.restore();
        assertTrue(restored > SCANNERS / 4, "replica B resumed only " + restored + " scanners from its stored ledger");
        // A replica started after the restart (a new leader) has only what is stored now.
        LedgerBoard newLeader = new LedgerBoard();
        Map<Phase, Integer> worstLeader = new HashMap<>();
        Map<Phase, Integer> worstNew = new HashMap<>();
        for (long until = now + 2 * OFFLINE_AFTER.toMillis(); now <= until; now += STEP) {
            f.step(now, true);
            if ((now - t0) % 1_000 == 0 && f.tick(now, leader, true) > 0) {
                f.readBack(leader);
                f.readBack(newLeader);
            }
            if ((now - t0) % 5_000 == 0) {
                Map<Phase, Integer> p = phases(f, leader, now);
                if (p.getOrDefault(Phase.Active, 0) < SCANNERS) {
                    worstLeader = p;
                }
                Map<Phase, Integer> q = phases(f, newLeader, now);
                if (q.getOrDefault(Phase.Active, 0) < SCANNERS) {
                    worstNew = q;
                }
            }
        }
        assertEquals(Map.of(), worstLeader, "invariant no-false-offline: phases on the leader after replica B restarted in place; seed " + seed);
        assertEquals(Map.of(), worstNew, "invariant no-false-offline: phases on a leader that started after replica B restarted; seed " + seed);
    }

    private static Map<Phase, Integer> phases(Fleet f, LedgerBoard board, long nowMillis) {
        Map<Phase, Integer> out = new HashMap<>();
        Instant now = Instant.ofEpochMilli(nowMillis);
        for (ScannerRef r : f.refs) {
            long seen = board.lastSeen(r);
            Phase p = LivenessRules.phase(Instant.ofEpochMilli(1), seen < 0 ? null : Instant.ofEpochMilli(seen), now, OFFLINE_AFTER, null, Phase.Active).phase();
            out.merge(p, 1, Integer::sum);
        }
        return out;
    }
}
