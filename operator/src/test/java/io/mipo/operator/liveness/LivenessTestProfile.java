package io.mipo.operator.liveness;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * Short liveness timings so that Offline, refreshes and ledger flushes happen within a test. Shared
 * by every credentials/liveness/agent-API test class, so Quarkus starts once for all of them.
 */
public class LivenessTestProfile implements QuarkusTestProfile {
    public static final String PUBLIC_URL = "https://mipo.example.test";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "mipo.liveness.offline-after", "3s",
                "mipo.liveness.heartbeat-interval", "1s",
                "mipo.liveness.status-refresh", "2s",
                "mipo.liveness.ledger-flush-interval", "500ms",
                "mipo.public-url", PUBLIC_URL,
                "mipo.replica-id", "replica-a",
                "mipo.operator-namespace", "mipo-system",
                "quarkus.log.category.\"io.mipo\".level", "DEBUG");
    }
}
