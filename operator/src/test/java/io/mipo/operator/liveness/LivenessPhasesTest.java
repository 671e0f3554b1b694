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
import io.mipo.operator.scanner.ScannerConditions;
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
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pending → Active → Offline → Active, regeneration and deletion, with offline-after = 3 s. The timing
 * rules (Offline exactly after offline-after, back at once) are checked on an {@link InjectedClock}.
 */
@QuarkusTest
@TestProfile(LivenessTestProfile.class)
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class LivenessPhasesTest {
    private static final long OFFLINE_AFTER_MS = 3_000;
    /** How often the leader's sweeper looks, and its liveness thread ticks: offline-after / 8. */
    private static final long SWEEP_MS = OFFLINE_AFTER_MS / 8;

    @Inject
    KubernetesClient client;

    @Inject
    CredentialService credentials;

    @Inject
    Liveness liveness;

    @Inject
    Leadership leadership;

    @Inject
    io.mipo.operator.credentials.CredentialIndex index;

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

        awaitGraceOver();
        // From here the time liveness sees is the test's: the boundaries are exact, whatever the load of the machine.
        try (InjectedClock clock = new InjectedClock()) {
            String key = register(issued);
            clock.set(Instant.now()); // not before the registration, which counts as a heartbeat
            TestResources.awaitStatus(client, ns, "live-1", x -> x.getStatus().getPhase() == Phase.Active);
            for (int i = 0; i < 3; i++) {
                clock.advance(Duration.ofMillis(500));
                assertEquals(200, AgentCalls.heartbeat(key).statusCode());
            }
            Instant lastHeartbeat = clock.instant();
            // Sweep by sweep up to exactly offline-after after the last heartbeat: still Active (the limit counts as Active).
            walkActive(clock, ns, "live-1", lastHeartbeat.plusMillis(OFFLINE_AFTER_MS));
            // One sweep period later the leader has noticed.
            clock.set(lastHeartbeat.plusMillis(OFFLINE_AFTER_MS + SWEEP_MS));
            Scanner offline = TestResources.awaitStatus(client, ns, "live-1", x -> x.getStatus().getPhase() == Phase.Offline);
            // Ready says the operator has done its part (docs/gitops.md); the agent's state is AgentConnected.
            assertEquals("True", Conditions.find(offline.getStatus().getConditions(), Conditions.READY).getStatus());
            assertEquals("False", Conditions.find(offline.getStatus().getConditions(), ScannerConditions.AGENT_CONNECTED).getStatus());
            awaitEvent(ns, "live-1", "WentOffline");

            // Back at once on the next heartbeat: the clock stands still, so no sweep is due; the heartbeat itself asks.
            assertEquals(200, AgentCalls.heartbeat(key).statusCode());
            TestResources.awaitStatus(client, ns, "live-1", x -> x.getStatus().getPhase() == Phase.Active);
            awaitEvent(ns, "live-1", "BackOnline");
        }
    }

    @Test
    void heartbeatsTakenByAnotherReplicaKeepTheScannerActive() throws Exception {
        String ns = TestResources.freshNamespace(client);
        CredentialService.IssuedToken issued = CredentialFixtures.createWithToken(client, credentials, ns, "live-2");
        ScannerRef ref = new ScannerRef(ns, "live-2");
        // replica-b: another operator replica's ledger, writing to the same API server.
        HeartbeatLedger replicaB = new HeartbeatLedger(client, "mipo-system", "replica-b",
                LivenessSettings.of(Duration.ofSeconds(1), Duration.ofMillis(OFFLINE_AFTER_MS), Duration.ofSeconds(2), Duration.ofMillis(500), 30));
        awaitGraceOver();
        try (InjectedClock clock = new InjectedClock()) {
            register(issued); // taken by this replica (replica-a)
            clock.set(Instant.now());
            TestResources.awaitStatus(client, ns, "live-2", x -> x.getStatus() != null && x.getStatus().getPhase() == Phase.Active);
            // For 3 × offline-after of the test's time, only replica-b takes heartbeats, every 300 ms.
            Instant end = clock.instant().plusMillis(3 * OFFLINE_AFTER_MS);
            long last = 0;
            while (clock.instant().isBefore(end)) {
                clock.advance(Duration.ofMillis(300));
                last = clock.millis();
                replicaB.record(ref, last, "9.9.9", "host-on-b", null, "192.0.2.10");
                if (replicaB.flushIfDue(last, r -> -1) > 0) {
                    awaitLedgerSeen(ref, last);
                }
                Scanner s = client.resources(Scanner.class).inNamespace(ns).withName("live-2").get();
                assertFalse(s.getStatus() != null && s.getStatus().getPhase() == Phase.Offline,
                        "Offline although replica-b keeps taking heartbeats: " + TestResources.describe(s));
            }
            Scanner s = TestResources.awaitStatus(client, ns, "live-2", x -> x.getStatus().getPhase() == Phase.Active);
            assertTrue(client.configMaps().inNamespace("mipo-system").withName("mipo-heartbeats-replica-b-0").get() != null,
                    "replica-b's ledger");
            // Agent facts seen only by replica-b reach status.agent too (status-refresh has passed on the test's clock).
            s = TestResources.awaitStatus(client, ns, "live-2", x -> x.getStatus().getAgent() != null
                    && "9.9.9".equals(x.getStatus().getAgent().getVersion()));
            assertEquals("192.0.2.10", s.getStatus().getAgent().getSourceAddress(), TestResources.describe(s));

            // replica-b stops: Active up to exactly offline-after after its last heartbeat, Offline right after.
            if (replicaB.flushIfDue(last + 1_000, r -> -1) > 0) {
                awaitLedgerSeen(ref, last);
            }
            walkActive(clock, ns, "live-2", Instant.ofEpochMilli(last + OFFLINE_AFTER_MS));
            clock.set(Instant.ofEpochMilli(last + OFFLINE_AFTER_MS + SWEEP_MS));
            TestResources.awaitStatus(client, ns, "live-2", x -> x.getStatus().getPhase() == Phase.Offline);

            // Heard from again, by replica-b only: Active again as soon as b's ledger says so (the clock stands still).
            long now = clock.millis();
            replicaB.record(ref, now, null, null, null, "192.0.2.10");
            replicaB.flushIfDue(now, r -> -1);
            TestResources.awaitStatus(client, ns, "live-2", x -> x.getStatus().getPhase() == Phase.Active);

            // replica-c leaves out of its ledger the facts that equal the registration's; every reader fills
            // them in from the registration, so the agent looks the same whichever replica heard it last.
            AgentFacts registered = index.registration(ref).map(io.mipo.operator.credentials.CredentialRecord::agent)
                    .map(a -> AgentFacts.of(a.version(), a.hostname(), a.internalIp(), a.sourceAddress())).orElseThrow();
            HeartbeatLedger replicaC = new HeartbeatLedger(client, "mipo-system", "replica-c",
                    LivenessSettings.of(Duration.ofSeconds(1), Duration.ofMillis(OFFLINE_AFTER_MS), Duration.ofSeconds(2), Duration.ofMillis(500), 30),
                    r -> r.equals(ref) ? registered : null);
            long later = now + 100;
            replicaC.record(ref, later, registered.version(), registered.hostname(), registered.internalIp(), registered.sourceAddress());
            assertTrue(replicaC.flush(later) > 0);
            String text = client.configMaps().inNamespace("mipo-system").withName("mipo-heartbeats-replica-c-0").get().getData().get(HeartbeatLedger.DATA_KEY);
            assertTrue(text.contains("\nlive-2\t0\n"), "no facts written: " + text);
            awaitLedgerSeen(ref, later);
            assertEquals(registered, liveness.sighting(ref).orElseThrow().facts());
        }
    }

    /** A freshly started leader holds every phase for one offline-after (docs/liveness.md); these tests start after it. */
    private void awaitGraceOver() {
        Instant until = leadership.graceUntil(Instant.now(), Duration.ofMillis(OFFLINE_AFTER_MS));
        while (Instant.now().isBefore(until)) {
            sleep(100);
        }
    }

    /** Replica A has read replica-b's ledger up to {@code atMillis} (its informer delivers it): the test's clock may move on. */
    private void awaitLedgerSeen(ScannerRef ref, long atMillis) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> liveness.lastSeen(ref) >= atMillis);
    }

    /**
     * Moves the clock to {@code to} one sweep period at a time, letting the liveness thread tick (and
     * sweep) at each step, and checks that the scanner is Active at every step.
     */
    private void walkActive(InjectedClock clock, String ns, String name, Instant to) {
        while (clock.instant().isBefore(to)) {
            Instant next = clock.instant().plusMillis(SWEEP_MS);
            clock.set(next.isAfter(to) ? to : next);
            sleep(SWEEP_MS + 100); // a tick of the liveness thread comes every sweep period (offline-after / 8)
            Scanner s = client.resources(Scanner.class).inNamespace(ns).withName(name).get();
            assertEquals(Phase.Active, s.getStatus().getPhase(), "not Active " + (to.toEpochMilli() - clock.millis())
                    + " ms before offline-after had passed: " + TestResources.describe(s));
        }
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
