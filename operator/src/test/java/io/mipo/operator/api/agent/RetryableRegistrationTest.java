package io.mipo.operator.api.agent;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.credentials.CredentialFixtures;
import io.mipo.operator.credentials.CredentialService;
import io.mipo.operator.kube.Conditions;
import io.mipo.operator.liveness.LivenessTestProfile;
import io.mipo.operator.liveness.RegistrationProgress;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A registration whose answer was lost is repeated with the same token and registrationId. */
@QuarkusTest
@TestProfile(LivenessTestProfile.class)
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class RetryableRegistrationTest {

    @Inject
    KubernetesClient client;

    @Inject
    CredentialService credentials;

    private static Response register(String token, String registrationId) {
        Map<String, Object> body = AgentCalls.registration(token);
        if (registrationId != null) {
            body.put("registrationId", registrationId);
        }
        return AgentCalls.register(body);
    }

    @Test
    void aRepeatWithTheSameIdGetsANewKeyAndRevokesTheEarlierOneAnyOtherReuseIsTokenUsed() {
        String ns = TestResources.freshNamespace(client);
        CredentialService.IssuedToken issued = CredentialFixtures.createWithToken(client, credentials, ns, "retry-1");
        String id = UUID.randomUUID().toString();

        Response first = register(issued.token(), id);
        assertEquals(200, first.statusCode(), first.asString());
        String lostKey = first.jsonPath().getString("apiKey"); // the answer the agent never received

        Response again = register(issued.token(), id);
        assertEquals(200, again.statusCode(), "the same token and registrationId again: " + again.asString());
        String key = again.jsonPath().getString("apiKey");
        assertNotEquals(lostKey, key, "a retry gets a new key");
        assertEquals("retry-1", again.jsonPath().getString("scannerId"));

        Response old = AgentCalls.heartbeat(lostKey);
        assertEquals(401, old.statusCode(), "the earlier attempt's key must be revoked: " + old.asString());
        Response ok = AgentCalls.heartbeat(key);
        assertEquals(200, ok.statusCode(), ok.asString());

        Response otherId = register(issued.token(), UUID.randomUUID().toString());
        assertEquals(401, otherId.statusCode(), otherId.asString());
        assertEquals("TOKEN_USED", otherId.jsonPath().getString("code"));
        Response noId = register(issued.token(), null);
        assertEquals(401, noId.statusCode(), noId.asString());
        assertEquals("TOKEN_USED", noId.jsonPath().getString("code"));
        assertEquals(200, AgentCalls.heartbeat(key).statusCode(), "a refused reuse must not touch the valid key");
    }

    @Test
    void aTokenUsedWithoutAnIdIsNotRetryableAndAMalformedIdIsAFieldError() {
        String ns = TestResources.freshNamespace(client);
        CredentialService.IssuedToken issued = CredentialFixtures.createWithToken(client, credentials, ns, "retry-2");
        Response bad = register(issued.token(), "not-a-uuid");
        assertEquals(400, bad.statusCode(), bad.asString());
        assertEquals("registrationId", bad.jsonPath().getString("errors[0].field"), bad.asString());

        assertEquals(200, register(issued.token(), null).statusCode());
        Response withId = register(issued.token(), UUID.randomUUID().toString());
        assertEquals(401, withId.statusCode(), withId.asString());
        assertEquals("TOKEN_USED", withId.jsonPath().getString("code"));
    }

    @Test
    void aConsumedTokenWhoseAgentNeverHeartbeatsShowsRegistrationIncomplete() {
        String ns = TestResources.freshNamespace(client);
        CredentialService.IssuedToken silent = CredentialFixtures.createWithToken(client, credentials, ns, "never-beats");
        CredentialService.IssuedToken healthy = CredentialFixtures.createWithToken(client, credentials, ns, "beats");
        assertEquals(200, register(silent.token(), UUID.randomUUID().toString()).statusCode());
        String key = register(healthy.token(), UUID.randomUUID().toString()).jsonPath().getString("apiKey");
        assertEquals(200, AgentCalls.heartbeat(key).statusCode());

        // offline-after is 3 s in this profile
        Scanner s = TestResources.awaitStatus(client, ns, "never-beats", x -> x.getStatus() != null
                && Conditions.find(x.getStatus().getConditions(), Conditions.REGISTERED) != null
                && RegistrationProgress.REASON.equals(Conditions.find(x.getStatus().getConditions(), Conditions.REGISTERED).getReason()));
        var c = Conditions.find(s.getStatus().getConditions(), Conditions.REGISTERED);
        assertEquals("False", c.getStatus(), TestResources.describe(s));
        assertTrue(c.getMessage().contains("Regenerate the token"), c.getMessage());
        assertTrue(!c.getMessage().contains("mipo_pt_") && !c.getMessage().contains("mipo_sk_"), c.getMessage());

        Scanner b = TestResources.awaitStatus(client, ns, "beats", x -> x.getStatus() != null && x.getStatus().getRegisteredAt() != null);
        assertEquals("Registered", Conditions.find(b.getStatus().getConditions(), Conditions.REGISTERED).getReason(), TestResources.describe(b));
    }
}
