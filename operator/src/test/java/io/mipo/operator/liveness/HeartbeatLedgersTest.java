package io.mipo.operator.liveness;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.model.Phase;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two replicas' heartbeat ledgers sharing one (mock) API server, each taking heartbeats for the
 * same scanners, and the merged view the leader decides phases from.
 */
@EnableKubernetesMockClient(crud = true)
class HeartbeatLedgersTest {
    private static final String NS = "mipo-system";
    private static final Duration OFFLINE_AFTER = Duration.ofSeconds(2);
    private static final LivenessSettings SETTINGS = LivenessSettings.of(Duration.ofMillis(200), OFFLINE_AFTER,
            Duration.ofSeconds(5), Duration.ofMillis(500), 30);

    static KubernetesClient client;

    private static final ScannerRef ONLY_A = new ScannerRef("ns", "only-a");
    private static final ScannerRef ONLY_B = new ScannerRef("ns", "only-b");
    private static final ScannerRef BOTH = new ScannerRef("ns", "both");
    private static final ScannerRef SILENT = new ScannerRef("ns", "silent");

    /**
     * Time is simulated (100 ms steps) so that the outcome does not depend on how busy the machine
     * is; the API server, the writes and the reading back are real.
     */
    @Test
    void twoReplicasTakingHeartbeatsForTheSameScannersGiveTheRightPhases() {
        HeartbeatLedger a = new HeartbeatLedger(client, NS, "replica-a", SETTINGS);
        HeartbeatLedger b = new HeartbeatLedger(client, NS, "replica-b", SETTINGS);
        LedgerBoard board = new LedgerBoard();
        long t0 = 1_800_000_000_000L;
        Instant registeredAt = Instant.ofEpochMilli(t0);
        a.record(SILENT, t0, "1.0", "silent-host", null, "198.51.100.9");
        int writes = 0;
        int heartbeats = 0;
        long now = t0;
        for (int i = 0; i < 50; i++) {
            now = t0 + i * 100L;
            a.record(ONLY_A, now, "1.0", "host-a", null, "198.51.100.1");
            b.record(ONLY_B, now, "1.0", "host-b", null, "198.51.100.2");
            (i % 2 == 0 ? a : b).record(BOTH, now, "2.0", "host-both", null, "198.51.100.3");
            heartbeats += 3;
            writes += a.flushIfDue(now, board::lastSeen);
            writes += b.flushIfDue(now, board::lastSeen);
            readBack(board);
        }
        // A leader that is neither replica decides from the published ledgers alone.
        assertEquals(Map.of(ONLY_A, Phase.Active, ONLY_B, Phase.Active, BOTH, Phase.Active, SILENT, Phase.Offline),
                phases(board, registeredAt, now));
        assertEquals("2.0", board.latest(BOTH).orElseThrow().facts().version());
        // At most one write per replica per ledger-flush-interval (500 ms here) in 5 s, plus the first ones:
        // flat in the number of heartbeats.
        assertTrue(writes <= 2 * (5_000 / 500 + 2), writes + " ledger writes for " + heartbeats + " heartbeats");

        // Replica B goes away: what only B heard goes Offline; what A also hears stays Active.
        long stop = now;
        for (int i = 1; i <= 35; i++) {
            now = stop + i * 100L;
            a.record(ONLY_A, now, null, null, null, "198.51.100.1");
            a.record(BOTH, now, null, null, null, "198.51.100.3");
            a.flushIfDue(now, board::lastSeen);
            readBack(board);
        }
        assertEquals(Map.of(ONLY_A, Phase.Active, ONLY_B, Phase.Offline, BOTH, Phase.Active, SILENT, Phase.Offline),
                phases(board, registeredAt, now));
        // B's last published heartbeat stays known (for status.lastHeartbeatTime) after it went Offline; what
        // B took after its last write is lost with it, never more than refreshAfter.
        long publishedB = board.lastSeen(ONLY_B);
        assertTrue(publishedB <= stop && publishedB >= stop - SETTINGS.refreshAfter().toMillis(), "B published " + (publishedB - t0));
        assertEquals(List.of("mipo-heartbeats-replica-a-0", "mipo-heartbeats-replica-b-0"),
                client.configMaps().inNamespace(NS).withLabel("mipo.io/component", "heartbeat-ledger").list().getItems().stream()
                        .map(cm -> cm.getMetadata().getName()).filter(n -> n.matches(".*replica-[ab]-.*")).sorted().toList());
    }

    /** What every replica's informer would deliver: the ledgers as the API server has them now. */
    private static void readBack(LedgerBoard board) {
        client.configMaps().inNamespace(NS).withLabelSelector(LedgerBoard.SELECTOR).list().getItems().forEach(board::accept);
    }

    @Test
    void aLedgerIsWrittenSoonForAScannerTheLeaderMayThinkOfflineAndOtherwiseOnlyWhenItsRecordsAge() {
        HeartbeatLedger l = new HeartbeatLedger(client, NS, "replica-due", SETTINGS);
        long t = 1_000_000;
        ScannerRef s = new ScannerRef("ns", "x");
        l.record(s, t, "1", "h", null, "192.0.2.1");
        assertEquals(HeartbeatLedger.Due.URGENT, l.due(t + 10, r -> -1), "unknown to the leader");
        assertEquals(1, l.flush(t + 10));
        long published = t;
        l.record(s, t + 200, null, null, null, "192.0.2.1");
        assertEquals(HeartbeatLedger.Due.NO, l.due(t + 300, r -> published), "fresh enough for the leader");
        assertEquals(HeartbeatLedger.Due.REGULAR, l.due(t + SETTINGS.refreshAfter().toMillis() + 10, r -> published));
        assertEquals(HeartbeatLedger.Due.URGENT, l.due(t + OFFLINE_AFTER.toMillis() + 10, r -> published), "leader may think it Offline");
        l.record(s, t + 400, "2", null, null, "192.0.2.1");
        assertEquals(HeartbeatLedger.Due.REGULAR, l.due(t + 1_000, r -> published), "a new agent version is published");
        assertEquals(1, l.flush(t + 1_000));
        assertEquals(0, l.flush(t + 1_100), "nothing changed: no write");
        assertEquals(HeartbeatLedger.Due.NO, l.due(t + 1_200, r -> t + 400));
    }

