package io.mipo.operator.api.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.credentials.CredentialFixtures;
import io.mipo.operator.credentials.CredentialService;
import io.mipo.operator.credentials.LateRegistrations;
import io.mipo.operator.credentials.TokenFormat;
import io.mipo.operator.credentials.TokenKind;
import io.mipo.operator.liveness.LivenessTestProfile;
import io.mipo.operator.liveness.LivenessView;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The heartbeat's answer as agents read it, now that it is answered on the event loop and written
 * by {@link HeartbeatResponseWriter}; and the calls that must leave the event loop (a key this
 * replica does not know, sent with the scanner hint: {@link LateRegistrations} reads the API) are
 * still answered, with the same refusal.
 */
@QuarkusTest
@TestProfile(LivenessTestProfile.class)
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class HeartbeatAnswerTest {

    @Inject
    KubernetesClient client;

    @Inject
    CredentialService credentials;

    @Inject
    LivenessView view;

    @Inject
    ObjectMapper mapper;

    @Test
    void theAnswerIsJsonWithTheDocumentedFieldsAndNoUpgradeToUnlessDue() throws Exception {
        String ns = TestResources.freshNamespace(client);
        Response reg = AgentCalls.register(CredentialFixtures.createWithToken(client, credentials, ns, "ans-1").token());
        assertEquals(200, reg.statusCode(), reg.asString());
        String key = reg.jsonPath().getString("apiKey");

        Response r = AgentCalls.heartbeat(key, Map.of("version", "1.5.0", "state", "scanning"));
        assertEquals(200, r.statusCode(), r.asString());
        assertTrue(r.contentType().startsWith("application/json"), "Content-Type " + r.contentType());
        JsonNode body = mapper.readTree(r.asByteArray());
        Set<String> fields = new TreeSet<>();
        body.fieldNames().forEachRemaining(fields::add);
        assertEquals(new TreeSet<>(List.of("disabled", "heartbeatIntervalSeconds", "assignmentsVersion", "agentVersion",
                "minimumAgentVersion")), fields, "fields of " + body);
        assertFalse(body.get("disabled").asBoolean(), body.toString());
        assertEquals(1, body.get("heartbeatIntervalSeconds").asInt(), body.toString());
        assertEquals("0", body.get("assignmentsVersion").asText(), body.toString());
        // what the writer sends is what the application's mapper makes of the same answer
        AgentMessages.HeartbeatResponse same = mapper.treeToValue(body, AgentMessages.HeartbeatResponse.class);
        assertEquals(body, mapper.readTree(mapper.writeValueAsBytes(same)), "answer " + body);
        assertEquals("scanning", view.report(ns, "ans-1").orElseThrow().state());
    }

    @Test
    void manyHeartbeatsOnFewConnectionsAreAllAnsweredAndCounted() {
        String ns = TestResources.freshNamespace(client);
        Response reg = AgentCalls.register(CredentialFixtures.createWithToken(client, credentials, ns, "ans-2").token());
        assertEquals(200, reg.statusCode(), reg.asString());
        String key = reg.jsonPath().getString("apiKey");
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            statuses.add(AgentCalls.heartbeat(key, Map.of("state", i % 2 == 0 ? "idle" : "scanning")).statusCode());
        }
        assertEquals(List.of(200), statuses.stream().distinct().toList(), "statuses " + statuses);
        assertEquals("scanning", view.report(ns, "ans-2").orElseThrow().state(), "the last heartbeat's state is kept");
    }

    @Test
    void anUnknownKeyIsRefusedWithOrWithoutTheScannerHint() {
        String ns = TestResources.freshNamespace(client);
        CredentialFixtures.createWithToken(client, credentials, ns, "ans-3");
        String unknown = TokenFormat.generate(TokenKind.API_KEY);
        Response plain = AgentCalls.heartbeat(unknown, Map.of("state", "idle"));
        // With the hint, the call leaves the event loop: this replica reads the scanner's Secrets once.
        Response hinted = RestAssured.given().contentType(ContentType.JSON).body(Map.of("state", "idle"))
                .header("Authorization", "Bearer " + unknown).header(LateRegistrations.SCANNER_HEADER, "ans-3")
                .post("/scanner/heartbeat");
        Response malformed = AgentCalls.heartbeat("not-an-api-key", Map.of("state", "idle"));
        Response none = AgentCalls.heartbeat(null, Map.of("state", "idle"));
        for (Response r : List.of(plain, hinted, malformed, none)) {
            assertEquals(401, r.statusCode(), r.asString());
            assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
            assertEquals(AgentAuthenticator.INVALID_API_KEY, r.jsonPath().getString("code"), r.asString());
            assertFalse(r.asString().contains(unknown), "the key is never echoed: " + r.asString());
        }
    }

    @Test
    void aBadBodyIsRefusedWithFieldErrorsOnTheEventLoopToo() {
        String ns = TestResources.freshNamespace(client);
        Response reg = AgentCalls.register(CredentialFixtures.createWithToken(client, credentials, ns, "ans-4").token());
        String key = reg.jsonPath().getString("apiKey");
        Response bad = AgentCalls.heartbeat(key, Map.of("state", "sleeping"));
        assertEquals(400, bad.statusCode(), bad.asString());
        assertTrue(bad.contentType().startsWith("application/problem+json"), bad.contentType());
        assertTrue(bad.asString().contains("state"), bad.asString());
        Response notJson = RestAssured.given().contentType(ContentType.JSON).body("{\"state\":")
                .header("Authorization", "Bearer " + key).post("/scanner/heartbeat");
        assertEquals(400, notJson.statusCode(), notJson.asString());
    }
}
