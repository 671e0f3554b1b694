package io.mipo.operator.api.agent;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.micrometer.core.instrument.MeterRegistry;
import io.mipo.operator.credentials.CredentialFixtures;
import io.mipo.operator.credentials.CredentialService;
import io.mipo.operator.credentials.TokenFormat;
import io.mipo.operator.credentials.TokenKind;
import io.mipo.operator.liveness.LivenessTestProfile;
import io.mipo.operator.liveness.LivenessView;
import io.mipo.operator.liveness.WriteCounts;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@TestProfile(LivenessTestProfile.class)
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class HeartbeatTest {

    @Inject
    KubernetesClient client;

    @Inject
    CredentialService credentials;

    @Inject
    MeterRegistry registry;

    @Inject
    LivenessView view;

    private String registered(String ns, String name) {
        CredentialService.IssuedToken issued = CredentialFixtures.createWithToken(client, credentials, ns, name);
        Response r = AgentCalls.register(issued.token());
        assertEquals(200, r.statusCode(), r.asString());
        return r.jsonPath().getString("apiKey");
    }

    @Test
    void aHeartbeatIsAnsweredWithTheIntervalAndTheAssignmentsVersion() {
        String ns = TestResources.freshNamespace(client);
        String key = registered(ns, "hb-1");
        Response r = AgentCalls.heartbeat(key, Map.of("version", "1.5.0", "hostname", "edge-host-2", "internalIp", "10.9.8.7",
                "capabilities", List.of("tcp-connect"), "state", "scanning",
                "metrics", Map.of("loadAvg1m", 0.5, "memoryTotalBytes", 1024, "numCpus", 4)));
        assertEquals(200, r.statusCode(), r.asString());
        assertFalse(r.jsonPath().getBoolean("disabled"));
        assertEquals(1, r.jsonPath().getInt("heartbeatIntervalSeconds"));
        assertEquals("0", r.jsonPath().getString("assignmentsVersion"));

        // What the agent reported is kept in memory and, after status-refresh, reaches status.agent.
        assertEquals("scanning", view.report(ns, "hb-1").orElseThrow().state());
        assertEquals(4, view.report(ns, "hb-1").orElseThrow().metrics().numCpus());
        Scanner s = TestResources.awaitStatus(client, ns, "hb-1", x -> x.getStatus().getAgent() != null
                && "1.5.0".equals(x.getStatus().getAgent().getVersion()));
        assertEquals("edge-host-2", s.getStatus().getAgent().getHostname(), TestResources.describe(s));
        assertEquals("10.9.8.7", s.getStatus().getAgent().getInternalIp(), TestResources.describe(s));
        assertEquals(Phase.Active, s.getStatus().getPhase());

        // The gauge counts the operator's cache, which may see the Active status a moment after the API server.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() -> {
            String metrics = RestAssured.get("/q/metrics").asString();
            assertTrue(metrics.contains("mipo_heartbeats_total"), "mipo_heartbeats_total missing");
            assertTrue(metrics.contains("mipo_registrations_total{result=\"success\"}"), "registrations metric missing");
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("mipo_scanners{phase=\"Active\"}") && !l.endsWith(" 0.0")),
                    "mipo_scanners{phase=Active} missing or zero: " + metrics.lines().filter(l -> l.startsWith("mipo_scanners")).toList());
        });
    }

    @Test
    void badKeysGet401InvalidApiKey() {
        String ns = TestResources.freshNamespace(client);
        String key = registered(ns, "hb-2");
        RegistrationTest.expectCode(AgentCalls.heartbeat(null), 401, "INVALID_API_KEY");
        RegistrationTest.expectCode(AgentCalls.heartbeat("not-a-key"), 401, "INVALID_API_KEY");
        RegistrationTest.expectCode(AgentCalls.heartbeat(TokenFormat.generate(TokenKind.API_KEY)), 401, "INVALID_API_KEY");
        String tampered = key.substring(0, 10) + (key.charAt(10) == 'a' ? 'b' : 'a') + key.substring(11);
        RegistrationTest.expectCode(AgentCalls.heartbeat(tampered), 401, "INVALID_API_KEY");
        Response r = RestAssured.given().header("Authorization", "Basic " + key).contentType("application/json").body("{}")
                .post("/scanner/heartbeat");
        RegistrationTest.expectCode(r, 401, "INVALID_API_KEY");
        assertFalse(r.asString().contains(key), r.asString());
    }

    @Test
    void heartbeatInputIsBounded() {
        String ns = TestResources.freshNamespace(client);
        String key = registered(ns, "hb-3");
        List<String> caps = new ArrayList<>();
        for (int i = 0; i < 51; i++) {
            caps.add("cap-" + i);
        }
        Response r = AgentCalls.heartbeat(key, Map.of("capabilities", caps));
        assertEquals(400, r.statusCode(), r.asString());
        assertTrue(r.jsonPath().getString("detail").contains("at most 50 capabilities"), r.asString());
        assertEquals("capabilities", r.jsonPath().getString("errors[0].field"), r.asString());

        r = AgentCalls.heartbeat(key, Map.of("hostname", "h".repeat(254)));
        assertEquals(400, r.statusCode(), r.asString());
        assertEquals("hostname", r.jsonPath().getString("errors[0].field"), r.asString());

        r = AgentCalls.heartbeat(key, Map.of("capabilities", List.of("ok", "bad value\n")));
        assertEquals(400, r.statusCode(), r.asString());
        assertEquals("capabilities[1]", r.jsonPath().getString("errors[0].field"), r.asString());

        r = AgentCalls.heartbeat(key, Map.of("state", "sleeping", "metrics", Map.of("loadAvg1m", -1)));
        assertEquals(400, r.statusCode(), r.asString());
        assertTrue(r.asString().contains("state") && r.asString().contains("metrics.loadAvg1m"), r.asString());

        r = AgentCalls.heartbeat(key, Map.of("internalIp", "not-an-ip"));
        assertEquals(400, r.statusCode(), r.asString());

        r = AgentCalls.heartbeat(key, Map.of("hostname", "x".repeat(20_000)));
        assertEquals(413, r.statusCode(), r.asString());
        assertEquals("BODY_TOO_LARGE", r.jsonPath().getString("code"));

        r = RestAssured.given().header("Authorization", "Bearer " + key).contentType("application/json").body("{\"state\":")
                .post("/scanner/heartbeat");
        assertEquals(400, r.statusCode(), r.asString());

        // Bodies the fast reader leaves to Jackson's data binding get the same problems as before.
        r = RestAssured.given().header("Authorization", "Bearer " + key).contentType("application/json")
                .body("{\"metrics\":{\"numCpus\":\"many\"}}").post("/scanner/heartbeat");
        assertEquals(400, r.statusCode(), r.asString());
        assertEquals("MALFORMED_JSON", r.jsonPath().getString("code"), r.asString());
        assertEquals("metrics.numCpus", r.jsonPath().getString("errors[0].field"), r.asString());
        r = RestAssured.given().header("Authorization", "Bearer " + key).contentType("application/json").body("null")
                .post("/scanner/heartbeat");
        assertEquals(400, r.statusCode(), "a JSON null is no heartbeat (it was a 500): " + r.asString());
        assertEquals("MALFORMED_JSON", r.jsonPath().getString("code"), r.asString());

        // A heartbeat with no body, or with fields a newer agent might send, is fine.
        assertEquals(200, RestAssured.given().header("Authorization", "Bearer " + key).post("/scanner/heartbeat").statusCode());
        assertEquals(200, AgentCalls.heartbeat(key, Map.of("futureField", 1)).statusCode());
    }

    @Test
    void aDisabledScannerKeepsHeartbeatingAndIsToldItIsDisabled() {
        String ns = TestResources.freshNamespace(client);
        String key = registered(ns, "hb-4");
        TestResources.awaitStatus(client, ns, "hb-4", x -> x.getStatus().getPhase() == Phase.Active);
        TestResources.modify(client, Scanner.class, ns, "hb-4", s -> s.getSpec().setDisabled(true));
        TestResources.awaitStatus(client, ns, "hb-4", x -> x.getStatus().getPhase() == Phase.Disabled);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Response r = AgentCalls.heartbeat(key);
            assertEquals(200, r.statusCode(), r.asString());
            assertTrue(r.jsonPath().getBoolean("disabled"), r.asString());
        });
        // Disabled wins even though heartbeats keep coming.
        for (int i = 0; i < 5; i++) {
            assertEquals(200, AgentCalls.heartbeat(key).statusCode());
        }
        assertEquals(Phase.Disabled, client.resources(Scanner.class).inNamespace(ns).withName("hb-4").get().getStatus().getPhase());

        TestResources.modify(client, Scanner.class, ns, "hb-4", s -> s.getSpec().setDisabled(false));
        TestResources.awaitStatus(client, ns, "hb-4", x -> x.getStatus().getPhase() == Phase.Active);
        assertFalse(AgentCalls.heartbeat(key).jsonPath().getBoolean("disabled"));
    }

    @Test
    void heartbeatsDoNotBecomeStatusWrites() throws Exception {
        String ns = TestResources.freshNamespace(client);
        String key = registered(ns, "hb-5");
        TestResources.awaitStatus(client, ns, "hb-5", x -> x.getStatus().getPhase() == Phase.Active);
        AtomicInteger modifications = new AtomicInteger();
        try (var watch = client.resources(Scanner.class).inNamespace(ns).withName("hb-5").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Scanner resource) {
                if (action == Action.MODIFIED) {
                    modifications.incrementAndGet();
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            long start = System.nanoTime();
            for (int i = 0; i < 300; i++) {
                assertEquals(200, AgentCalls.heartbeat(key).statusCode());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Thread.sleep(1000);
            // status-refresh is 2 s in this profile: a refresh of lastHeartbeatTime now and then, never a write per heartbeat.
            int allowed = 1 + (int) (seconds / 2);
            assertTrue(modifications.get() <= allowed, "Scanner written " + modifications.get() + " times during 300 heartbeats in "
                    + seconds + " s; writes so far: " + WriteCounts.snapshot(registry));
        }
    }
}