    @Test
    void aLargeLedgerIsShardedUnderTheConfigMapLimit() {
        HeartbeatLedger l = new HeartbeatLedger(client, NS, "replica-big", SETTINGS);
        long now = System.currentTimeMillis();
        int n = 30_000;
        for (int i = 0; i < n; i++) {
            // every fact reported differs from the registration (none known here): the largest ledger
            l.record(new ScannerRef("customer-namespace", "scanner-" + i), now - i, "1.4.2", "host-" + i + ".example.internal",
                    "10.0." + (i / 250) + "." + (i % 250), "203.0.113." + (i % 250));
        }
        int writes = l.flush(now);
        List<ConfigMap> shards = client.configMaps().inNamespace(NS).withLabel("mipo.io/replica", "replica-big").list().getItems();
        assertEquals(shards.size(), writes);
        assertTrue(shards.size() >= 2, n + " scanners with all their facts need more than one shard: " + shards.size());
        LedgerBoard board = new LedgerBoard();
        int total = 0;
        for (ConfigMap cm : shards) {
            int bytes = cm.getData().get(HeartbeatLedger.DATA_KEY).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            assertTrue(bytes <= HeartbeatLedger.MAX_SHARD_BYTES, cm.getMetadata().getName() + " holds " + bytes + " bytes");
            board.accept(cm);
            total += LedgerCodec.parse(cm.getData().get(HeartbeatLedger.DATA_KEY)).size();
        }
        assertEquals(n, total);
        assertEquals(now - 4711, board.lastSeen(new ScannerRef("customer-namespace", "scanner-4711")));
        assertEquals(AgentFacts.of("1.4.2", "host-4711.example.internal", "10.0.18.211", "203.0.113.211"),
                board.latest(new ScannerRef("customer-namespace", "scanner-4711")).orElseThrow().facts());
    }

    /**
     * The write budget at 100,000 scanners: in steady state (agents reporting what they registered
     * with) a flush writes at most 4 ConfigMaps, so 6 flushes a minute stay at 24 writes.
     */
    @Test
    void aHundredThousandSettledScannersFitInFourShardsAndChangedFactsStillReachTheReader() {
        Map<ScannerRef, AgentFacts> registered = new java.util.HashMap<>();
        HeartbeatLedger l = new HeartbeatLedger(client, NS, "replica-100k", SETTINGS, registered::get);
        long now = System.currentTimeMillis();
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            ScannerRef ref = new ScannerRef("tenant-" + (i % 20), "scanner-" + i);
            AgentFacts facts = AgentFacts.of("1.4.2", "host-" + i + ".example.internal", "10.0." + (i / 250 % 250) + "." + (i % 250), "203.0.113." + (i % 250));
            registered.put(ref, facts);
            // heartbeats spread over the last 30 s; one agent upgraded and one moved behind another address
            String version = i == 77 ? "1.5.0" : facts.version();
            String source = i == 78 ? "198.51.100.78" : facts.sourceAddress();
            l.record(ref, now - (i % 30_000), version, facts.hostname(), facts.internalIp(), source);
        }
        int writes = l.flush(now);
        List<ConfigMap> shards = client.configMaps().inNamespace(NS).withLabel("mipo.io/replica", "replica-100k").list().getItems();
        assertTrue(writes <= 4, "writes for one flush of " + n + " settled scanners: " + writes);
        LedgerBoard board = new LedgerBoard();
        long bytes = 0;
        for (ConfigMap cm : shards) {
            bytes += cm.getData().get(HeartbeatLedger.DATA_KEY).length();
            board.accept(cm);
        }
        assertTrue(bytes / n <= 30, "bytes per scanner: " + bytes / n);
        Sighting plain = board.latest(new ScannerRef("tenant-1", "scanner-4701")).orElseThrow();
        assertEquals(now - 4701, plain.lastSeenMillis());
        assertEquals(AgentFacts.of(null, null, null, null), plain.facts(), "facts equal to the registration are left out");
        assertEquals(AgentFacts.of("1.5.0", null, null, null), board.latest(new ScannerRef("tenant-17", "scanner-77")).orElseThrow().facts());
        assertEquals(AgentFacts.of(null, null, null, "198.51.100.78"), board.latest(new ScannerRef("tenant-18", "scanner-78")).orElseThrow().facts());
    }

    private static Map<ScannerRef, Phase> phases(LedgerBoard board, Instant registeredAt, long nowMillis) {
        Instant now = Instant.ofEpochMilli(nowMillis);
        Map<ScannerRef, Phase> out = new LinkedHashMap<>();
        for (ScannerRef r : List.of(ONLY_A, ONLY_B, BOTH, SILENT)) {
            long seen = board.lastSeen(r);
            out.put(r, LivenessRules.phase(registeredAt, seen < 0 ? null : Instant.ofEpochMilli(seen), now, OFFLINE_AFTER, null, Phase.Active).phase());
        }
        return out;
    }
}
