package io.mipo.operator.api.config;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.api.agent.AgentCalls;
import io.mipo.operator.credentials.CredentialFixtures;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The facade's liveness poll looks again at the scanners whose heartbeats moved, not at every row:
 * a heartbeat is shown at once, and showing it costs one look-up whatever the size of the fleet, and
 * no serialisation until a page or a get shows the row.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class HeartbeatPollTest {
    private static final int FLEET = 60;

    @Inject
    KubernetesClient client;

    @Inject
    ScannerIndex index;

    @Test
    void aHeartbeatIsShownAtOnceAndLooksAtItsOwnRowOnly() {
        String ns = index.namespace();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < FLEET; i++) {
            String name = "poll-" + i;
            client.resource(TestResources.scanner(ns, name, null)).create();
            names.add(name);
        }
        Response r = AgentCalls.register(CredentialFixtures.tokenFromSecret(client, ns, names.get(0)));
        assertEquals(200, r.statusCode(), r.asString());
        String key = r.jsonPath().getString("apiKey");
        await().atMost(Duration.ofSeconds(20)).until(() -> names.stream().allMatch(n -> index.shownStatus(n).isPresent()));
        assertTrue(index.view().size() >= FLEET, "rows: " + index.view().size());

        // The poll also looks at every row now and then (a backstop, and when a phase is due by time):
        // one of a few heartbeats, each waited for until shown, must have cost a look at its own row only.
        List<Long> costs = new ArrayList<>();
        for (int attempt = 0; attempt < 5; attempt++) {
            String shownBefore = index.shownLastHeartbeat(names.get(0)).orElse("");
            sleepQuietly(1_100); // heartbeat times are shown to the second: the next one must look different
            long before = index.heartbeatLookups();
            assertEquals(200, AgentCalls.heartbeat(key).statusCode());
            await().atMost(Duration.ofSeconds(10)).until(() -> !index.shownLastHeartbeat(names.get(0)).orElse("").equals(shownBefore));
            costs.add(index.heartbeatLookups() - before);
            ScannerRow row = index.row(names.get(0)).orElseThrow();
            assertEquals(java.time.Instant.parse(row.view().lastHeartbeatAt()), row.lastHeartbeat(),
                    "the row sorts by another time than it shows");
            assertFalse(row.jsonMade(), "the row made again for the heartbeat was serialised before anyone asked for it");
            String json = new String(row.json(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(json.contains("\"lastHeartbeatAt\":\"" + row.view().lastHeartbeatAt() + "\""),
                    "the row's JSON, made when asked for, does not show the heartbeat: " + json);
            if (costs.get(costs.size() - 1) <= 3) {
                return;
            }
        }
        throw new AssertionError("every heartbeat made the facade look at all " + index.view().size()
                + " rows or more, not only the scanner's own: look-ups per heartbeat " + costs);
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
