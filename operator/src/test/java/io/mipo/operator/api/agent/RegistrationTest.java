package io.mipo.operator.api.agent;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.mipo.operator.credentials.CredentialFixtures;
import io.mipo.operator.credentials.CredentialSecrets;
import io.mipo.operator.credentials.CredentialService;
import io.mipo.operator.credentials.SecretDigest;
import io.mipo.operator.credentials.TokenFormat;
import io.mipo.operator.credentials.TokenKind;
import io.mipo.operator.kube.Conditions;
import io.mipo.operator.liveness.LivenessTestProfile;
import io.mipo.operator.liveness.WriteCounts;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.TokenState;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@TestProfile(LivenessTestProfile.class)
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class RegistrationTest {

    @Inject
    KubernetesClient client;

    @Inject
    CredentialService credentials;

    @Inject
    MeterRegistry registry;

    @io.quarkus.test.common.http.TestHTTPResource("/scanner/register")
    URI registerUri;

    @Test
    void aTokenIsExchangedForAnApiKeyAndOnlyItsHashIsKept() {
        String ns = TestResources.freshNamespace(client);
        CredentialService.IssuedToken issued = CredentialFixtures.createWithToken(client, credentials, ns, "edge-1");
        assertTrue(issued.token().matches("^mipo_pt_[0-9A-Za-z]{38}$"), "token format");
        assertEquals("curl -fsSL --proto '=https' " + LivenessTestProfile.PUBLIC_URL + "/scanner/install | sudo MIPO_TOKEN="
                + issued.token() + " sh", issued.installCommand());

        Secret before = CredentialFixtures.provisioning(client, ns, "edge-1");
        Map<String, String> data = CredentialFixtures.decoded(before);
        assertEquals(SecretDigest.hex(SecretDigest.sha256(issued.token())), data.get(CredentialSecrets.TOKEN_SHA256), TestResources.describe(before));
        assertEquals(issued.installCommand(), data.get(CredentialSecrets.INSTALL_COMMAND));
        assertEquals("provisioning", before.getMetadata().getLabels().get("mipo.io/component"));
        assertEquals("edge-1", before.getMetadata().getLabels().get("mipo.io/scanner"));
        assertEquals("mipo-scanner-operator", before.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
        assertEquals("Scanner", before.getMetadata().getOwnerReferences().get(0).getKind());
        TestResources.awaitStatus(client, ns, "edge-1", s -> s.getStatus() != null && s.getStatus().getToken() != null
                && s.getStatus().getToken().getState() == TokenState.Unused && s.getStatus().getPhase() == Phase.Pending);

        Response r = AgentCalls.register(issued.token());
        assertEquals(200, r.statusCode(), r.asString());
        String apiKey = r.jsonPath().getString("apiKey");
        assertEquals("edge-1", r.jsonPath().getString("scannerId"));
        assertEquals(1, r.jsonPath().getInt("heartbeatIntervalSeconds"));
        assertTrue(TokenFormat.isWellFormed(TokenKind.API_KEY, apiKey), "API key format");

        Map<String, String> consumed = CredentialFixtures.decoded(CredentialFixtures.provisioning(client, ns, "edge-1"));
        assertFalse(consumed.containsKey(CredentialSecrets.INSTALL_COMMAND), "install command must be gone after use: " + consumed.keySet());
        assertEquals("Consumed", consumed.get(CredentialSecrets.STATE));
        Secret keySecret = CredentialFixtures.credentialsSecret(client, ns, "edge-1");
        assertNotNull(keySecret, "credentials Secret");
        Map<String, String> keyData = CredentialFixtures.decoded(keySecret);
        assertEquals(SecretDigest.hex(SecretDigest.sha256(apiKey)), keyData.get(CredentialSecrets.API_KEY_SHA256));
        assertFalse(keyData.values().stream().anyMatch(v -> v.contains(apiKey)), "plaintext key stored: " + keyData);

        Scanner s = TestResources.awaitStatus(client, ns, "edge-1", x -> x.getStatus().getPhase() == Phase.Active
                && x.getStatus().getToken() != null && x.getStatus().getToken().getState() == TokenState.Consumed);
        assertNotNull(s.getStatus().getRegisteredAt(), TestResources.describe(s));
        assertTrue(Conditions.isTrue(s.getStatus().getConditions(), Conditions.REGISTERED), TestResources.describe(s));
        assertEquals("edge-host-1", s.getStatus().getAgent().getHostname(), TestResources.describe(s));
        assertEquals("linux", s.getStatus().getAgent().getOs(), TestResources.describe(s));
        assertEquals("127.0.0.1", s.getStatus().getAgent().getSourceAddress(), TestResources.describe(s));
        await().atMost(Duration.ofSeconds(10)).until(() -> client.v1().events().inNamespace(ns).list().getItems().stream()
                .anyMatch(e -> "Registered".equals(e.getReason()) && "edge-1".equals(e.getInvolvedObject().getName())));

        assertEquals(200, AgentCalls.heartbeat(apiKey).statusCode());
    }

    @Test
    void unknownMalformedUsedAndExpiredTokensEachGetTheirOwnCode() {
        String ns = TestResources.freshNamespace(client);
        CredentialService.IssuedToken issued = CredentialFixtures.createWithToken(client, credentials, ns, "edge-2");

        String unknown = TokenFormat.generate(TokenKind.PROVISIONING);
        expectCode(AgentCalls.register(unknown), 401, "TOKEN_INVALID");
        expectCode(AgentCalls.register("mipo_pt_short"), 401, "TOKEN_INVALID");
        String badChecksum = issued.token().substring(0, issued.token().length() - 1)
                + (issued.token().endsWith("A") ? "B" : "A");
        expectCode(AgentCalls.register(badChecksum), 401, "TOKEN_INVALID");
        expectCode(AgentCalls.register(TokenFormat.generate(TokenKind.API_KEY)), 401, "TOKEN_INVALID");

        assertEquals(200, AgentCalls.register(issued.token()).statusCode());
        expectCode(AgentCalls.register(issued.token()), 401, "TOKEN_USED");

        CredentialService.IssuedToken expiring = CredentialFixtures.createWithToken(client, credentials, ns, "edge-3");
        TestResources.modify(client, Secret.class, ns, CredentialSecrets.provisioningName("edge-3"), p ->
                p.getData().put(CredentialSecrets.EXPIRES_AT, Base64.getEncoder().encodeToString(
                        Instant.now().minusSeconds(60).toString().getBytes())));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                expectCode(AgentCalls.register(expiring.token()), 401, "TOKEN_EXPIRED"));
        Scanner s = TestResources.awaitStatus(client, ns, "edge-3", x -> x.getStatus() != null && x.getStatus().getToken() != null
                && x.getStatus().getToken().getState() == TokenState.Expired);
        await().atMost(Duration.ofSeconds(10)).until(() -> !CredentialFixtures.decoded(CredentialFixtures.provisioning(client, ns, "edge-3"))
                .containsKey(CredentialSecrets.INSTALL_COMMAND));
        await().atMost(Duration.ofSeconds(10)).until(() -> client.v1().events().inNamespace(ns).list().getItems().stream()
                .anyMatch(e -> "TokenExpired".equals(e.getReason())));
        assertEquals(Phase.Pending, s.getStatus().getPhase());

        CredentialService.IssuedToken first = CredentialFixtures.createWithToken(client, credentials, ns, "edge-4");
        Scanner edge4 = client.resources(Scanner.class).inNamespace(ns).withName("edge-4").get();
        CredentialService.IssuedToken second = credentials.issueToken(edge4, null);
        expectCode(AgentCalls.register(first.token()), 401, "TOKEN_INVALID");
        assertEquals(200, AgentCalls.register(second.token()).statusCode());
    }

    @Test
    void aFloodOfBadTokensMakesNoApiWrites() {
        String ns = TestResources.freshNamespace(client);
        CredentialService.IssuedToken used = CredentialFixtures.createWithToken(client, credentials, ns, "edge-5");
        assertEquals(200, AgentCalls.register(used.token()).statusCode());
        double secretsBefore = WriteCounts.of(registry, "secrets");
        double rejectedBefore = registry.find("mipo.registrations").tag("result", "token_invalid").counters().stream()
                .mapToDouble(c -> c.count()).sum();

        for (int i = 0; i < 100; i++) {
            expectCode(AgentCalls.register(TokenFormat.generate(TokenKind.PROVISIONING)), 401, "TOKEN_INVALID");
            expectCode(AgentCalls.register("mipo_pt_" + "x".repeat(38)), 401, "TOKEN_INVALID");
            expectCode(AgentCalls.register(used.token()), 401, "TOKEN_USED");
        }
        assertEquals(secretsBefore, WriteCounts.of(registry, "secrets"), "bad tokens caused Secret writes: " + WriteCounts.snapshot(registry));
        double rejectedAfter = registry.find("mipo.registrations").tag("result", "token_invalid").counters().stream()
                .mapToDouble(c -> c.count()).sum();
        assertEquals(rejectedBefore + 200, rejectedAfter, 0.1);
    }

    @Test
    void eightConcurrentRegistrationsOnOneTokenIssueExactlyOneKey() throws Exception {
        String ns = TestResources.freshNamespace(client);
        CredentialService.IssuedToken issued = CredentialFixtures.createWithToken(client, credentials, ns, "race");
        String body = "{\"token\":\"" + issued.token() + "\",\"hostname\":\"h\",\"version\":\"1\",\"os\":\"linux\",\"arch\":\"amd64\"}";
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(pool.submit(() -> {
                start.await();
                return http.send(HttpRequest.newBuilder(registerUri).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            }));
        }
        start.countDown();
        List<String> keys = new ArrayList<>();
        List<String> outcomes = new ArrayList<>();
        for (Future<HttpResponse<String>> f : calls) {
            HttpResponse<String> resp = f.get();
            outcomes.add(resp.statusCode() + " " + resp.body().replaceAll("mipo_sk_[0-9A-Za-z]+", "mipo_sk_…"));
            if (resp.statusCode() == 200) {
                keys.add(io.restassured.path.json.JsonPath.from(resp.body()).getString("apiKey"));
            } else {
                assertEquals(401, resp.statusCode(), outcomes.toString());
                assertTrue(resp.body().contains("TOKEN_USED"), outcomes.toString());
            }
        }
        pool.shutdown();
        assertEquals(1, keys.size(), "exactly one registration must win: " + outcomes);
        Secret keySecret = CredentialFixtures.credentialsSecret(client, ns, "race");
        assertEquals(SecretDigest.hex(SecretDigest.sha256(keys.get(0))),
                CredentialFixtures.decoded(keySecret).get(CredentialSecrets.API_KEY_SHA256));
        assertEquals(1, client.secrets().inNamespace(ns).withLabel("mipo.io/component", "credentials").list().getItems().size());
        assertEquals(200, AgentCalls.heartbeat(keys.get(0)).statusCode());
    }

    /**
     * A registration that consumed the token (with the key's hash recorded in the same write) but
     * crashed before writing the credentials Secret: the reconciler restores it, and the key works.
     */
    @Test
    void aRegistrationInterruptedBetweenItsTwoWritesIsRepaired() {
        String ns = TestResources.freshNamespace(client);
        CredentialFixtures.createWithToken(client, credentials, ns, "crashed");
        String apiKey = TokenFormat.generate(TokenKind.API_KEY);
        assertEquals(null, CredentialFixtures.credentialsSecret(client, ns, "crashed"));
        TestResources.modify(client, Secret.class, ns, CredentialSecrets.provisioningName("crashed"), p -> {
            Map<String, String> data = CredentialFixtures.decoded(p);
            data.remove(CredentialSecrets.INSTALL_COMMAND);
            data.put(CredentialSecrets.STATE, "Consumed");
            data.put(CredentialSecrets.CONSUMED_AT, Instant.now().minusSeconds(120).toString());
            data.put(CredentialSecrets.API_KEY_SHA256, SecretDigest.hex(SecretDigest.sha256(apiKey)));
            data.put(CredentialSecrets.AGENT, "{\"hostname\":\"crash-host\",\"os\":\"linux\"}");
            Map<String, String> encoded = new java.util.LinkedHashMap<>();
            data.forEach((k, v) -> encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
            p.setData(encoded);
        });
        // (Whether the key is refused for the moment before the repair depends on how fast the
        // reconciler sees the change, so only the repaired end state is asserted.)

        await().atMost(Duration.ofSeconds(20)).until(() -> CredentialFixtures.credentialsSecret(client, ns, "crashed") != null);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(200, AgentCalls.heartbeat(apiKey).statusCode()));
        Scanner s = TestResources.awaitStatus(client, ns, "crashed", x -> x.getStatus().getPhase() == Phase.Active);
        assertEquals("crash-host", s.getStatus().getAgent().getHostname(), TestResources.describe(s));
    }

    @Test
    void registrationInputIsBounded() {
        Map<String, Object> body = AgentCalls.registration(TokenFormat.generate(TokenKind.PROVISIONING));
        body.put("hostname", "h".repeat(300));
        body.put("os", "linux; rm -rf /");
        Response r = AgentCalls.register(body);
        assertEquals(400, r.statusCode(), r.asString());
        assertTrue(r.asString().contains("hostname") && r.asString().contains("os"), r.asString());
        body = AgentCalls.registration(null);
        r = AgentCalls.register(body);
        assertEquals(400, r.statusCode(), r.asString());
        assertTrue(r.jsonPath().getString("detail").contains("token is required"), r.asString());
        r = RestAssured.given().contentType("application/json").body("null").post("/scanner/register");
        expectCode(r, 400, "MALFORMED_JSON"); // a JSON null binds to no request (it was a 500)
    }

    static void expectCode(Response r, int status, String code) {
        assertEquals(status, r.statusCode(), r.asString());
        assertEquals(code, r.jsonPath().getString("code"), r.asString());
        assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
    }
}
