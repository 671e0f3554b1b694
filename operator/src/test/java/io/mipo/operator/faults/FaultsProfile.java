package io.mipo.operator.faults;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Short liveness timings and a small refresh budget (so that the budget binds within a test), the
 * facade behind a static admin token, and the API server of {@link FaultyApiServer}. Shared by the
 * fault-injection tests, so Quarkus starts once for all of them.
 */
public class FaultsProfile implements QuarkusTestProfile {
    /** Refreshes of lastHeartbeatTime/agent a minute, across all scanners. */
    public static final int BUDGET = 12;
    public static final String NS = "faults";
    public static final String OFFLINE_AFTER = "8s";

    @Override
    public Map<String, String> getConfigOverrides() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return Map.ofEntries(
                Map.entry("mipo.liveness.offline-after", OFFLINE_AFTER),
                Map.entry("mipo.liveness.heartbeat-interval", "1s"),
                Map.entry("mipo.liveness.status-refresh", "2s"),
                Map.entry("mipo.liveness.ledger-flush-interval", "500ms"),
                Map.entry("mipo.liveness.status-refresh-budget", String.valueOf(BUDGET)),
                Map.entry("mipo.replica-id", "replica-f"),
                Map.entry("mipo.operator-namespace", "mipo-system"),
                Map.entry("mipo.api.namespace", NS),
                Map.entry("mipo.auth.static-token", HexFormat.of().formatHex(b)));
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(FaultyApiServer.class));
    }
}
