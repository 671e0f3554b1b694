package io.mipo.operator.faults;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.api.agent.AgentCalls;
import io.mipo.operator.credentials.CredentialSecrets;
import io.mipo.operator.credentials.SecretDigest;
import io.mipo.operator.kube.Conditions;
import io.mipo.operator.kube.Labels;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.TokenState;
import io.mipo.operator.scanner.ScannerConditions;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault (b) of the fault-injection suite: the API server answers 409 Conflict, 500, or answers only
 * after the client gave up (the write having happened) to 30 % of the operator's Scanner status writes
 * and Secret writes (seeded, see {@link ApiFaults}). A workload of scanners created (kubectl), registered
 * and heartbeating (real HTTP, retried as the agent retries), one disabled, one token regenerated and
 * one deleted through the facade (retried as a user would). The invariants, each named in its message:
 * <ul>
 * <li>{@code phases-converge}: every scanner's status reaches the phase reality says, with its conditions;</li>
 * <li>{@code answered-key-works}, {@code superseded-key-refused}: the last key each agent was answered
 *     authenticates, a key a regeneration revoked does not;</li>
 * <li>{@code credential-secrets-consistent}: each registered scanner's Secrets hold the hash of the key
 *     its agent was answered, no Secret is left without its scanner, a deleted scanner's Secrets are gone;</li>
 * <li>{@code write-budget}: in a steady minute-fraction with the faults still on, the status writes the
 *     API server applied stay within status-refresh-budget (refreshes a minute, bursts of a quarter);</li>
 * <li>{@code no-exception-storm}: no more logged exceptions than faults injected in that time (counted from one request
 * timeout before it: a timed-out write is logged when its timeout ends).</li>
 * </ul>
 */
@QuarkusTest
@TestProfile(FaultsProfile.class)
class ApiServerFaultsTest {
    static final int SCANNERS = 10;
    static final double SHARE = 0.3;
    static final Duration STEADY = Duration.ofSeconds(15);

    @InjectFaults
    ApiFaults faults;

    @InjectFaults
    KubernetesClient kubectl;

    @ConfigProperty(name = "mipo.auth.static-token")
    String admin;

