package io.mipo.operator.distribution;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.api.agent.AgentCalls;
import io.mipo.operator.credentials.CredentialFixtures;
import io.mipo.operator.credentials.CredentialService;
import io.mipo.operator.kube.Conditions;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Automatic upgrades against the mock API server: the leader's round marks half the fleet (the
 * annotation on the Scanner), heartbeat answers tell exactly those agents {@code upgradeTo}, an
 * agent that heartbeats with the served version frees its slot for the next, and one that misses
 * the deadline (on the bean's clock) is marked Failed, shown in the AutoUpgrade condition.
 */
@QuarkusTest
@TestProfile(AutoUpgradeTestProfile.class)
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class AutoUpgradesTest {
    private static final String OLD = "1.4.0";
    private static final String SERVED = AgentLifecycleTestProfile.SERVED;

    @Inject
    KubernetesClient client;

    @Inject
    CredentialService credentials;

    @Inject
    AutoUpgrades autoUpgrades;

    private String ns;
    /** name → API key, and the version each agent reports */
    private final Map<String, String> keys = new LinkedHashMap<>();
    private final Map<String, String> versions = new LinkedHashMap<>();

    private void register(String name) {
        CredentialService.IssuedToken issued = CredentialFixtures.createWithToken(client, credentials, ns, name);
        Map<String, Object> body = AgentCalls.registration(issued.token());
        body.put("version", OLD);
        Response r = AgentCalls.register(body);
        assertEquals(200, r.statusCode(), r.asString());
        keys.put(name, r.jsonPath().getString("apiKey"));
        versions.put(name, OLD);
    }

    private Response heartbeat(String name) {
        Response r = AgentCalls.heartbeat(keys.get(name), Map.of("version", versions.get(name), "state", "idle"));
        assertEquals(200, r.statusCode(), r.asString());
        return r;
    }

    private Map<String, String> marks() {
        Map<String, String> out = new TreeMap<>();
        for (String name : keys.keySet()) {
            Scanner s = client.resources(Scanner.class).inNamespace(ns).withName(name).get();
            Map<String, String> a = s.getMetadata().getAnnotations();
            String mark = a == null ? null : a.get(AutoUpgradeRules.ANNOTATION);
            out.put(name, mark == null ? "-" : mark.substring(0, mark.indexOf(' ')));
        }
        return out;
    }

    /** Heartbeats from every agent, then a round of the leader, until the marks are as expected (the caches catch up). */
    private void roundsUntil(Predicate<Map<String, String>> expected, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            keys.keySet().forEach(this::heartbeat);
            autoUpgrades.tick();
            if (expected.test(marks())) {
                return;
            }
            Thread.sleep(200);
        }
        fail(what + ": marks " + marks() + ", last plan " + autoUpgrades.lastPlan());
    }

    @Test
    void theLeaderStagesUpgradesAndHeartbeatsTellOnlyTheChosenAgents() throws Exception {
        ns = TestResources.freshNamespace(client);
        Instant t0 = Instant.parse("2026-12-03T10:00:00Z");
        autoUpgrades.useClock(Clock.fixed(t0, ZoneOffset.UTC));
        for (String name : List.of("auto-a", "auto-b", "auto-c", "auto-d")) {
            register(name);
            heartbeat(name);
        }
        for (String name : keys.keySet()) {
            TestResources.awaitStatus(client, ns, name, s -> s.getStatus() != null && s.getStatus().getPhase() == Phase.Active);
        }
        // no turn yet: no upgradeTo
        assertFalse(heartbeat("auto-a").asString().contains("upgradeTo"), "no upgradeTo before the leader chose");

        // 50 % of 4: two at a time, in name order
        roundsUntil(m -> m.equals(Map.of("auto-a", "Upgrading", "auto-b", "Upgrading", "auto-c", "-", "auto-d", "-")),
                "two scanners chosen");
        assertEquals(SERVED, heartbeat("auto-a").jsonPath().getString("upgradeTo"));
        assertEquals(SERVED, heartbeat("auto-b").jsonPath().getString("upgradeTo"));
        assertNull(heartbeat("auto-c").jsonPath().getString("upgradeTo"), "not its turn");
        assertEquals(2, autoUpgrades.lastPlan().slots());
        Scanner a = TestResources.awaitStatus(client, ns, "auto-a",
                s -> s.getStatus() != null && Conditions.isTrue(s.getStatus().getConditions(), AgentLifecycleStatusContributor.AUTO_UPGRADE));
        assertEquals("Upgrading", Conditions.find(a.getStatus().getConditions(), AgentLifecycleStatusContributor.AUTO_UPGRADE).getReason());

        // auto-a comes back with the served version: done, its slot goes to auto-c
        versions.put("auto-a", SERVED);
        assertNull(heartbeat("auto-a").jsonPath().getString("upgradeTo"), "an agent on the served version is not told again");
        autoUpgrades.useClock(Clock.fixed(t0.plus(Duration.ofMinutes(2)), ZoneOffset.UTC));
        roundsUntil(m -> m.equals(Map.of("auto-a", "-", "auto-b", "Upgrading", "auto-c", "Upgrading", "auto-d", "-")),
                "auto-a done, auto-c chosen");

        // auto-b never does: past the deadline (10 m after t0) it fails, its slot goes to auto-d
        autoUpgrades.useClock(Clock.fixed(t0.plus(Duration.ofMinutes(10)), ZoneOffset.UTC));
        roundsUntil(m -> m.equals(Map.of("auto-a", "-", "auto-b", "Failed", "auto-c", "Upgrading", "auto-d", "Upgrading")),
                "auto-b failed, auto-d chosen");
        assertNull(heartbeat("auto-b").jsonPath().getString("upgradeTo"), "a failed scanner is not told again");
        Scanner b = TestResources.awaitStatus(client, ns, "auto-b", s -> s.getStatus() != null
                && Conditions.find(s.getStatus().getConditions(), AgentLifecycleStatusContributor.AUTO_UPGRADE) != null
                && "Failed".equals(Conditions.find(s.getStatus().getConditions(), AgentLifecycleStatusContributor.AUTO_UPGRADE).getReason()));
        Condition failed = Conditions.find(b.getStatus().getConditions(), AgentLifecycleStatusContributor.AUTO_UPGRADE);
        assertEquals("False", failed.getStatus(), TestResources.describe(b));
        assertFalse(autoUpgrades.lastPlan().halted(), "one failure of at most 2");
        List<String> reasons = client.v1().events().inNamespace(ns).list().getItems().stream()
                .map(io.fabric8.kubernetes.api.model.Event::getReason).toList();
        for (String reason : List.of(AutoUpgrades.EVENT_STARTED, AutoUpgrades.EVENT_SUCCEEDED, AutoUpgrades.EVENT_FAILED)) {
            assertFalse(reasons.stream().noneMatch(reason::equals), "event " + reason + " in " + reasons);
        }
    }
}
