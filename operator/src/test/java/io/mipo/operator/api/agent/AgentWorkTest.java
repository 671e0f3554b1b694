package io.mipo.operator.api.agent;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.credentials.CredentialFixtures;
import io.mipo.operator.credentials.CredentialService;
import io.mipo.operator.group.GroupTestProfile;
import io.mipo.operator.model.GroupTarget;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerGroup;
import io.mipo.operator.model.ScannerGroupSpec;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /scanner/assignments and POST /scanner/results as an agent calls them (docs/api.md#agent-ingest-api). */
@QuarkusTest
@TestProfile(GroupTestProfile.class)
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class AgentWorkTest {

    @Inject
    KubernetesClient client;

    @Inject
    CredentialService credentials;

    private final List<String> resultLines = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            resultLines.add(r.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        java.util.logging.Logger.getLogger(ResultsLog.CATEGORY).addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        java.util.logging.Logger.getLogger(ResultsLog.CATEGORY).removeHandler(capture);
    }

    @Test
    void assignmentsFollowTheGroupAndTheVersionTellsTheAgentWhenToFetch() {
        String ns = TestResources.freshNamespace(client);
        String key = registeredScanner(ns, "edge-a", Map.of("team", "red"));
        Scanner b = TestResources.scanner(ns, "edge-b", null);
        b.getMetadata().setLabels(Map.of("team", "red"));
        client.resource(b).create();

        // Nothing assigned yet.
        JsonPath none = assignments(key).then().statusCode(200).extract().jsonPath();
        assertFalse(none.getBoolean("disabled"));
        assertTrue(none.getList("assignments").isEmpty(), none.prettify());
        String versionNone = heartbeatVersion(key);
        assertEquals(versionNone, none.getString("version"));

        ScannerGroup g = new ScannerGroup();
        g.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName("red").build());
        ScannerGroupSpec spec = new ScannerGroupSpec();
        spec.setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("team", "red")).build());
        GroupTarget t = new GroupTarget();
        t.setSubnet("198.51.100.0/24");
        t.setPorts("22,443");
        t.setRateLimit(10);
        spec.setTargets(List.of(t));
        g.setSpec(spec);
        client.resource(g).create();

        // 10 pps over two enabled members: 5 each.
        JsonPath five = awaitAssignments(key, j -> j.getList("assignments").size() == 1
                && j.getDouble("assignments[0].maxProbesPerSecond") == 5.0);
        assertEquals("red", five.getString("assignments[0].group"));
        assertEquals("198.51.100.0/24", five.getString("assignments[0].subnet"));
        assertEquals("22,443", five.getString("assignments[0].ports"));
        String versionFive = five.getString("version");
        assertNotEquals(versionNone, versionFive);
        assertEquals(versionFive, heartbeatVersion(key), "heartbeats report the version the assignments call answers");

        // Disabling the other member gives its share back: the version moves, the agent refetches.
        TestResources.modify(client, Scanner.class, ns, "edge-b", s -> s.getSpec().setDisabled(true));
        JsonPath ten = awaitAssignments(key, j -> j.getList("assignments").size() == 1
                && j.getDouble("assignments[0].maxProbesPerSecond") == 10.0);
        assertNotEquals(versionFive, ten.getString("version"));
        assertEquals(ten.getString("version"), heartbeatVersion(key));

        // Disabling this scanner: it is told so and gets no work.
        TestResources.modify(client, Scanner.class, ns, "edge-a", s -> s.getSpec().setDisabled(true));
        JsonPath off = awaitAssignments(key, j -> j.getBoolean("disabled"));
        assertTrue(off.getList("assignments").isEmpty(), off.prettify());
        assertEquals(off.getString("version"), heartbeatVersion(key));
    }

    @Test
    void resultsAreLoggedAsJsonLinesWithTheScannerIdentity() {
        String ns = TestResources.freshNamespace(client);
        String key = registeredScanner(ns, "reporter", null);
        Response ok = results(key, Map.of("findings", List.of(
                Map.of("ip", "192.0.2.10", "port", 22, "state", "open", "observedAt", "2024-05-01T12:00:00Z"),
                Map.of("ip", "2001:db8::5", "port", 8443, "state", "filtered", "observedAt", "2024-05-01T14:00:01+02:00"))));
        assertEquals(202, ok.statusCode(), ok.asString());
        assertEquals(2, ok.jsonPath().getInt("accepted"));
        List<String> mine = linesOf("reporter");
        assertEquals(2, mine.size(), resultLines.toString());
        JsonPath first = JsonPath.from(mine.get(0));
        assertEquals(ns, first.getString("namespace"));
        assertEquals("reporter", first.getString("scanner"));
        assertEquals("192.0.2.10", first.getString("ip"));
        assertEquals(22, first.getInt("port"));
        assertEquals("open", first.getString("state"));
        assertEquals("2024-05-01T12:00:00Z", first.getString("observedAt"));
        assertEquals("2024-05-01T12:00:01Z", JsonPath.from(mine.get(1)).getString("observedAt"));

        // A batch with a bad finding is refused whole: nothing of it is logged.
        Response bad = results(key, Map.of("findings", List.of(
                Map.of("ip", "192.0.2.11", "port", 80, "state", "open", "observedAt", "2024-05-01T12:00:00Z"),
                Map.of("ip", "192.0.2.12", "port", 70000, "state", "open", "observedAt", "2024-05-01T12:00:00Z"))));
        assertEquals(400, bad.statusCode(), bad.asString());
        assertEquals("findings[1].port", bad.jsonPath().getString("errors[0].field"), bad.asString());
        assertEquals(2, linesOf("reporter").size(), resultLines.toString());

        List<Map<String, Object>> many = new ArrayList<>();
        for (int i = 0; i <= Findings.MAX_BATCH; i++) {
            many.add(Map.of("ip", "192.0.2.1", "port", 1 + i, "state", "closed", "observedAt", "2024-05-01T12:00:00Z"));
        }
        Response tooMany = results(key, Map.of("findings", many));
        assertEquals(413, tooMany.statusCode(), tooMany.asString());
        assertEquals("BATCH_TOO_LARGE", tooMany.jsonPath().getString("code"));

        Response garbage = RestAssured.given().contentType(ContentType.JSON).header("Authorization", "Bearer " + key)
                .body("{\"findings\": [").post("/scanner/results");
        assertEquals(400, garbage.statusCode(), garbage.asString());
        assertEquals(2, linesOf("reporter").size(), resultLines.toString());
    }

    @Test
    void withoutAValidKeyNothingIsAnsweredOrLogged() {
        Response noKey = RestAssured.given().get("/scanner/assignments");
        assertEquals(401, noKey.statusCode(), noKey.asString());
        assertEquals("INVALID_API_KEY", noKey.jsonPath().getString("code"));
        Response fakeKey = RestAssured.given().header("Authorization", "Bearer mipo_sk_" + "A".repeat(38)).get("/scanner/assignments");
        assertEquals(401, fakeKey.statusCode(), fakeKey.asString());
        int before = resultLines.size();
        Response r = results("mipo_sk_" + "B".repeat(38), Map.of("findings", List.of(
                Map.of("ip", "192.0.2.10", "port", 22, "state", "open", "observedAt", "2024-05-01T12:00:00Z"))));
        assertEquals(401, r.statusCode(), r.asString());
        assertEquals(before, resultLines.size());
    }

    // ---- helpers ----

    private String registeredScanner(String ns, String name, Map<String, String> labels) {
        CredentialService.IssuedToken token = CredentialFixtures.createWithToken(client, credentials, ns, name);
        if (labels != null) {
            TestResources.modify(client, Scanner.class, ns, name, s -> s.getMetadata().setLabels(labels));
        }
        Response r = AgentCalls.register(token.token());
        assertEquals(200, r.statusCode(), r.asString());
        return r.jsonPath().getString("apiKey");
    }

    private static Response assignments(String key) {
        return RestAssured.given().header("Authorization", "Bearer " + key).accept(ContentType.JSON).get("/scanner/assignments");
    }

    private static Response results(String key, Object body) {
        return RestAssured.given().contentType(ContentType.JSON).header("Authorization", "Bearer " + key).body(body).post("/scanner/results");
    }

    private static String heartbeatVersion(String key) {
        Response hb = AgentCalls.heartbeat(key);
        assertEquals(200, hb.statusCode(), hb.asString());
        return hb.jsonPath().getString("assignmentsVersion");
    }

    private static JsonPath awaitAssignments(String key, java.util.function.Predicate<JsonPath> until) {
        AtomicReference<String> last = new AtomicReference<>();
        try {
            return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
                Response r = assignments(key);
                last.set(r.asString());
                return r.statusCode() == 200 ? r.jsonPath() : null;
            }, j -> j != null && until.test(j));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("assignments never matched; last answer: " + last.get(), e);
        }
    }

    private List<String> linesOf(String scanner) {
        return resultLines.stream().filter(l -> l.contains("\"scanner\":\"" + scanner + "\"")).toList();
    }
}