    @Test
    void statusAndSecretWritesThatConflictFailOrTimeOutStillConvergeWithinTheWriteBudget() throws Exception {
        String ns = FaultsProfile.NS;
        String seed = "seed " + faults.seed() + " (replay with -Dfault.seed=" + faults.seed() + ")";
        FaultWorkload.LoggedExceptions logged = FaultWorkload.LoggedExceptions.install();
        faults.writeFaults(SHARE);
        Map<String, String> keys = new ConcurrentHashMap<>();
        AtomicBoolean beating = new AtomicBoolean(true);
        // Each heartbeat reports a new hostname: every scanner always wants its status.agent
        // refreshed, far more often than the budget allows, so the budget is what limits the writes.
        java.util.concurrent.atomic.AtomicInteger beat = new java.util.concurrent.atomic.AtomicInteger();
        Thread heartbeats = new Thread(() -> {
            while (beating.get()) {
                String host = "host-" + beat.incrementAndGet();
                keys.values().forEach(k -> AgentCalls.heartbeat(k, Map.of("state", "idle", "version", "1.4.2", "hostname", host)));
                FaultWorkload.sleep(1000);
            }
        }, "fault-test-heartbeats");
        try {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < SCANNERS; i++) {
                String name = "apif-" + i;
                names.add(name);
                kubectl.resource(TestResources.scanner(ns, name, null)).create();
            }
            // The operator issues each first token (its Secret writes faulted); the agent registers.
            long t0 = System.currentTimeMillis();
            // Agents register at the same time, as a fleet rolled out at once does.
            java.util.concurrent.ExecutorService agents = java.util.concurrent.Executors.newFixedThreadPool(SCANNERS);
            try {
                List<java.util.concurrent.Future<?>> done = new ArrayList<>();
                for (String name : names) {
                    done.add(agents.submit(() -> keys.put(name, registerOrExplain(ns, tokenFromSecret(ns, name), name))));
                }
                for (java.util.concurrent.Future<?> f : done) {
                    try {
                        f.get(90, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw e.getCause() instanceof AssertionError a ? a : new AssertionError(e.getCause());
                    }
                }
            } finally {
                agents.shutdownNow();
            }
            System.out.printf("ApiServerFaultsTest: %d scanners registered after %d ms%n", SCANNERS, System.currentTimeMillis() - t0);
            heartbeats.start();
            String disabled = names.get(0);
            String regenerated = names.get(1);
            String deleted = names.get(2);

            Response d = FaultWorkload.retried(() -> FaultWorkload.admin(admin).post("/api/config/scanners/" + disabled + "/disable"),
                    FaultWorkload::userRetries, "disable");
            assertEquals(200, d.statusCode(), "disable: " + d.asString());

            Response g = FaultWorkload.retried(() -> FaultWorkload.admin(admin).post("/api/config/scanners/" + regenerated + "/regenerate-token"),
                    FaultWorkload::userRetries, "regenerate");
            assertEquals(200, g.statusCode(), "regenerate: " + g.asString());
            String oldKey = keys.remove(regenerated);
            keys.put(regenerated, registerOrExplain(ns, g.jsonPath().getString("token"), regenerated));

            Response x = FaultWorkload.retried(() -> FaultWorkload.admin(admin).delete("/api/config/scanners/" + deleted),
                    FaultWorkload::userRetries, "delete");
            assertTrue(x.statusCode() == 204 || x.statusCode() == 200 || x.statusCode() == 404, "delete: " + x.statusCode() + " " + x.asString());
            String deletedKey = keys.remove(deleted);

            // phases-converge, with the faults still on.
            Map<String, Phase> expected = new LinkedHashMap<>();
            for (String n : names) {
                expected.put(n, n.equals(disabled) ? Phase.Disabled : Phase.Active);
            }
            expected.remove(deleted);
            System.out.printf("ApiServerFaultsTest: disabled, regenerated, deleted after %d ms%n", System.currentTimeMillis() - t0);
            awaitConverged(ns, expected, seed);
            System.out.printf("ApiServerFaultsTest: converged after %d ms%n", System.currentTimeMillis() - t0);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> kubectl.resources(Scanner.class).inNamespace(ns).withName(deleted).get() == null);

            // answered-key-works / superseded-key-refused.
            for (Map.Entry<String, String> e : keys.entrySet()) {
                Response hb = AgentCalls.heartbeat(e.getValue());
                assertEquals(200, hb.statusCode(), "invariant answered-key-works: " + e.getKey() + " answered "
                        + hb.statusCode() + " " + hb.asString() + "; " + seed + "; " + faults.summary());
            }
            assertEquals(401, AgentCalls.heartbeat(oldKey).statusCode(), "invariant superseded-key-refused: the key the regeneration revoked; " + seed);
            assertEquals(401, AgentCalls.heartbeat(deletedKey).statusCode(), "invariant superseded-key-refused: the deleted scanner's key; " + seed);

            assertSecretsConsistent(ns, keys, deleted, seed);

            // write-budget and no-exception-storm over a steady window, faults still on.
            long from = System.currentTimeMillis();
            FaultWorkload.sleep(STEADY.toMillis());
            long to = System.currentTimeMillis();
            List<ApiFaults.Write> window = faults.writes().stream()
                    .filter(w -> w.atMillis() >= from && w.atMillis() < to && w.status()).toList();
            long applied = window.stream().filter(ApiFaults.Write::applied).count();
            long faulted = window.stream().filter(w -> w.fault() != ApiFaults.Fault.NONE).count();
            // A write that timed out is logged a request timeout after it was sent: a fault injected shortly before the
            // window may show as an exception inside it, so faults count from one request timeout (and a second) earlier.
            long faultsFrom = from - FaultyApiServer.REQUEST_TIMEOUT.toMillis() - 1_000;
            long allFaultsInWindow = faults.writes().stream()
                    .filter(w -> w.atMillis() >= faultsFrom && w.atMillis() < to && w.fault() != ApiFaults.Fault.NONE).count();
            double allowed = FaultsProfile.BUDGET * (to - from) / 60_000.0 + FaultsProfile.BUDGET / 4.0;
            System.out.printf("ApiServerFaultsTest: %s; %s; steady %d ms: %d status writes sent, %d applied (budget allows %.1f), %d faulted%n",
                    seed, faults.summary(), to - from, window.size(), applied, allowed, faulted);
            // Every scanner still shows the phase it should: no phase change spent writes in the window.
            awaitConverged(ns, expected, seed);
            assertTrue(applied <= allowed, "invariant write-budget: " + applied + " status writes applied in " + (to - from)
                    + " ms, more than status-refresh-budget allows (" + FaultsProfile.BUDGET + "/min + burst " + FaultsProfile.BUDGET / 4
                    + " = " + allowed + "); writes: " + window + "; " + seed);
            long exceptions = logged.since(from) - logged.records.stream().filter(r -> r.getMillis() >= to).count();
            assertTrue(exceptions <= allFaultsInWindow + 1, "invariant no-exception-storm: " + exceptions
                    + " exceptions logged in the steady window for " + allFaultsInWindow + " faults injected (from one request timeout before it):" + logged.describe(from) + "; " + seed);
        } finally {
            beating.set(false);
            heartbeats.join(5_000);
            faults.writeFaults(0);
            logged.uninstall();
        }
    }

    private String registerOrExplain(String ns, String token, String name) {
        try {
            return FaultWorkload.register(token, name);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; seed " + faults.seed() + "; writes to its Secrets: "
                    + faults.writesTo("/namespaces/" + ns + "/secrets/" + name + "-") + " (and creates: "
                    + faults.writes().stream().filter(w -> w.method().equals("POST") && w.path().endsWith("/namespaces/" + ns + "/secrets")).count() + ")", e);
        }
    }

    private String tokenFromSecret(String ns, String scanner) {
        Secret[] seen = new Secret[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            Secret s = kubectl.secrets().inNamespace(ns).withName(CredentialSecrets.provisioningName(scanner)).get();
            seen[0] = s;
            return s != null && s.getData() != null && s.getData().containsKey(CredentialSecrets.INSTALL_COMMAND);
        });
        String command = new String(Base64.getDecoder().decode(seen[0].getData().get(CredentialSecrets.INSTALL_COMMAND)), StandardCharsets.UTF_8);
        int at = command.indexOf("MIPO_TOKEN=");
        return command.substring(at + "MIPO_TOKEN=".length(), command.indexOf(' ', at));
    }

    /** phases-converge: each scanner shows its phase, with Ready=True, AgentConnected as the agent is, Registered=True, token Consumed. */
    private void awaitConverged(String ns, Map<String, Phase> expected, String seed) {
        Map<String, String> last = new ConcurrentHashMap<>();
        try {
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(250)).until(() -> {
                boolean all = true;
                for (Map.Entry<String, Phase> e : expected.entrySet()) {
                    Scanner s = kubectl.resources(Scanner.class).inNamespace(ns).withName(e.getKey()).get();
                    String problem = convergenceProblem(s, e.getValue());
                    if (problem != null) {
                        last.put(e.getKey(), problem);
                        all = false;
                    } else {
                        last.remove(e.getKey());
                    }
                }
                return all;
            });
        } catch (org.awaitility.core.ConditionTimeoutException ex) {
            throw new AssertionError("invariant phases-converge: " + last + "; " + seed + "; " + faults.summary(), ex);
        }
    }

    static String convergenceProblem(Scanner s, Phase phase) {
        if (s == null || s.getStatus() == null) {
            return "no status";
        }
        if (s.getStatus().getPhase() != phase) {
            return "phase " + s.getStatus().getPhase() + ", expected " + phase;
        }
        List<Condition> c = s.getStatus().getConditions();
        String agent = "True"; // every agent here heartbeats, the disabled one too: AgentConnected follows the agent, not spec.disabled
        Map<String, String> want = Map.of(Conditions.READY, "True", Conditions.REGISTERED, "True",
                ScannerConditions.AGENT_CONNECTED, agent);
        for (Map.Entry<String, String> w : want.entrySet()) {
            Condition found = Conditions.find(c, w.getKey());
            if (found == null || !w.getValue().equals(found.getStatus())) {
                return "condition " + w.getKey() + " is " + (found == null ? "absent" : found.getStatus() + " (" + found.getReason() + ")")
                        + ", expected " + w.getValue();
            }
        }
        if (!Objects.equals(s.getMetadata().getGeneration(), s.getStatus().getObservedGeneration())) {
            return "observedGeneration " + s.getStatus().getObservedGeneration() + " of generation " + s.getMetadata().getGeneration();
        }
        if (s.getStatus().getToken() == null || s.getStatus().getToken().getState() != TokenState.Consumed) {
            return "token " + (s.getStatus().getToken() == null ? "absent" : s.getStatus().getToken().getState());
        }
        return null;
    }

    private void assertSecretsConsistent(String ns, Map<String, String> keys, String deleted, String seed) {
        List<Secret> secrets = kubectl.secrets().inNamespace(ns).withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).list().getItems();
        Map<String, List<String>> byScanner = secrets.stream().collect(Collectors.groupingBy(
                s -> String.valueOf(s.getMetadata().getLabels().get(Labels.SCANNER)),
                Collectors.mapping(s -> s.getMetadata().getName(), Collectors.toList())));
        for (String scanner : byScanner.keySet()) {
            assertTrue(kubectl.resources(Scanner.class).inNamespace(ns).withName(scanner).get() != null,
                    "invariant credential-secrets-consistent: Secrets " + byScanner.get(scanner) + " left without their scanner; " + seed);
        }
        assertNull(byScanner.get(deleted), "invariant credential-secrets-consistent: the deleted scanner's Secrets remain; " + seed);
        for (Map.Entry<String, String> e : keys.entrySet()) {
            String hash = SecretDigest.hex(SecretDigest.sha256(e.getValue()));
            Secret creds = kubectl.secrets().inNamespace(ns).withName(CredentialSecrets.credentialsName(e.getKey())).get();
            Secret prov = kubectl.secrets().inNamespace(ns).withName(CredentialSecrets.provisioningName(e.getKey())).get();
            assertEquals(hash, creds == null ? null : io.mipo.operator.credentials.CredentialFixtures.decoded(creds).get(CredentialSecrets.API_KEY_SHA256),
                    "invariant credential-secrets-consistent: " + e.getKey() + "'s credentials Secret does not hold the answered key's hash; " + seed);
            assertEquals(hash, prov == null ? null : io.mipo.operator.credentials.CredentialFixtures.decoded(prov).get(CredentialSecrets.API_KEY_SHA256),
                    "invariant credential-secrets-consistent: " + e.getKey() + "'s provisioning Secret does not vouch for the answered key; " + seed);
        }
    }
}
