package io.mipo.operator.api.auth;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.mipo.operator.api.agent.AgentCalls;
import io.mipo.operator.model.DeploymentMode;
import io.mipo.operator.model.DeploymentSpec;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The edge's abuse paths, tried as an attacker would (docs/security.md, threat model): floods of
 * made-up tokens, writes that need more than the permission the call declares, answers with
 * secrets that a cache could keep, and an API key that outlives External mode.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class EdgeAbuseTest {
    private static final String SCANNERS = "/api/config/scanners";
    private static final String GROUPS = "/api/config/scanner-groups";
    private static final String NS = "default";

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    @Inject
    MeterRegistry registry;

    @BeforeEach
    void setUp() {
        FakeKubeAuth.install(server);
    }

    private static RequestSpecification as(String token) {
        return RestAssured.given().header("Authorization", "Bearer " + token);
    }

    private static String tokenOf(String prefix, String... grants) {
        String user = FakeKubeAuth.newUser(prefix);
        FakeKubeAuth.allow(user, grants);
        return FakeKubeAuth.token(user);
    }

    private static String unique(String prefix) {
        return prefix + "-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    }

    private double tokenMetric(String caller, String result) {
        var c = registry.find("mipo.token.reviews").tag("caller", caller).tag("result", result).counter();
        return c == null ? -1 : c.count();
    }

    @Test
    void floodsOfMadeUpTokensCauseNoTokenReview() {
        int reviewsBefore = FakeKubeAuth.tokenReviews();
        double malformedAgentBefore = tokenMetric("agent", "malformed");
        for (int i = 0; i < 300; i++) {
            as("bogus-" + UUID.randomUUID()).get(SCANNERS).then().statusCode(401);
            Map<String, Object> body = AgentCalls.registration(null);
            body.remove("token");
            body.put("serviceAccountToken", "bogus." + UUID.randomUUID() + ".x");
            Response r = AgentCalls.register(body);
            assertEquals(401, r.statusCode(), r.asString());
            assertEquals("TOKEN_INVALID", r.jsonPath().getString("code"), r.asString());
        }
        assertEquals(reviewsBefore, FakeKubeAuth.tokenReviews(), "made-up tokens must be refused before any TokenReview");
        assertTrue(tokenMetric("agent", "malformed") >= malformedAgentBefore + 300,
                "mipo_token_reviews_total{caller=agent,result=malformed}: " + tokenMetric("agent", "malformed"));

        // a well-shaped but unknown token costs one review, then is refused from memory
        String unknown = FakeKubeAuth.unknownToken();
        for (int i = 0; i < 5; i++) {
            as(unknown).get(SCANNERS).then().statusCode(401);
        }
        assertEquals(reviewsBefore + 1, FakeKubeAuth.tokenReviews(), "one review for a refused token, however often it is sent");
        assertTrue(tokenMetric("facade", "unauthenticated") >= 1);
    }

    @Test
    void groupWritesThatRelabelScannersNeedUpdateOnScanners() {
        String admin = tokenOf("admin", "*");
        String member = unique("member");
        as(admin).contentType(ContentType.JSON).body(Map.of("name", member)).post(SCANNERS).then().statusCode(201);
        String groupsOnly = tokenOf("grouper", "create scannergroups", "update scannergroups", "delete scannergroups",
                "list scannergroups", "get scannergroups", "list scanners", "get scanners");
        String name = unique("Team");
        Response r = as(groupsOnly).contentType(ContentType.JSON)
                .body(Map.of("name", name, "scanners", List.of(member))).post(GROUPS);
        assertEquals(403, r.statusCode(), r.asString());
        assertTrue(r.jsonPath().getString("detail").contains("update scanners"), r.asString());
        assertNull(client.resources(io.mipo.operator.model.ScannerGroup.class).inNamespace(NS).withName(name.toLowerCase()).get(),
                "no half-made group");
        Map<String, String> labels = client.resources(Scanner.class).inNamespace(NS).withName(member).get().getMetadata().getLabels();
        assertTrue(labels == null || labels.keySet().stream().noneMatch(k -> k.startsWith("mipo.io/group")), "relabelled: " + labels);

        String groupsAndScanners = tokenOf("grouper2", "create scannergroups", "list scannergroups", "get scannergroups",
                "list scanners", "get scanners", "update scanners");
        as(groupsAndScanners).contentType(ContentType.JSON).body(Map.of("name", name, "scanners", List.of(member)))
                .post(GROUPS).then().statusCode(201);
    }

    @Test
    void bindingCreateAndDeleteThroughPatchNeedCreateAndDelete() {
        String admin = tokenOf("admin", "*");
        String id = unique("bound");
        as(admin).contentType(ContentType.JSON).body(Map.of("name", id)).post(SCANNERS).then().statusCode(201);
        String updateOnly = tokenOf("netsec", "update scannerbindings", "get scannerbindings", "get scanners");
        Response create = as(updateOnly).contentType(ContentType.JSON).body(Map.of("bindingMode", "ip", "bindingValue", "203.0.113.7"))
                .patch(SCANNERS + "/" + id);
        assertEquals(403, create.statusCode(), create.asString());
        assertTrue(create.jsonPath().getString("detail").contains("create scannerbindings"), create.asString());
        assertNull(client.resources(ScannerBinding.class).inNamespace(NS).withName(id).get());

        as(admin).contentType(ContentType.JSON).body(Map.of("bindingMode", "ip", "bindingValue", "203.0.113.7"))
                .patch(SCANNERS + "/" + id).then().statusCode(200);
        // changing it is an update, which the role has
        as(updateOnly).contentType(ContentType.JSON).body(Map.of("bindingMode", "ip", "bindingValue", "203.0.113.8"))
                .patch(SCANNERS + "/" + id).then().statusCode(200);
        Response delete = as(updateOnly).contentType(ContentType.JSON).body(Map.of("bindingMode", "none")).patch(SCANNERS + "/" + id);
        assertEquals(403, delete.statusCode(), delete.asString());
        assertTrue(delete.jsonPath().getString("detail").contains("delete scannerbindings"), delete.asString());
        assertNotNull(client.resources(ScannerBinding.class).inNamespace(NS).withName(id).get(), "the binding must stay");
    }

    @Test
    void answersThatCarryATokenOrKeyAreNeverStored() {
        String admin = tokenOf("admin", "*");
        String id = unique("nostore");
        Response created = as(admin).contentType(ContentType.JSON).body(Map.of("name", id)).post(SCANNERS);
        assertEquals(201, created.statusCode(), created.asString());
        assertEquals("no-store", created.header("Cache-Control"), "create answers the token");
        Response regenerated = as(admin).post(SCANNERS + "/" + id + "/regenerate-token");
        assertEquals(200, regenerated.statusCode(), regenerated.asString());
        assertEquals("no-store", regenerated.header("Cache-Control"), "regenerate-token answers the token");
        String token = regenerated.jsonPath().getString("token");
        assertNotNull(token, regenerated.asString());
        Response registered = AgentCalls.register(token);
        assertEquals(200, registered.statusCode(), registered.asString());
        assertEquals("no-store", registered.header("Cache-Control"), "register answers the API key");
        assertEquals("no-store", AgentCalls.register(token).header("Cache-Control"), "and so do its refusals");
    }

    @Test
    void leavingExternalModeRevokesTheApiKey() {
        String admin = tokenOf("admin", "*");
        String id = unique("mover");
        Response created = as(admin).contentType(ContentType.JSON).body(Map.of("name", id)).post(SCANNERS);
        assertEquals(201, created.statusCode(), created.asString());
        String key = AgentCalls.register(created.jsonPath().getString("token")).jsonPath().getString("apiKey");
        assertEquals(200, AgentCalls.heartbeat(key).statusCode());
        TestResources.modify(client, Scanner.class, NS, id, s -> {
            DeploymentSpec d = new DeploymentSpec();
            d.setMode(DeploymentMode.DaemonSet);
            s.getSpec().setDeployment(d);
        });
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Response hb = AgentCalls.heartbeat(key);
            assertEquals(401, hb.statusCode(), "the External key still works after the switch to DaemonSet: " + hb.asString());
        });
    }
}
