package io.mipo.operator.distribution;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.api.agent.AgentCalls;
import io.mipo.operator.credentials.CredentialFixtures;
import io.mipo.operator.credentials.CredentialService;
import io.mipo.operator.kube.Conditions;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.TokenState;
import io.mipo.operator.distribution.AgentLifecycleStatusContributor;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's life as the operator sees it: the heartbeat answer names the served and the minimum
 * agent version, a too-old agent is refused with 426 and the upgrade command, an older agent is
 * marked outdated (status condition and facade), and an uninstalled agent's scanner shows Offline,
 * reason Uninstalled, with its key revoked.
 */
@QuarkusTest
@TestProfile(AgentLifecycleTestProfile.class)
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class AgentLifecycleTest {

    @Inject
    KubernetesClient client;

    @Inject
    CredentialService credentials;

    private String registered(String ns, String name, String version) {
        CredentialService.IssuedToken issued = CredentialFixtures.createWithToken(client, credentials, ns, name);
        Map<String, Object> body = AgentCalls.registration(issued.token());
        body.put("version", version);
        Response r = AgentCalls.register(body);
        assertEquals(200, r.statusCode(), r.asString());
        return r.jsonPath().getString("apiKey");
    }

    @Test
    void theHeartbeatAnswerNamesTheServedAndTheMinimumVersion() {
        String ns = TestResources.freshNamespace(client);
        String key = registered(ns, "life-1", "1.5.0");
        Response r = AgentCalls.heartbeat(key, Map.of("version", "1.5.0", "state", "idle"));
        assertEquals(200, r.statusCode(), r.asString());
        assertEquals(AgentLifecycleTestProfile.SERVED, r.jsonPath().getString("agentVersion"), r.asString());
        assertEquals(AgentLifecycleTestProfile.MINIMUM, r.jsonPath().getString("minimumAgentVersion"), r.asString());
        assertEquals("0", r.jsonPath().getString("assignmentsVersion"), "the existing fields stay: " + r.asString());
        assertFalse(r.asString().contains("upgradeTo"), "automatic upgrades are off by default: no upgradeTo: " + r.asString());
    }

    @Test
    void anAgentBelowTheMinimumIsRefusedWith426AndTheUpgradeCommand() {
        String ns = TestResources.freshNamespace(client);
        String key = registered(ns, "life-old", "1.0.0");
        Response r = AgentCalls.heartbeat(key, Map.of("version", "0.9.3", "state", "idle"));
        assertEquals(426, r.statusCode(), r.asString());
        assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
        assertEquals("AGENT_OUTDATED", r.jsonPath().getString("code"), r.asString());
        String detail = r.jsonPath().getString("detail");
        assertTrue(detail.contains("0.9.3") && detail.contains(AgentLifecycleTestProfile.MINIMUM)
                && detail.contains("sudo /opt/mipo-scanner/bin/mipo-scanner upgrade")
                && detail.contains("/scanner/install | sudo MIPO_UPGRADE=1 sh"), detail);
        assertEquals(200, AgentCalls.heartbeat(key, Map.of("version", "1.0.0", "state", "idle")).statusCode(),
                "the minimum itself is accepted");
        assertEquals(200, AgentCalls.heartbeat(key, Map.of("state", "idle")).statusCode(),
                "a heartbeat without a version is accepted");

        // registration too, and the refused token stays usable
        CredentialService.IssuedToken issued = CredentialFixtures.createWithToken(client, credentials, ns, "life-old-2");
        Map<String, Object> body = AgentCalls.registration(issued.token());
        body.put("version", "0.4.0");
        Response refused = AgentCalls.register(body);
        assertEquals(426, refused.statusCode(), refused.asString());
        assertEquals("AGENT_OUTDATED", refused.jsonPath().getString("code"));
        body.put("version", "1.2.0");
        assertEquals(200, AgentCalls.register(body).statusCode(), "the token was not used up by the refusal");
    }

    @Test
    void anOlderAgentIsMarkedOutdatedInStatusAndFacade() {
        String ns = TestResources.freshNamespace(client);
        String key = registered(ns, "life-outdated", "1.4.2");
        assertEquals(200, AgentCalls.heartbeat(key, Map.of("version", "1.4.2", "state", "idle")).statusCode());
        Scanner s = TestResources.awaitStatus(client, ns, "life-outdated", x -> x.getStatus() != null
                && Conditions.find(x.getStatus().getConditions(), AgentLifecycleStatusContributor.AGENT_OUTDATED) != null);
        Condition c = Conditions.find(s.getStatus().getConditions(), AgentLifecycleStatusContributor.AGENT_OUTDATED);
        assertEquals("True", c.getStatus(), TestResources.describe(s));
        assertEquals("Outdated", c.getReason());
        assertTrue(c.getMessage().contains("1.4.2") && c.getMessage().contains(AgentLifecycleTestProfile.SERVED), c.getMessage());

        String current = registered(ns, "life-current", "1.5.0");
        assertEquals(200, AgentCalls.heartbeat(current, Map.of("version", "1.5.0", "state", "idle")).statusCode());
        Scanner fresh = TestResources.awaitStatus(client, ns, "life-current", x -> x.getStatus() != null
                && Conditions.find(x.getStatus().getConditions(), AgentLifecycleStatusContributor.AGENT_OUTDATED) != null);
        assertEquals("False", Conditions.find(fresh.getStatus().getConditions(), AgentLifecycleStatusContributor.AGENT_OUTDATED).getStatus(),
                TestResources.describe(fresh));
    }

    @Test
    void anUninstalledAgentLeavesAnOfflineScannerWithReasonUninstalledAndARevokedKey() {
        String ns = TestResources.freshNamespace(client);
        String key = registered(ns, "life-gone", "1.5.0");
        assertEquals(200, AgentCalls.heartbeat(key, Map.of("version", "1.5.0", "state", "idle")).statusCode());
        TestResources.awaitStatus(client, ns, "life-gone", x -> x.getStatus() != null && x.getStatus().getPhase() == Phase.Active);

        assertEquals(401, RestAssured.given().contentType("application/json").body("{}").post("/scanner/uninstall").statusCode(),
                "no key, no uninstall");
        Response r = RestAssured.given().contentType("application/json").header("Authorization", "Bearer " + key)
                .body("{\"hostname\":\"edge-host-1\"}").post("/scanner/uninstall");
        assertEquals(200, r.statusCode(), r.asString());
        assertEquals("life-gone", r.jsonPath().getString("scannerId"));
        assertNotNull(r.jsonPath().getString("uninstalledAt"));

        assertEquals(401, AgentCalls.heartbeat(key, Map.of("state", "idle")).statusCode(), "the key is revoked");
        Scanner s = TestResources.awaitStatus(client, ns, "life-gone", x -> x.getStatus() != null
                && x.getStatus().getPhase() == Phase.Offline);
        Condition registeredCondition = Conditions.find(s.getStatus().getConditions(), Conditions.REGISTERED);
        assertEquals("False", registeredCondition.getStatus(), TestResources.describe(s));
        assertEquals(AgentLifecycleStatusContributor.REASON_UNINSTALLED, registeredCondition.getReason(), TestResources.describe(s));
        assertEquals(TokenState.Revoked, s.getStatus().getToken().getState(), TestResources.describe(s));
        assertNotNull(client.resources(Scanner.class).inNamespace(ns).withName("life-gone").get(), "the scanner stays");
    }
}
