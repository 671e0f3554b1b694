package io.mipo.operator.liveness;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.mipo.operator.api.agent.AgentCalls;
import io.mipo.operator.credentials.CredentialFixtures;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fleet of 24 scanners goes silent at once and comes back, against the real reconciler, API server
 * (mock) and liveness thread, with the budget of {@link ManyTransitionsProfile} and the time on an
 * {@link InjectedClock}: however slowly the machine runs, no more phase changes reach status than the
 * budget allows for the test's time, and all of them do in the end.
 */
@QuarkusTest
@TestProfile(ManyTransitionsProfile.class)
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class ManyTransitionsTest {
    private static final int N = 24;
    private static final long OFFLINE_AFTER_MS = 20_000;
    /** offline-after / 8: how often the leader sweeps, on the test's clock. */
    private static final long SWEEP_MS = 2_500;
    /** How often the liveness thread ticks in real time (offline-after / 8, at most 1 s), and drains the queue. */
    private static final long TICK_MS = 1_000;
    private static final long STEP_MS = 500;

    @Inject
    KubernetesClient client;

    @Inject
    Leadership leadership;

    @Inject
    MeterRegistry registry;

    @Inject
    io.mipo.operator.api.config.ScannerIndex facade;

    @Test
    void aFleetWideOutageIsWrittenSlowlyInOneEventAndTheRecoveryAtTheRate() {
        // The facade's namespace, so that what the UI shows is checked beside the status.
        String ns = facade.namespace();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            client.resource(TestResources.scanner(ns, "many-" + i, null)).create(); // as kubectl does: the operator issues the token
        }
        for (int i = 0; i < N; i++) {
            Response r = AgentCalls.register(CredentialFixtures.tokenFromSecret(client, ns, "many-" + i));
            assertEquals(200, r.statusCode(), r.asString());
            keys.add(r.jsonPath().getString("apiKey"));
        }
        // Registering takes a while on a busy machine: the agents heartbeat meanwhile.
        Instant graceOver = leadership.graceUntil(Instant.now(), Duration.ofMillis(OFFLINE_AFTER_MS));
        Instant giveUp = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(graceOver) || count(ns, Phase.Active) < N) {
            assertTrue(Instant.now().isBefore(giveUp), "not all Active: " + phases(ns));
            keys.forEach(k -> assertEquals(200, AgentCalls.heartbeat(k).statusCode()));
            sleep(200);
        }
        double offlineWrittenBefore = written(Phase.Offline);
        double activeWrittenBefore = written(Phase.Active);

        try (InjectedClock clock = new InjectedClock()) {
            clock.set(Instant.now());
            keys.forEach(k -> assertEquals(200, AgentCalls.heartbeat(k).statusCode()));
            long t0 = clock.millis();

            // The ingress fails. The outage is seen at two missed heartbeats (10 s), before the first deadline (offline-after):
            // from then on Offline is written at 2 a second (outage-offline-rate; a bucket of 2), whatever the real time.
            double maxPending = 0;
            long deadline = t0 + OFFLINE_AFTER_MS;
            while (clock.millis() < deadline) {
                clock.set(Instant.ofEpochMilli(Math.min(deadline, clock.millis() + SWEEP_MS)));
                sleep(TICK_MS + 200);
                assertEquals(0, count(ns, Phase.Offline), "Offline before offline-after: " + phases(ns));
            }
            long bound = deadline + SWEEP_MS + (long) Math.ceil((N - 3) / 2.0 * 1000) + 2 * STEP_MS;
            boolean facadeChecked = false;
            while (clock.millis() < bound + 5_000 && count(ns, Phase.Offline) < N) {
                clock.advance(Duration.ofMillis(STEP_MS));
                sleep(TICK_MS + 200); // one tick of the liveness thread, and its reconciliations
                if (!facadeChecked) {
                    // Status follows at the outage rate; the facade shows the heartbeats' truth at once (the clock stands still meanwhile).
                    await().atMost(Duration.ofSeconds(10)).until(() -> shown(ns, "Offline") == N);
                    assertTrue(count(ns, Phase.Offline) < N, "the check means nothing if status caught up already: " + phases(ns));
                    facadeChecked = true;
                }
                int offline = count(ns, Phase.Offline);
                long since = clock.millis() - deadline;
                // the outage bucket's 2 plus 2 a second; the last 3 (no more than the burst: no outage any more) at once
                double allowed = since <= 0 ? 0 : Math.min(N - 3, 2 + 2 * since / 1000.0) + (offline > N - 3 ? 3 : 0);
                assertTrue(offline <= allowed, offline + " Offline " + since + " ms after the deadline: at most " + allowed
                        + " at outage-offline-rate; " + phases(ns));
                maxPending = Math.max(maxPending, pending(Phase.Offline));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> count(ns, Phase.Offline) == N);
            assertTrue(clock.millis() <= bound, "all Offline only at " + (clock.millis() - t0) + " ms of the test's time; bound " + (bound - t0));
            assertTrue(maxPending >= N - 6, "mipo_liveness_transitions_pending{to=Offline} went up to " + maxPending);
            assertEquals(0, pending(Phase.Offline), "the backlog drained");
            assertEquals(N, written(Phase.Offline) - offlineWrittenBefore, 0.0, "mipo_liveness_transitions_written_total{to=Offline}");

            // The batch ends 10 s after its last change; its summary then counts every scanner.
            for (int i = 0; i < 6; i++) {
                clock.advance(Duration.ofMillis(2_000));
                sleep(TICK_MS + 100);
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                List<Event> summaries = events(ns, Transitions.MANY_WENT_OFFLINE);
                assertEquals(1, summaries.size(), describe(ns));
                assertEquals(N, summaries.get(0).getCount(), describe(ns));
                assertEquals("Warning", summaries.get(0).getType());
                assertTrue(summaries.get(0).getMessage().startsWith(N + " scanners in namespace " + ns + " went Offline"),
                        summaries.get(0).getMessage());
            });
            assertEquals(0, events(ns, "WentOffline").size(), "no per-scanner WentOffline during an outage: " + describe(ns));

            // The ingress is back: every scanner heartbeats again. Recoveries are written 3 at once, then 4 a second.
            long back = clock.millis();
            long recoveryBound = back + (long) Math.ceil((N - 3) / 4.0 * 1000) + 2 * STEP_MS;
            boolean recoveryShown = false;
            while (clock.millis() < recoveryBound + 5_000 && count(ns, Phase.Active) < N) {
                keys.forEach(k -> assertEquals(200, AgentCalls.heartbeat(k).statusCode()));
                if (!recoveryShown) {
                    await().atMost(Duration.ofSeconds(10)).until(() -> shown(ns, "Active") == N);
                    assertTrue(count(ns, Phase.Active) < N, "the check means nothing if status caught up already: " + phases(ns));
                    recoveryShown = true;
                }
                int active = count(ns, Phase.Active);
                long since = clock.millis() - back;
                double allowed = 3 + 4 * since / 1000.0;
                assertTrue(active <= allowed, active + " Active " + since + " ms after the recovery began: at most " + allowed + "; " + phases(ns));
                clock.advance(Duration.ofMillis(STEP_MS));
                sleep(TICK_MS + 200);
            }
            keys.forEach(k -> assertEquals(200, AgentCalls.heartbeat(k).statusCode()));
            await().atMost(Duration.ofSeconds(10)).until(() -> count(ns, Phase.Active) == N);
            assertTrue(clock.millis() <= recoveryBound, "all Active only at " + (clock.millis() - back) + " ms; bound " + (recoveryBound - back));
            assertEquals(N, written(Phase.Active) - activeWrittenBefore, 0.0, "mipo_liveness_transitions_written_total{to=Active}");
            assertEquals(0, pending(Phase.Active));
            for (int i = 0; i < 6; i++) {
                keys.forEach(k -> AgentCalls.heartbeat(k));
                clock.advance(Duration.ofMillis(2_000));
                sleep(TICK_MS + 100);
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                int own = events(ns, "BackOnline").size();
                List<Event> summaries = events(ns, Transitions.MANY_BACK_ONLINE);
                assertTrue(own <= 2, "per-scanner BackOnline Events: at most event-batch-threshold; " + describe(ns));
                assertEquals(1, summaries.size(), describe(ns));
                assertTrue(summaries.get(0).getCount() >= N - own, describe(ns));
            });
        }
    }

    /** How many of the fleet the REST facade shows with this status. */
    private int shown(String ns, String status) {
        return (int) client.resources(Scanner.class).inNamespace(ns).list().getItems().stream()
                .filter(s -> facade.shownStatus(s.getMetadata().getName()).filter(status::equals).isPresent()).count();
    }

    private int count(String ns, Phase phase) {
        return (int) client.resources(Scanner.class).inNamespace(ns).list().getItems().stream()
                .filter(s -> s.getStatus() != null && s.getStatus().getPhase() == phase).count();
    }

    private String phases(String ns) {
        Map<String, Long> m = client.resources(Scanner.class).inNamespace(ns).list().getItems().stream()
                .collect(Collectors.groupingBy(s -> String.valueOf(s.getStatus() == null ? null : s.getStatus().getPhase()),
                        TreeMap::new, Collectors.counting()));
        return "phases " + m;
    }

    private double pending(Phase to) {
        return registry.get("mipo.liveness.transitions.pending").tag("to", to.name()).gauge().value();
    }

    private double written(Phase to) {
        return registry.get("mipo.liveness.transitions.written").tag("to", to.name()).counter().count();
    }

    private List<Event> events(String ns, String reason) {
        return client.v1().events().inNamespace(ns).list().getItems().stream().filter(e -> reason.equals(e.getReason())).toList();
    }

    private String describe(String ns) {
        return "events: " + client.v1().events().inNamespace(ns).list().getItems().stream()
                .map(e -> e.getReason() + " x" + e.getCount() + " on " + e.getInvolvedObject().getName() + ": " + e.getMessage())
                .collect(Collectors.joining("; "));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
