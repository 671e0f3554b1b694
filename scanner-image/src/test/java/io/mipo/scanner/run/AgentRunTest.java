package io.mipo.scanner.run;

import static io.mipo.scanner.FakeOperator.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mipo.scanner.ExitCodes;
import io.mipo.scanner.FakeOperator;
import io.mipo.scanner.FakeOperator.Request;
import io.mipo.scanner.FakeOperator.Response;
import io.mipo.scanner.Main;
import io.mipo.scanner.config.Credentials;
import io.mipo.scanner.config.CredentialsStore;
import io.mipo.scanner.util.Log;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} against a fake operator on 127.0.0.1. Scans only ever target 127.0.0.1:
 * listeners the test opens itself, or ports it has just closed.
 */
class AgentRunTest {
    static final String KEY = "mipo_sk_" + "r".repeat(34) + "RUN1";

    @TempDir
    Path tmp;
    FakeOperator operator;
    final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    final AtomicReference<Agent> agent = new AtomicReference<>();
    final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        operator = new FakeOperator();
    }

    @AfterEach
    void stop() throws Exception {
        Agent a = agent.get();
        if (a != null) {
            a.stop();
            a.awaitStopped(java.time.Duration.ofSeconds(5));
        }
        operator.close();
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private void credentials(double interval) throws IOException {
        new CredentialsStore(tmp).save(new Credentials(operator.url(), "scn-test", KEY, interval));
    }

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("MIPO_CONFIG_DIR", tmp.toString());
        env.put("MIPO_BACKOFF_INITIAL_MS", "100");
        env.put("MIPO_BACKOFF_MAX_MS", "400");
        env.put("MIPO_SCAN_PAUSE_SECONDS", "0.2");
        env.put("MIPO_RESULTS_FLUSH_SECONDS", "0.1");
        env.put("MIPO_PROBE_TIMEOUT_MS", "500");
        return env;
    }

    /** Starts {@code run} on a thread; the future completes with its exit code. */
    /** The agent's monotonic clock (nanoseconds): it moves only when a test moves it. */
    final java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(1_000_000_000L);

    private CompletableFuture<Integer> runAgent(Map<String, String> env) {
        Log log = new Log(new PrintStream(logs, true, StandardCharsets.UTF_8), true);
        return CompletableFuture.supplyAsync(() -> Main.execute(new String[] {"run"}, env,
                new PrintStream(new ByteArrayOutputStream()), log, a -> {
                    a.useClock(clock::get);
                    agent.set(a);
                }));
    }

    /** A 401 answer that also moves the agent's clock on by {@code seconds}: refusals that last. */
    private Response refusedAfter(long seconds) {
        clock.addAndGet(seconds * 1_000_000_000L);
        return Response.problem(401, "INVALID_API_KEY", "invalid API key");
    }

    private String logText() {
        return logs.toString(StandardCharsets.UTF_8);
    }

    private static Map<String, Object> heartbeatAnswer(boolean disabled, double interval, Object version) {
        Map<String, Object> m = new HashMap<>();
        m.put("disabled", disabled);
        m.put("heartbeatIntervalSeconds", interval);
        m.put("assignmentsVersion", version);
        return m;
    }

    private static Map<String, Object> assignments(boolean disabled, String ports) {
        return Map.of("disabled", disabled, "version", "1", "assignments", ports == null ? List.of()
                : List.of(Map.of("group", "g1", "subnet", "127.0.0.1/32", "ports", ports, "maxProbesPerSecond", 50)));
    }

    /** A listener on 127.0.0.1 that accepts and counts connections. */
    private ServerSocket listener(AtomicInteger accepted) throws IOException {
        ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        closeables.add(ss);
        Thread t = new Thread(() -> {
            while (!ss.isClosed()) {
                try (Socket s = ss.accept()) {
                    accepted.incrementAndGet();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return ss;
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void heartbeatsAtTheIntervalTheServerGivesWithTheAgreedBody() throws Exception {
        credentials(30);
        operator.on("POST /scanner/heartbeat", r -> Response.ok(heartbeatAnswer(false, 0.3, 1)));
        operator.on("GET /scanner/assignments", r -> Response.ok(assignments(false, null)));
        CompletableFuture<Integer> exit = runAgent(env());
        await("6 heartbeats", 5000, () -> operator.requests("/scanner/heartbeat").size() >= 6);

        List<Request> hbs = operator.requests("/scanner/heartbeat");
        for (int i = 2; i < 6; i++) {
            double gap = (hbs.get(i).nanos() - hbs.get(i - 1).nanos()) / 1e9;
            assertTrue(gap >= 0.25 && gap <= 0.5, "gap " + gap + " s for a 0.3 s interval ±10 %");
        }
        Request hb = hbs.get(0);
        assertEquals("Bearer " + KEY, hb.authorization());
        assertTrue(hb.body().get("version") instanceof String);
        assertTrue(hb.body().get("hostname") instanceof String);
        assertEquals("127.0.0.1", hb.body().get("internalIp"));
        assertEquals("idle", hb.body().get("state"));
        assertTrue(((List<?>) hb.body().get("capabilities")).contains("tcp-connect"));
        assertTrue(((List<?>) hb.body().get("capabilities")).size() <= 50);
        @SuppressWarnings("unchecked")
        Map<String, Object> metrics = (Map<String, Object>) hb.body().get("metrics");
        assertTrue(metrics.get("numCpus") instanceof Long);
        assertTrue(metrics.containsKey("loadAvg1m") && metrics.containsKey("memoryTotalBytes"), metrics.toString());

        agent.get().stop();
        assertEquals(ExitCodes.OK, exit.get(5, TimeUnit.SECONDS));
        assertFalse(logText().contains(KEY));
    }

    @Test
    void fetchesAssignmentsOnlyWhenTheVersionChanges() throws Exception {
        credentials(0.1);
        AtomicInteger beats = new AtomicInteger();
        operator.on("POST /scanner/heartbeat",
                r -> Response.ok(heartbeatAnswer(false, 0.1, beats.incrementAndGet() <= 5 ? "v1" : "v2")));
        // the answer carries the same version as the heartbeats of the moment, as the operator's does
        operator.on("GET /scanner/assignments", r -> Response.ok(versioned(beats.get() <= 5 ? "v1" : "v2", null)));
        CompletableFuture<Integer> exit = runAgent(env());
        await("12 heartbeats", 5000, () -> operator.requests("/scanner/heartbeat").size() >= 12);
        assertEquals(2, operator.requests("/scanner/assignments").size());
        assertEquals("Bearer " + KEY, operator.requests("/scanner/assignments").get(0).authorization());
        agent.get().stop();
        assertEquals(ExitCodes.OK, exit.get(5, TimeUnit.SECONDS));
    }

    /** The calls the agent made, in order, without their bodies. */
    private List<String> calls() {
        List<String> out = new ArrayList<>();
        for (Request r : operator.requests()) {
            out.add(r.method() + " " + r.path());
        }
        return out;
    }

    private static Map<String, Object> versioned(String version, String ports) {
        Map<String, Object> m = new HashMap<>(assignments(false, ports));
        m.put("version", version);
        return m;
    }

    @Test
    void keepsTheVersionOfTheAssignmentsItGotNotTheOneAnnounced() throws Exception {
        // The assignments changed between the heartbeat (v1) and the fetch (already v2): the agent
        // holds v2, so the heartbeats announcing v2 from then on are no reason to fetch again.
        credentials(0.1);
        AtomicInteger beats = new AtomicInteger();
        operator.on("POST /scanner/heartbeat",
                r -> Response.ok(heartbeatAnswer(false, 0.1, beats.incrementAndGet() == 1 ? "v1" : "v2")));
        operator.on("GET /scanner/assignments", r -> Response.ok(versioned("v2", null)));
        CompletableFuture<Integer> exit = runAgent(env());
        await("10 heartbeats", 5000, () -> operator.requests("/scanner/heartbeat").size() >= 10);
        assertEquals(1, operator.requests("/scanner/assignments").size(),
                "fetched once: the answer was v2 already; calls: " + calls());
        agent.get().stop();
        assertEquals(ExitCodes.OK, exit.get(5, TimeUnit.SECONDS));
    }

    @Test
    void fetchesAgainWhenTheAnswerIsOlderThanTheHeartbeatAnnounced() throws Exception {
        // A heartbeat announces v2, but the fetch is answered from a cache still at v1 (no work):
        // the agent must not take v1 for v2, or it would never fetch the new work.
        credentials(0.1);
        AtomicInteger accepted = new AtomicInteger();
        int open = listener(accepted).getLocalPort();
        AtomicInteger fetches = new AtomicInteger();
        operator.on("POST /scanner/heartbeat", r -> Response.ok(heartbeatAnswer(false, 0.1, "v2")));
        operator.on("GET /scanner/assignments", r -> Response.ok(fetches.incrementAndGet() == 1
                ? versioned("v1", null) : versioned("v2", String.valueOf(open))));
        operator.on("POST /scanner/results", r -> Response.ok(Map.of()));
        CompletableFuture<Integer> exit = runAgent(env());
        await("the v2 work scanned", 5000, () -> accepted.get() >= 1);
        int beatsThen = operator.requests("/scanner/heartbeat").size();
        await("5 more heartbeats", 5000, () -> operator.requests("/scanner/heartbeat").size() >= beatsThen + 5);
        assertEquals(2, operator.requests("/scanner/assignments").size(),
                "fetched the stale v1, then v2, then nothing more; calls: " + calls());
        agent.get().stop();
        assertEquals(ExitCodes.OK, exit.get(5, TimeUnit.SECONDS));
    }

    @Test
    void scansLoopbackAndPostsFindings() throws Exception {
        credentials(0.2);
        AtomicInteger accepted = new AtomicInteger();
        int open = listener(accepted).getLocalPort();
        int closed = closedPort();
        operator.on("POST /scanner/heartbeat", r -> Response.ok(heartbeatAnswer(false, 0.2, "1")));
        operator.on("GET /scanner/assignments", r -> Response.ok(assignments(false, open + "," + closed)));
        operator.on("POST /scanner/results", r -> Response.ok(Map.of()));
        Map<String, String> env = env();
        env.put("MIPO_REPORT_STATES", "open,closed");
        CompletableFuture<Integer> exit = runAgent(env);

        await("findings posted", 5000, () -> findings().stream().anyMatch(f -> f.get("state").equals("closed"))
                && findings().stream().anyMatch(f -> f.get("state").equals("open")));
        assertTrue(accepted.get() >= 1, "the listener saw the probe");
        Map<String, Object> o = findings().stream().filter(f -> f.get("state").equals("open")).findFirst().orElseThrow();
        assertEquals("127.0.0.1", o.get("ip"));
        assertEquals((long) open, o.get("port"));
        Instant observed = Instant.parse((String) o.get("observedAt"));
        assertTrue(Math.abs(observed.toEpochMilli() - System.currentTimeMillis()) < 10_000);
        Map<String, Object> c = findings().stream().filter(f -> f.get("state").equals("closed")).findFirst().orElseThrow();
        assertEquals((long) closed, c.get("port"));
        assertEquals("Bearer " + KEY, operator.requests("/scanner/results").get(0).authorization());
        // repeated passes (pause 0.2 s)
        await("a second pass", 5000, () -> accepted.get() >= 2);
        agent.get().stop();
        assertEquals(ExitCodes.OK, exit.get(5, TimeUnit.SECONDS));
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> findings() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Request r : operator.requests("/scanner/results")) {
            out.addAll((List<Map<String, Object>>) r.body().get("findings"));
        }
        return out;
    }

    @Test
    void disabledFinishesTheScanAndStartsNoNewOne() throws Exception {
        credentials(0.1);
        AtomicInteger accepted = new AtomicInteger();
        int open = listener(accepted).getLocalPort();
        AtomicBoolean disabled = new AtomicBoolean(false);
        operator.on("POST /scanner/heartbeat", r -> Response.ok(heartbeatAnswer(disabled.get(), 0.1, "1")));
        operator.on("GET /scanner/assignments", r -> Response.ok(assignments(disabled.get(), String.valueOf(open))));
        operator.on("POST /scanner/results", r -> Response.ok(Map.of()));
        Map<String, String> env = env();
        env.put("MIPO_SCAN_PAUSE_SECONDS", "0.1");
        CompletableFuture<Integer> exit = runAgent(env);
        await("some passes", 5000, () -> accepted.get() >= 3);

        disabled.set(true);
        int before = operator.requests("/scanner/heartbeat").size();
        await("disabled heartbeat seen", 3000, () -> operator.requests("/scanner/heartbeat").size() >= before + 2);
        await("scan in progress finished", 3000, () -> !agent.get().worker().scanning());
        Thread.sleep(200);
        int settled = accepted.get();
        Thread.sleep(1000);
        assertEquals(settled, accepted.get(), "no new scans while disabled");
        assertTrue(logText().contains("disabled"), logText());
        assertEquals("idle", operator.requests("/scanner/heartbeat").get(operator.requests("/scanner/heartbeat").size() - 1)
                .body().get("state"));
        assertTrue(operator.requests("/scanner/heartbeat").size() > before + 5, "still heartbeating while disabled");

        disabled.set(false);
        await("scans resume when enabled", 3000, () -> accepted.get() > settled);
        agent.get().stop();
        assertEquals(ExitCodes.OK, exit.get(5, TimeUnit.SECONDS));
    }

    @Test
    void disabledFromTheStartNeverScans() throws Exception {
        credentials(0.1);
        AtomicInteger accepted = new AtomicInteger();
        int open = listener(accepted).getLocalPort();
        operator.on("POST /scanner/heartbeat", r -> Response.ok(heartbeatAnswer(true, 0.1, "1")));
        operator.on("GET /scanner/assignments", r -> Response.ok(assignments(true, String.valueOf(open))));
        CompletableFuture<Integer> exit = runAgent(env());
        await("heartbeats", 3000, () -> operator.requests("/scanner/heartbeat").size() >= 8);
        assertEquals(0, accepted.get());
        assertEquals(0, agent.get().worker().passesStarted());
        agent.get().stop();
        assertEquals(ExitCodes.OK, exit.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aRefusedApiKeyStopsWithAReprovisioningMessageOnlyAfterTwoMinutesOfRefusals() throws Exception {
        credentials(0.1);
        AtomicInteger beats = new AtomicInteger();
        // Each refusal moves the agent's clock on by 25 s: refused at 0, 25, 50, 75, 100 s go on, at 125 s it stops.
        operator.on("POST /scanner/heartbeat", r -> beats.incrementAndGet() <= 2
                ? Response.ok(heartbeatAnswer(false, 0.1, "1"))
                : refusedAfter(beats.get() == 3 ? 0 : 25));
        operator.on("GET /scanner/assignments", r -> Response.ok(assignments(false, null)));
        CompletableFuture<Integer> exit = runAgent(env());
        assertEquals(ExitCodes.NOT_AUTHORIZED, exit.get(10, TimeUnit.SECONDS));
        assertEquals(2 + 6, operator.requests("/scanner/heartbeat").size(), "2 accepted, then refused at 0, 25, 50, 75, 100, 125 s: " + logText());
        assertTrue(logText().contains("INVALID_API_KEY"), logText());
        assertTrue(logText().contains("re-provisioned"), logText());
    }

    @Test
    void aTransient401ForLessThanTwoMinutesIsRiddenOut() throws Exception {
        credentials(0.1);
        AtomicInteger beats = new AtomicInteger();
        // A replica that has not seen the registration yet: refused for 100 s of the agent's clock, then accepted.
        operator.on("POST /scanner/heartbeat", r -> {
            int n = beats.incrementAndGet();
            return n >= 2 && n <= 5 ? refusedAfter(n == 2 ? 0 : 33) : Response.ok(heartbeatAnswer(false, 0.1, "1"));
        });
        operator.on("GET /scanner/assignments", r -> Response.ok(assignments(false, null)));
        CompletableFuture<Integer> exit = runAgent(env());
        await("heartbeats accepted after the refusals", 5000, () -> beats.get() >= 8);
        assertFalse(exit.isDone(), "the agent must not stop on a transient 401: " + logText());
        assertTrue(logText().contains("heartbeat accepted again"), logText());
        // ...and the grace starts over: another 100 s of refusals is again not final.
        beats.set(1);
        await("a second round of refusals and recovery", 5000, () -> beats.get() >= 8);
        assertFalse(exit.isDone(), logText());
        agent.get().stop();
        assertEquals(ExitCodes.OK, exit.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aRefusedApiKeyOnResultsStopsTheAgentToo() throws Exception {
        credentials(30);
        AtomicInteger accepted = new AtomicInteger();
        int open = listener(accepted).getLocalPort();
        operator.on("POST /scanner/heartbeat", r -> Response.ok(heartbeatAnswer(false, 30, "1")));
        operator.on("GET /scanner/assignments", r -> Response.ok(assignments(false, String.valueOf(open))));
        operator.on("POST /scanner/results", r -> refusedAfter(30));
        CompletableFuture<Integer> exit = runAgent(env());
        assertEquals(ExitCodes.NOT_AUTHORIZED, exit.get(20, TimeUnit.SECONDS));
        assertTrue(operator.requests("/scanner/results").size() >= 5, "refused for 2 minutes of the agent's clock first");
        assertTrue(logText().contains("re-provisioned"), logText());
    }

    @Test
    void backsOffExponentiallyOnServerErrorsUpToTheCap() throws Exception {
        credentials(30);
        operator.on("POST /scanner/heartbeat", r -> Response.problem(503, "UNAVAILABLE", "try later"));
        CompletableFuture<Integer> exit = runAgent(env()); // back-off 100 ms doubling to 400 ms
        await("7 attempts", 5000, () -> operator.requests("/scanner/heartbeat").size() >= 7);
        List<Request> hbs = operator.requests("/scanner/heartbeat");
        double[] gaps = new double[6];
        for (int i = 0; i < 6; i++) {
            gaps[i] = (hbs.get(i + 1).nanos() - hbs.get(i).nanos()) / 1e9;
        }
        String g = java.util.Arrays.toString(gaps);
        assertTrue(gaps[0] >= 0.08 && gaps[0] < 0.2, g);
        assertTrue(gaps[1] >= 0.17 && gaps[1] < 0.35, g);
        for (int i = 2; i < 6; i++) {
            assertTrue(gaps[i] >= 0.35 && gaps[i] < 0.6, "capped at 400 ms ±10 %: " + g);
        }
        assertTrue(operator.requests("/scanner/assignments").isEmpty());
        agent.get().stop();
        assertEquals(ExitCodes.OK, exit.get(5, TimeUnit.SECONDS));
    }

    @Test
    void recoversWhenTheServerComesBack() throws Exception {
        credentials(0.1);
        AtomicInteger beats = new AtomicInteger();
        operator.on("POST /scanner/heartbeat", r -> beats.incrementAndGet() <= 3
                ? Response.problem(502, "BAD_GATEWAY", "proxy") : Response.ok(heartbeatAnswer(false, 0.1, "1")));
        operator.on("GET /scanner/assignments", r -> Response.ok(assignments(false, null)));
        CompletableFuture<Integer> exit = runAgent(env());
        await("assignments after recovery", 5000, () -> !operator.requests("/scanner/assignments").isEmpty());
        assertTrue(logText().contains("heartbeat accepted again"), logText());
        agent.get().stop();
        assertEquals(ExitCodes.OK, exit.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aBindingViolationIsLoggedAndRetried() throws Exception {
        credentials(30);
        operator.on("POST /scanner/heartbeat", r -> Response.problem(403, "IP_BINDING_VIOLATION", "address not allowed"));
        CompletableFuture<Integer> exit = runAgent(env());
        await("retries", 5000, () -> operator.requests("/scanner/heartbeat").size() >= 4);
        assertFalse(exit.isDone(), "a binding violation does not stop the agent");
        assertTrue(logText().contains("IP_BINDING_VIOLATION"), logText());
        agent.get().stop();
        assertEquals(ExitCodes.OK, exit.get(5, TimeUnit.SECONDS));
    }

    @Test
    void stopsPromptlyOnRequestEvenMidInterval() throws Exception {
        credentials(30);
        operator.on("POST /scanner/heartbeat", r -> Response.ok(heartbeatAnswer(false, 30, "1")));
        operator.on("GET /scanner/assignments", r -> Response.ok(assignments(false, null)));
        CompletableFuture<Integer> exit = runAgent(env());
        await("first heartbeat", 3000, () -> operator.requests("/scanner/heartbeat").size() == 1);
        Thread.sleep(100);
        long t0 = System.nanoTime();
        agent.get().stop();
        assertEquals(ExitCodes.OK, exit.get(5, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "stopped within 2 s");
    }

    @Test
    void unreachableServerIsRetried() throws Exception {
        int port = closedPort();
        new CredentialsStore(tmp).save(new Credentials("http://127.0.0.1:" + port, "scn", KEY, 30));
        CompletableFuture<Integer> exit = runAgent(env());
        await("retry messages", 5000, () -> logText().split("retrying in").length >= 4);
        assertFalse(exit.isDone());
        agent.get().stop();
        assertEquals(ExitCodes.OK, exit.get(5, TimeUnit.SECONDS));
    }

    @Test
    void noCredentialsMeansNotRegistered() throws Exception {
        CompletableFuture<Integer> exit = runAgent(env());
        assertEquals(ExitCodes.NOT_AUTHORIZED, exit.get(5, TimeUnit.SECONDS));
        assertTrue(logText().contains("not registered"), logText());
    }

    @Test
    void inClusterRegistersWithTheServiceAccountTokenAndAgainWhenRefused() throws Exception {
        Path token = tmp.resolve("sa-token");
        Files.writeString(token, "eyJhbGciOi.sa-token-1\n");
        AtomicInteger registrations = new AtomicInteger();
        operator.on("POST /scanner/register", r -> Response.ok(Map.of("scannerId", "ds-node-1",
                "apiKey", KEY.replace("RUN1", "SA0" + registrations.incrementAndGet()), "heartbeatIntervalSeconds", 0.1)));
        AtomicInteger beats = new AtomicInteger();
        operator.on("POST /scanner/heartbeat", r -> beats.incrementAndGet() == 3
                ? Response.problem(401, "INVALID_API_KEY", "invalid") : Response.ok(heartbeatAnswer(false, 0.1, "1")));
        operator.on("GET /scanner/assignments", r -> Response.ok(assignments(false, null)));
        Map<String, String> env = env();
        env.put("MIPO_SA_TOKEN_FILE", token.toString());
        env.put("MIPO_SERVER", operator.url());
        env.put("MIPO_CONFIG_DIR", tmp.resolve("absent").toString());
        CompletableFuture<Integer> exit = runAgent(env);
        await("second registration and heartbeats after it", 5000, () -> registrations.get() == 2
                && operator.requests("/scanner/heartbeat").stream().anyMatch(r -> r.authorization().endsWith("SA02")));
        Request first = operator.requests("/scanner/register").get(0);
        assertEquals("eyJhbGciOi.sa-token-1", first.body().get("serviceAccountToken"));
        assertFalse(first.body().containsKey("token"));
        assertTrue(first.body().containsKey("hostname") && first.body().containsKey("arch"));
        assertFalse(Files.exists(tmp.resolve("absent/credentials")), "the in-cluster key stays in memory");
        assertFalse(exit.isDone());
        agent.get().stop();
        assertEquals(ExitCodes.OK, exit.get(5, TimeUnit.SECONDS));
    }

    @Test
    void recordsItsFirstAcceptedHeartbeatAndSaysWhenANewerAgentIsServed() throws Exception {
        credentials(0.1);
        AtomicInteger beats = new AtomicInteger();
        operator.on("POST /scanner/heartbeat", r -> {
            if (beats.incrementAndGet() <= 2) {
                return Response.problem(426, "AGENT_OUTDATED", "Upgrade required");
            }
            Map<String, Object> m = heartbeatAnswer(false, 0.1, 1);
            m.put("agentVersion", "999.0.0");
            m.put("minimumAgentVersion", "0.0.0");
            return Response.ok(m);
        });
        operator.on("GET /scanner/assignments", r -> Response.ok(assignments(false, null)));
        Path marker = tmp.resolve(Agent.HEARTBEAT_MARKER);
        CompletableFuture<Integer> exit = runAgent(env());
        await("the first accepted heartbeat recorded", 5000, () -> Files.exists(marker));
        assertEquals("version=" + io.mipo.scanner.AgentVersion.get(), Files.readString(marker).strip());
        assertTrue(beats.get() >= 3, "the marker is written only once a heartbeat was accepted");
        assertTrue(logText().contains("refuses this agent's version") && logText().contains("mipo-scanner upgrade"),
                "a 426 says how to upgrade:\n" + logText());
        await("the upgrade hint", 5000, () -> logText().contains("mipo scanner 999.0.0 is available"));
        await("more heartbeats", 5000, () -> beats.get() >= 6);
        assertEquals(1, logText().split("999.0.0 is available", -1).length - 1, "said once:\n" + logText());
        Files.delete(marker);
        await("two more heartbeats", 5000, () -> beats.get() >= 8);
        assertFalse(Files.exists(marker), "written once per process, so an upgrade waiting for it sees the new process only");
        agent.get().stop();
        assertEquals(ExitCodes.OK, exit.get(5, TimeUnit.SECONDS));
    }

    @Test
    void anUpgradeToInTheHeartbeatAnswerWritesTheUpgradeRequestOnceAndNothingWithoutIt() throws Exception {
        credentials(0.1);
        AtomicInteger beats = new AtomicInteger();
        AtomicReference<String> upgradeTo = new AtomicReference<>();
        operator.on("POST /scanner/heartbeat", r -> {
            beats.incrementAndGet();
            Map<String, Object> m = heartbeatAnswer(false, 0.1, 1);
            m.put("agentVersion", "999.0.0");
            if (upgradeTo.get() != null) {
                m.put("upgradeTo", upgradeTo.get());
            }
            return Response.ok(m);
        });
        operator.on("GET /scanner/assignments", r -> Response.ok(assignments(false, null)));
        Path request = tmp.resolve(Agent.UPGRADE_REQUEST);
        CompletableFuture<Integer> exit = runAgent(env());

        // automatic upgrades off (or not this agent's turn): the answer has no upgradeTo, nothing is written
        await("heartbeats without upgradeTo", 5000, () -> beats.get() >= 5);
        assertFalse(Files.exists(request), "no upgrade request without upgradeTo:\n" + logText());

        upgradeTo.set("999.0.0");
        await("the upgrade request", 5000, () -> Files.exists(request));
        assertEquals("version=999.0.0", Files.readString(request).strip());
        assertTrue(logText().contains("asks this agent") && logText().contains("999.0.0"), logText());

        // the path unit removes the file when it starts the upgrade: not written again for the same version
        Files.delete(request);
        int then = beats.get();
        await("more heartbeats with the same upgradeTo", 5000, () -> beats.get() >= then + 5);
        assertFalse(Files.exists(request), "one request per version and process");

        // the agent's own version is no reason to upgrade
        upgradeTo.set(io.mipo.scanner.AgentVersion.get());
        int then2 = beats.get();
        await("heartbeats naming this agent's version", 5000, () -> beats.get() >= then2 + 5);
        assertFalse(Files.exists(request), "no request to upgrade to the running version");
        try (var left = Files.list(tmp)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
        agent.get().stop();
        assertEquals(ExitCodes.OK, exit.get(5, TimeUnit.SECONDS));
    }
}
