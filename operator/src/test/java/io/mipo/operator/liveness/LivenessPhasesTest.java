package io.mipo.operator.liveness;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.api.agent.AgentCalls;
import io.mipo.operator.credentials.CredentialFixtures;
import io.mipo.operator.credentials.CredentialSecrets;
import io.mipo.operator.credentials.CredentialService;
import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.kube.Conditions;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.TokenState;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pending → Active → Offline → Active, regeneration and deletion, with offline-after = 3 s. */
@QuarkusTest
@TestProfile(LivenessTestProfile.class)
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class LivenessPhasesTest {
    private static final long OFFLINE_AFTER_MS = 3_000;

    @Inject
    KubernetesClient client;

    @Inject
    CredentialService credentials;

    private String register(CredentialService.IssuedToken issued) {
        Response r = AgentCalls.register(issued.token());
        assertEquals(200, r.statusCode(), r.asString());
        return r.jsonPath().getString("apiKey");
    }

    @Test
    void pendingUntilRegisteredThenActiveThenOfflineAndBackWithEvents() {
        String ns = TestResources.freshNamespace(client);
        CredentialService.IssuedToken issued = CredentialFixtures.createWithToken(client, credentials, ns, "live-1");
        Scanner pending = TestResources.awaitStatus(client, ns, "live-1", x -> x.getStatus() != null && x.getStatus().getPhase() != null);
        assertEquals(Phase.Pending, pending.getStatus().getPhase(), TestResources.describe(pending));
        assertFalse(Conditions.isTrue(pending.getStatus().getConditions(), Conditions.REGISTERED));

        String key = register(issued);
        TestResources.awaitStatus(client, ns, "live-1", x -> x.getStatus().getPhase() == Phase.Active);
        for (int i = 0; i < 3; i++) {
            assertEquals(200, AgentCalls.heartbeat(key).statusCode());
            sleep(500);
        }
        long lastHeartbeat = System.currentTimeMillis();
        Scanner offline = TestResources.awaitStatus(client, ns, "live-1", x -> x.getStatus().getPhase() == Phase.Offline);
        long tookMs = System.currentTimeMillis() - lastHeartbeat;
        assertTrue(tookMs >= OFFLINE_AFTER_MS - 500, "went Offline too early, after " + tookMs + " ms");
        assertTrue(tookMs <= OFFLINE_AFTER_MS + 10_000, "went Offline too late, after " + tookMs + " ms");
        assertEquals("False", Conditions.find(offline.getStatus().getConditions(), Conditions.READY).getStatus());
        awaitEvent(ns, "live-1", "WentOffline");

        long back = System.currentTimeMillis();
        assertEquals(200, AgentCalls.heartbeat(key).statusCode());
        TestResources.awaitStatus(client, ns, "live-1", x -> x.getStatus().getPhase() == Phase.Active);
        long backMs = System.currentTimeMillis() - back;
        assertTrue(backMs <= 5_000, "Active again only after " + backMs + " ms");
        awaitEvent(ns, "live-1", "BackOnline");
    }

    @Test
    void heartbeatsTakenByAnotherReplicaKeepTheScannerActive() throws Exception {
        String ns = TestResources.freshNamespace(client);
        CredentialService.IssuedToken issued = CredentialFixtures.createWithToken(client, credentials, ns, "live-2");
        register(issued); // taken by this replica (replica-a)
        ScannerRef ref = new ScannerRef(ns, "live-2");
        // replica-b: another operator replica's ledger, writing to the same API server.
        HeartbeatLedger replicaB = new HeartbeatLedger(client, "mipo-system", "replica-b",
                LivenessSettings.of(Duration.ofSeconds(1), Duration.ofMillis(OFFLINE_AFTER_MS), Duration.ofSeconds(2), Duration.ofMillis(500), 30));
        AtomicBoolean beating = new AtomicBoolean(true);
        Thread b = new Thread(() -> {
            while (beating.get()) {
                long now = System.currentTimeMillis();
                replicaB.record(ref, now, "9.9.9", "host-on-b", null, "192.0.2.10");
                replicaB.flushIfDue(now, r -> -1);
                sleep(300);
            }
        });
        b.start();
        try {
            long until = System.currentTimeMillis() + 3 * OFFLINE_AFTER_MS;
            while (System.currentTimeMillis() < until) {
                Scanner s = client.resources(Scanner.class).inNamespace(ns).withName("live-2").get();
                assertFalse(s.getStatus() != null && s.getStatus().getPhase() == Phase.Offline,
                        "Offline although replica-b keeps taking heartbeats: " + TestResources.describe(s));
                sleep(250);
            }
            Scanner s = TestResources.awaitStatus(client, ns, "live-2", x -> x.getStatus().getPhase() == Phase.Active);
            assertTrue(client.configMaps().inNamespace("mipo-system").withName("mipo-heartbeats-replica-b-0").get() != null,
                    "replica-b's ledger");
            // Agent facts seen only by replica-b reach status.agent too (after status-refresh).
            s = TestResources.awaitStatus(client, ns, "live-2", x -> x.getStatus().getAgent() != null
                    && "9.9.9".equals(x.getStatus().getAgent().getVersion()));
            assertEquals("192.0.2.10", s.getStatus().getAgent().getSourceAddress(), TestResources.describe(s));
        } finally {
            beating.set(false);
            b.join();
        }
        long stopped = System.currentTimeMillis();
        TestResources.awaitStatus(client, ns, "live-2", x -> x.getStatus().getPhase() == Phase.Offline);
        assertTrue(System.currentTimeMillis() - stopped <= OFFLINE_AFTER_MS + 10_000);

        // Heard from again, by replica-b only: Active again as soon as b's ledger says so.
        long now = System.currentTimeMillis();
        replicaB.record(ref, now, null, null, null, "192.0.2.10");
        replicaB.flushIfDue(now, r -> -1);
        TestResources.awaitStatus(client, ns, "live-2", x -> x.getStatus().getPhase() == Phase.Active);
        long backMs = System.currentTimeMillis() - now;
        assertTrue(backMs <= 5_000, "Active again only after " + backMs + " ms");
    }

    @Test
    void regeneratingRevokesTheOldTokenAndTheKeyAtOnce() {
        String ns = TestResources.freshNamespace(client);
        CredentialService.IssuedToken first = CredentialFixtures.createWithToken(client, credentials, ns, "regen");
        String key = register(first);
        TestResources.awaitStatus(client, ns, "regen", x -> x.getStatus().getPhase() == Phase.Active);
        assertEquals(200, AgentCalls.heartbeat(key).statusCode());

        Scanner scanner = client.resources(Scanner.class).inNamespace(ns).withName("regen").get();
        CredentialService.IssuedToken second = credentials.issueToken(scanner, null);
        // From the moment regenerate returns: the key and the old token are dead.
        assertEquals("INVALID_API_KEY", AgentCalls.heartbeat(key).jsonPath().getString("code"));
        assertEquals("TOKEN_INVALID", AgentCalls.register(first.token()).jsonPath().getString("code"));
        assertNull(CredentialFixtures.credentialsSecret(client, ns, "regen"));

        Scanner s = TestResources.awaitStatus(client, ns, "regen", x -> x.getStatus().getPhase() == Phase.Pending);
        assertEquals(TokenState.Unused, s.getStatus().getToken().getState(), TestResources.describe(s));
        assertNull(s.getStatus().getRegisteredAt(), TestResources.describe(s));
        awaitEvent(ns, "regen", "TokenRegenerated");

        String newKey = register(second);
        TestResources.awaitStatus(client, ns, "regen", x -> x.getStatus().getPhase() == Phase.Active);
        assertEquals(200, AgentCalls.heartbeat(newKey).statusCode());
        assertEquals("INVALID_API_KEY", AgentCalls.heartbeat(key).jsonPath().getString("code"));
    }

    @Test
    void deletingThroughTheFacadeRevokesBeforeItReturns() {
        String ns = TestResources.freshNamespace(client);
        String key = register(CredentialFixtures.createWithToken(client, credentials, ns, "gone-1"));
        assertEquals(200, AgentCalls.heartbeat(key).statusCode());
        Scanner scanner = client.resources(Scanner.class).inNamespace(ns).withName("gone-1").get();
        credentials.revokeAll(scanner);
        assertEquals("INVALID_API_KEY", AgentCalls.heartbeat(key).jsonPath().getString("code"));
        client.resource(scanner).delete();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                client.resources(Scanner.class).inNamespace(ns).withName("gone-1").get() == null
                        && CredentialFixtures.provisioning(client, ns, "gone-1") == null
                        && CredentialFixtures.credentialsSecret(client, ns, "gone-1") == null);
    }

    @Test
    void deletingWithKubectlRevokesAsSoonAsTheDeletionIsSeen() {
        String ns = TestResources.freshNamespace(client);
        String key = register(CredentialFixtures.createWithToken(client, credentials, ns, "gone-2"));
        TestResources.awaitStatus(client, ns, "gone-2", x -> x.getMetadata().getFinalizers() != null && !x.getMetadata().getFinalizers().isEmpty());
        assertEquals(200, AgentCalls.heartbeat(key).statusCode());
        client.resources(Scanner.class).inNamespace(ns).withName("gone-2").delete();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertEquals("INVALID_API_KEY", AgentCalls.heartbeat(key).jsonPath().getString("code")));
        await().atMost(Duration.ofSeconds(20)).until(() -> CredentialFixtures.provisioning(client, ns, "gone-2") == null
                && CredentialFixtures.credentialsSecret(client, ns, "gone-2") == null);
    }

    @Test
    void aScannerCreatedWithKubectlGetsATokenInItsSecret() {
        String ns = TestResources.freshNamespace(client);
        client.resource(TestResources.scanner(ns, "gitops-1", null)).create();
        String token = CredentialFixtures.tokenFromSecret(client, ns, "gitops-1");
        assertTrue(token.matches("^mipo_pt_[0-9A-Za-z]{38}$"), "token from the install command");
        Scanner s = TestResources.awaitStatus(client, ns, "gitops-1", x -> x.getStatus() != null && x.getStatus().getToken() != null);
        assertEquals(TokenState.Unused, s.getStatus().getToken().getState());
        Response r = AgentCalls.register(token);
        assertEquals(200, r.statusCode(), r.asString());
        TestResources.awaitStatus(client, ns, "gitops-1", x -> x.getStatus().getPhase() == Phase.Active
                && x.getStatus().getToken().getState() == TokenState.Consumed);
        // Used once, the Secret keeps no plaintext and no new token is issued.
        sleep(2500);
        assertFalse(CredentialFixtures.decoded(CredentialFixtures.provisioning(client, ns, "gitops-1"))
                .containsKey(CredentialSecrets.INSTALL_COMMAND));
        assertEquals(200, AgentCalls.heartbeat(r.jsonPath().getString("apiKey")).statusCode());
    }

    private void awaitEvent(String ns, String scanner, String reason) {
        try {
            await().atMost(Duration.ofSeconds(15)).until(() -> events(ns).stream()
                    .anyMatch(e -> reason.equals(e.getReason()) && scanner.equals(e.getInvolvedObject().getName())));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("no " + reason + " event for " + scanner + "; events: "
                    + events(ns).stream().map(x -> x.getReason() + ": " + x.getMessage()).collect(Collectors.joining("; ")), e);
        }
    }

    private List<Event> events(String ns) {
        return client.v1().events().inNamespace(ns).list().getItems();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
