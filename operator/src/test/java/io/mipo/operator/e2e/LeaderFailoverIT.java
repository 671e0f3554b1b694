package io.mipo.operator.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerSpec;
import io.mipo.operator.standalone.RecordingApiServer;
import io.mipo.operator.standalone.RecordingApiServer.Write;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fault injection, part (d): two replicas of the packaged operator (production profile, leader election
 * on, not standalone) share one Kubernetes API server — the embedded one of standalone mode, run in this
 * JVM ({@link RecordingApiServer}), which records every write with the {@code User-Agent} of the replica
 * that sent it. 50 scanners register and heartbeat through both replicas; the leader is killed with
 * SIGKILL; its agents move to the survivor (as a Service would move them); the survivor takes the Lease
 * and decides phases from the replicas' heartbeat ledgers; the killed replica is started again with the
 * same identity. Two canary scanners stop heartbeating after the failover, so Offline detection is shown
 * to work. Then the new leader is frozen with SIGSTOP (a stop-the-world pause, a frozen node) for longer
 * than its Lease and than offline-after; the restarted replica takes the Lease; the frozen one is resumed
 * with a view of heartbeats 25 s stale and must step down. Checked on what the API server saw:
 * <ul>
 * <li>{@code no-false-offline}: no Scanner status is written Offline while its agent heartbeated within
 *     offline-after (less 1 s for the distance between a heartbeat sent here and taken there);</li>
 * <li>{@code offline-detected}: the canaries are written Offline, by the survivor;</li>
 * <li>{@code single-leader}: every write of the operators to mipo.io resources comes from the replica
 *     holding the Lease at that moment, and the Lease changes hands only after it expired;</li>
 * <li>{@code budget-holds}: from the moment all scanners are Active, status writes that change no phase
 *     (refreshes of lastHeartbeatTime, which come due during the test) stay within
 *     {@code mipo.liveness.status-refresh-budget} in every minute, plus one burst per leader;</li>
 * <li>{@code ledger-owner-only}: every heartbeat ledger is written by its own replica only;</li>
 * <li>{@code failover-bounded}: the next leader takes the Lease within lease duration + 2 retry periods
 *     + 5 s of losing the last one, and reports {@code mipo_leader 1};</li>
 * <li>{@code deposed-leader-exits}: the frozen leader exits within renew deadline + 10 s of resuming
 *     (it lost the Lease), and — by {@code single-leader} and {@code no-false-offline} — writes nothing first.</li>
 * </ul>
 * Timings are short so the whole story, including the end of the new leader's grace period (one
 * offline-after), fits in about two minutes: offline-after 20 s, heartbeats every 2 s, a 10 s Lease.
 * The seed is printed; {@code -Dfault.seed=<seed>} replays the same assignment of agents to replicas,
 * canaries and kill moment.
 */
class LeaderFailoverIT {
    private static final int SCANNERS = 50;
    private static final int CANARIES = 2;
    private static final Duration OFFLINE_AFTER = Duration.ofSeconds(20);
    private static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(2);
    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final Duration RENEW_DEADLINE = Duration.ofSeconds(8);
    private static final Duration RETRY = Duration.ofSeconds(1);
    /** How long the second leader is frozen: past its Lease and past offline-after, so its own view has gone stale. */
    private static final Duration FREEZE = Duration.ofSeconds(25);
    /**
     * Refreshes of lastHeartbeatTime may come due within the test: status-refresh 15 s, and a budget of
     * 60 a minute makes each of the 50 scanners due every 50 to 100 s (registered scanners x 60 s / budget,
     * spread), so the budget is drawn from while the replicas change hands.
     */
    private static final int REFRESH_BUDGET = 60;
    private static final Duration STATUS_REFRESH = Duration.ofSeconds(15);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final String NS = "default";
    private static final String LEASE_PATH = "/apis/coordination.k8s.io/v1/namespaces/" + NS + "/leases";
    private static final String AGENT_PREFIX = "mipo-it/";
    private static final String TEST_AGENT = RecordingApiServer.TEST_USER_AGENT;
    private static final Pattern TOKEN = Pattern.compile("mipo_pt_[0-9A-Za-z]{38}");
    private static final Pattern SCANNER_STATUS = Pattern.compile("^/apis/mipo\\.io/[^/]+/namespaces/[^/]+/scanners/([^/?]+)/status");
    private static final Pattern LEDGER = Pattern.compile("^/api/v1/namespaces/[^/]+/configmaps(?:/([^/?]+))?");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private RecordingApiServer api;
    private final List<Replica> replicas = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final StringBuilder story = new StringBuilder();
    private final long startNanos = System.nanoTime();

    /** One operator process: its identity (replica id and User-Agent), port and output. */
    private final class Replica {
        final String id;
        final int generation;
        final int port;
        final Path log;
        final Process process;
        /** Frozen with SIGSTOP: its readiness fails, so a Service sends it nothing. */
        volatile boolean frozen;

        Replica(String id, int generation) throws IOException {
            this.id = id;
            this.generation = generation;
            this.port = StandaloneOperator.freePort();
            this.log = tmp.resolve(id + "-" + generation + ".log");
            List<String> command = new ArrayList<>(List.of(StandaloneOperator.javaExecutable(),
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
                    "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                    // the cluster: the shared API server, and nothing from this machine's kubeconfig
                    "-Dkubernetes.master=" + api.url(), "-Dkubernetes.namespace=" + NS,
                    "-Dkubernetes.auth.tryKubeConfig=false", "-Dkubernetes.auth.tryServiceAccount=false",
                    "-Dkubernetes.user.agent=" + AGENT_PREFIX + id,
                    "-Dquarkus.operator-sdk.namespaces=" + NS, "-Dmipo.api.namespace=" + NS,
                    "-Dmipo.operator-namespace=" + NS, "-Dmipo.replica-id=" + id,
                    "-Dmipo.public-url=http://127.0.0.1:" + port, "-Dmipo.public-url.allow-insecure=true",
                    "-Dmipo.leader-election.enabled=true",
                    "-Dmipo.leader-election.lease-duration=" + LEASE.toSeconds() + "s",
                    "-Dmipo.leader-election.renew-deadline=" + RENEW_DEADLINE.toSeconds() + "s",
                    "-Dmipo.leader-election.retry-period=" + RETRY.toSeconds() + "s",
                    "-Dmipo.liveness.offline-after=" + OFFLINE_AFTER.toSeconds() + "s",
                    "-Dmipo.liveness.heartbeat-interval=" + HEARTBEAT_EVERY.toSeconds() + "s",
                    "-Dmipo.liveness.status-refresh-budget=" + REFRESH_BUDGET,
                    "-Dmipo.liveness.status-refresh=" + STATUS_REFRESH.toSeconds() + "s",
                    "-jar", BuildOutputs.operatorJar().toString()));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("MIPO_") || k.startsWith("QUARKUS_")
                    || k.startsWith("KUBERNETES_") || k.equals("KUBECONFIG"));
            this.process = pb.start();
        }

        String url() {
            return "http://127.0.0.1:" + port;
        }

        boolean alive() {
            return process.isAlive();
        }

        boolean routable() {
            return process.isAlive() && !frozen;
        }

        void signal(String name) throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                fail("kill -" + name + " " + process.pid() + " failed");
            }
        }

        void awaitReady() throws InterruptedException {
            long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
            String last = "";
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    fail(id + " exited with " + process.exitValue() + " before it was ready\n" + tail(80));
                }
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                            .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
                    last = r.statusCode() + " " + r.body();
                    if (r.statusCode() == 200) {
                        note("%s (start %d) ready on %s", id, generation, url());
                        return;
                    }
                } catch (IOException e) {
                    last = e.toString();
                }
                Thread.sleep(250);
            }
            fail(id + " not ready within " + READY_TIMEOUT + "; last answer: " + last + "\n" + tail(80));
        }

        /** kill -9: no shutdown hook, nothing flushed, the Lease not released. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                fail(id + " did not die within 30 s of SIGKILL");
            }
        }

        double metric(String name) throws IOException, InterruptedException {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/q/metrics"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$", Pattern.MULTILINE)
                    .matcher(r.body());
            double sum = 0;
            while (m.find()) {
                sum += Double.parseDouble(m.group(2));
            }
            return sum;
        }

        /** Its output lines that match {@code regex} (at most 5). */
        List<String> lines(String regex) {
            Pattern p = Pattern.compile(regex);
            try {
                return Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> p.matcher(l).find()).limit(5).toList();
            } catch (IOException e) {
                return List.of("<cannot read " + log + ": " + e + ">");
            }
        }

        String tail(int lines) {
            try {
                List<String> all = List.of(Files.readString(log, StandardCharsets.UTF_8).split("\n", -1));
                return "--- " + id + " (start " + generation + ") output, last " + lines + " lines (" + log + ") ---\n"
                        + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
            } catch (IOException e) {
                return "<cannot read " + log + ": " + e + ">";
            }
        }
    }

    /** One agent: its key, the replica it talks to first, and every heartbeat answered 200 (when sent). */
    private static final class Agent {
        final String name;
        final int home;
        volatile String key;
        volatile boolean stopped;
        volatile Instant stoppedAt;
        final List<Instant> okHeartbeats = new CopyOnWriteArrayList<>();
        final Map<String, Integer> refusals = new ConcurrentHashMap<>();

        Agent(String name, int home) {
            this.name = name;
            this.home = home;
        }

        /** The send time of the latest heartbeat answered 200 that was sent at or before {@code t}. */
        Instant lastOkBefore(Instant t) {
            Instant best = null;
            for (Instant i : okHeartbeats) {
                if (!i.isAfter(t) && (best == null || i.isAfter(best))) {
                    best = i;
                }
            }
            return best;
        }
    }

    @AfterEach
    void stopEverything() {
        for (Replica r : replicas) {
            if (r.alive()) {
                r.process.destroyForcibly();
                try {
                    r.process.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (api != null) {
            api.close();
        }
    }

    @Test
    // runs in about 100 s on an idle machine, 150 s on a busy one; the timeout only stops a hang
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void killingTheLeaderMarksNoScannerOfflineAndKeepsOneWriterAndTheWriteBudget() throws Exception {
        long seed = Long.getLong("fault.seed", System.nanoTime());
        note("LeaderFailoverIT seed=%d (replay with -Dfault.seed=%d)", seed, seed);
        Random random = new Random(seed);
        api = RecordingApiServer.start(projectRoot().resolve("crds"));
        String[] ids = {"replica-a", "replica-b"};
        Replica[] current = {new Replica(ids[0], 1), new Replica(ids[1], 1)};
        replicas.add(current[0]);
        replicas.add(current[1]);
        current[0].awaitReady();
        current[1].awaitReady();

        List<Agent> agents = new ArrayList<>();
        for (int i = 0; i < SCANNERS; i++) {
            agents.add(new Agent(String.format("lf-%02d", i), random.nextInt(2)));
        }
        List<Agent> canaries = new ArrayList<>();
        while (canaries.size() < CANARIES) {
            Agent a = agents.get(random.nextInt(SCANNERS));
            if (!canaries.contains(a)) {
                canaries.add(a);
            }
        }
        long steadyMillis = 6_000 + random.nextInt(4_000);

        try (KubernetesClient kube = api.client()) {
            for (Agent a : agents) {
                createScanner(kube, a.name);
            }
            Map<String, String> tokens = awaitTokens(kube, agents, current);
            ExecutorService registrations = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> registered = new ArrayList<>();
                for (Agent a : agents) {
                    registered.add(registrations.submit(() -> {
                        register(current[a.home], a, tokens.get(a.name));
                        return null;
                    }));
                }
                for (Future<?> f : registered) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                registrations.shutdownNow();
            }
            note("%d scanners registered: %d through %s, %d through %s; canaries %s", SCANNERS,
                    agents.stream().filter(a -> a.home == 0).count(), ids[0],
                    agents.stream().filter(a -> a.home == 1).count(), ids[1], canaries.stream().map(a -> a.name).toList());

            ExecutorService pool = Executors.newFixedThreadPool(4);
            Thread beat = new Thread(() -> heartbeatLoop(agents, current, pool), "heartbeats");
            beat.setDaemon(true);
            beat.start();
            try {
                Instant allActive = awaitAllActive(kube, agents, current);
                Thread.sleep(steadyMillis);

                int leaderIndex = leaderIndex(ids);
                Replica leader = current[leaderIndex];
                Replica survivor = current[1 - leaderIndex];
                checkLeaderMetrics(leader, survivor);
                Instant killedAt = Instant.now();
                leader.kill();
                note("kill -9 of the leader %s", leader.id);

                Instant acquiredAt = awaitLeaseHolder(survivor, killedAt);
                note("%s took the Lease %.1f s after the kill", survivor.id, secondsBetween(killedAt, acquiredAt));
                awaitMetric(survivor, "mipo_leader", 1.0, Duration.ofSeconds(10));

                // the killed replica comes back with the same identity (a pod restarted in place)
                Replica restarted = new Replica(leader.id, 2);
                replicas.add(restarted);
                Thread.sleep(3_000);
                Instant canariesStopped = Instant.now();
                for (Agent c : canaries) {
                    c.stoppedAt = canariesStopped;
                    c.stopped = true;
                }
                note("canaries stopped heartbeating");
                restarted.awaitReady();
                current[leaderIndex] = restarted;
                note("%s serves its agents again", restarted.id);

                Instant graceOver = acquiredAt.plus(OFFLINE_AFTER);
                Instant until = later(graceOver.plusSeconds(8), canariesStopped.plus(OFFLINE_AFTER).plusSeconds(8));
                awaitCanariesOffline(kube, canaries, until.plusSeconds(20), current);
                sleepUntil(until);
                note("%.1f s after the new leader's grace ended", secondsBetween(graceOver, Instant.now()));

                // act 2: the new leader freezes (SIGSTOP: a stop-the-world pause, a frozen VM) past its Lease and past
                // offline-after; the restarted replica takes over; the frozen one resumes with a stale view and must
                // step down (exit) without writing anything
                Instant frozenAt = Instant.now();
                survivor.signal("STOP");
                survivor.frozen = true;
                note("SIGSTOP of the leader %s", survivor.id);
                Instant secondAcquiredAt = awaitLeaseHolder(restarted, frozenAt);
                note("%s took the Lease %.1f s after the freeze", restarted.id, secondsBetween(frozenAt, secondAcquiredAt));
                awaitMetric(restarted, "mipo_leader", 1.0, Duration.ofSeconds(10));
                sleepUntil(frozenAt.plus(FREEZE));
                Instant resumedAt = Instant.now();
                survivor.signal("CONT");
                note("SIGCONT of %s after %.1f s", survivor.id, secondsBetween(frozenAt, resumedAt));
                boolean exited = survivor.process.waitFor(RENEW_DEADLINE.plusSeconds(10).toSeconds(), TimeUnit.SECONDS);
                note("%s %s", survivor.id, exited ? "exited with " + survivor.process.exitValue() + " "
                        + String.format("%.1f s after SIGCONT", secondsBetween(resumedAt, Instant.now())) : "is still running");
                note("%s said: %s", survivor.id, survivor.lines("did not run for|Stopped leading|[Ee]xiting"));
                Thread.sleep(4_000);
                note("end of observation");
                List<Write> writes = api.writes();
                Map<String, Integer> finalPhases = finalPhases(kube, agents);
                checkInvariants(writes, agents, canaries, survivor, leader, restarted, killedAt, acquiredAt, allActive,
                        finalPhases, seed, current, exited, secondAcquiredAt);
            } finally {
                beat.interrupt();
                beat.join(10_000);
                pool.shutdownNow();
            }
        }
    }

    // ---- the workload ----

    private static Path projectRoot() {
        return Path.of(System.getProperty("mipo.project.root", "..")).toAbsolutePath().normalize();
    }

    private static void createScanner(KubernetesClient kube, String name) {
        Scanner s = new Scanner();
        s.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName(name).build());
        ScannerSpec spec = new ScannerSpec();
        spec.setDisplayName(name);
        s.setSpec(spec);
        kube.resource(s).create();
    }

    private Map<String, String> awaitTokens(KubernetesClient kube, List<Agent> agents, Replica[] current) throws InterruptedException {
        Map<String, String> tokens = new HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (tokens.size() < agents.size()) {
            for (Agent a : agents) {
                if (tokens.containsKey(a.name)) {
                    continue;
                }
                Secret s = kube.secrets().inNamespace(NS).withName(a.name + "-provisioning").get();
                if (s != null && s.getData() != null && s.getData().get("install-command") != null) {
                    Matcher m = TOKEN.matcher(new String(Base64.getDecoder().decode(s.getData().get("install-command")),
                            StandardCharsets.UTF_8));
                    if (m.find()) {
                        tokens.put(a.name, m.group());
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                fail("provisioning tokens of only " + tokens.size() + " of " + agents.size() + " scanners within 60 s\n"
                        + story + tails(current));
            }
            Thread.sleep(200);
        }
        return tokens;
    }

    private void register(Replica via, Agent a, String token) throws Exception {
        Map<String, String> body = Map.of("token", token, "hostname", a.name + ".example.net", "version", "1.0.0",
                "os", "linux", "arch", "amd64", "registrationId", UUID.randomUUID().toString());
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(via.url() + "/scanner/register"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            fail("registering " + a.name + " through " + via.id + ": HTTP " + r.statusCode() + " " + r.body());
        }
        a.key = JSON.readTree(r.body()).path("apiKey").asText();
        a.okHeartbeats.add(Instant.now()); // a registration counts as a heartbeat
    }

    /**
     * Every agent heartbeats every 2 s to its home replica while it is up, to the other one otherwise
     * (a Service sends nothing to a dead pod; a refused connection is retried on the other replica at once).
     */
    private void heartbeatLoop(List<Agent> agents, Replica[] current, ExecutorService pool) {
        while (!Thread.currentThread().isInterrupted()) {
            long roundStart = System.nanoTime();
            List<Future<?>> round = new ArrayList<>();
            for (Agent a : agents) {
                if (a.stopped || a.key == null) {
                    continue;
                }
                round.add(pool.submit(() -> heartbeat(a, current)));
            }
            try {
                for (Future<?> f : round) {
                    f.get(30, TimeUnit.SECONDS);
                }
                long left = HEARTBEAT_EVERY.toNanos() - (System.nanoTime() - roundStart);
                if (left > 0) {
                    TimeUnit.NANOSECONDS.sleep(left);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                note("heartbeat round failed: %s", e);
            }
        }
    }

    private void heartbeat(Agent a, Replica[] current) {
        Replica home = current[a.home];
        Replica other = current[1 - a.home];
        for (Replica r : home.routable() ? List.of(home, other) : List.of(other)) {
            Instant sent = Instant.now();
            try {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(r.url() + "/scanner/heartbeat"))
                        .timeout(Duration.ofSeconds(3)).header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + a.key).header("X-Mipo-Scanner", a.name)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"version\":\"1.0.0\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200) {
                    a.okHeartbeats.add(sent);
                    return;
                }
                a.refusals.merge(r.id + " HTTP " + answer.statusCode(), 1, Integer::sum);
                return;
            } catch (IOException e) {
                a.refusals.merge(r.id + " " + e.getClass().getSimpleName(), 1, Integer::sum);
                // the replica is gone (or not up yet): the other one takes the heartbeat
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Instant awaitAllActive(KubernetesClient kube, List<Agent> agents, Replica[] current) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Map<String, Integer> phases = Map.of();
        while (System.nanoTime() < deadline) {
            phases = finalPhases(kube, agents);
            if (phases.getOrDefault("Active", 0) == agents.size()) {
                note("all %d scanners Active", agents.size());
                return Instant.now();
            }
            Thread.sleep(250);
        }
        fail("not all scanners Active within 60 s: " + phases + "\n" + story + tails(current));
        return null;
    }

    private static Map<String, Integer> finalPhases(KubernetesClient kube, List<Agent> agents) {
        Map<String, Integer> phases = new TreeMap<>();
        for (Scanner s : kube.resources(Scanner.class).inNamespace(NS).list().getItems()) {
            String phase = s.getStatus() == null || s.getStatus().getPhase() == null ? "<none>" : s.getStatus().getPhase().name();
            phases.merge(phase, 1, Integer::sum);
        }
        return phases;
    }

    private void awaitCanariesOffline(KubernetesClient kube, List<Agent> canaries, Instant deadline, Replica[] current)
            throws InterruptedException {
        while (Instant.now().isBefore(deadline)) {
            boolean all = true;
            for (Agent c : canaries) {
                Scanner s = kube.resources(Scanner.class).inNamespace(NS).withName(c.name).get();
                all &= s != null && s.getStatus() != null && s.getStatus().getPhase() != null
                        && "Offline".equals(s.getStatus().getPhase().name());
            }
            if (all) {
                note("canaries Offline");
                return;
            }
            Thread.sleep(250);
        }
        fail("invariant offline-detected: the canaries, silent since " + canaries.get(0).stoppedAt + ", are not Offline by "
                + deadline + "\n" + story + tails(current));
    }

    // ---- who leads ----

    /** The holder of the Lease as the API server last stored it (successful Lease writes). */
    private int leaderIndex(String[] ids) {
        String holder = null;
        for (Write w : api.writes()) {
            if (w.ok() && w.path().startsWith(LEASE_PATH)) {
                holder = w.json().path("spec").path("holderIdentity").asText(null);
            }
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i].equals(holder)) {
                return i;
            }
        }
        fail("the Lease is held by " + holder + ", not by one of the replicas\n" + story);
        return -1;
    }

    private void checkLeaderMetrics(Replica leader, Replica other) throws Exception {
        awaitMetric(leader, "mipo_leader", 1.0, Duration.ofSeconds(5));
        awaitMetric(other, "mipo_leader", 0.0, Duration.ofSeconds(5));
    }

    private void awaitMetric(Replica r, String name, double wanted, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        double last;
        do {
            last = r.metric(name);
            if (last == wanted) {
                return;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        fail(r.id + ": " + name + " is " + last + ", expected " + wanted + " within " + timeout + "\n" + story + r.tail(60));
    }

    private Instant awaitLeaseHolder(Replica survivor, Instant after) throws InterruptedException {
        Duration bound = LEASE.plus(RETRY.multipliedBy(2)).plusSeconds(5);
        long deadline = System.nanoTime() + bound.plusSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            for (Write w : api.writes()) {
                if (w.ok() && w.path().startsWith(LEASE_PATH) && w.at().isAfter(after)
                        && survivor.id.equals(w.json().path("spec").path("holderIdentity").asText())) {
                    if (Duration.between(after, w.at()).compareTo(bound) > 0) {
                        fail("invariant failover-bounded: " + survivor.id + " took the Lease " + secondsBetween(after, w.at())
                                + " s after the leader was lost, more than " + bound.toSeconds() + " s (lease duration " + LEASE.toSeconds()
                                + " s + 2 retry periods + 5 s)\n" + story + survivor.tail(60));
                    }
                    return w.at();
                }
            }
            if (!survivor.alive()) {
                fail(survivor.id + " exited after the leader was killed\n" + story + survivor.tail(80));
            }
            Thread.sleep(100);
        }
        fail("invariant failover-bounded: " + survivor.id + " never took the Lease\n" + story + survivor.tail(80));
        return null;
    }

    // ---- the invariants, on what the API server saw ----

    private void checkInvariants(List<Write> writes, List<Agent> agents, List<Agent> canaries, Replica survivor, Replica killed,
                                 Replica restarted, Instant killedAt, Instant acquiredAt, Instant allActive,
                                 Map<String, Integer> finalPhases, long seed, Replica[] current, boolean deposedExited,
                                 Instant secondAcquiredAt) {
        List<String> problems = new ArrayList<>();
        Map<String, Agent> byName = new HashMap<>();
        agents.forEach(a -> byName.put(a.name, a));
        Map<String, Integer> writesByAgent = new TreeMap<>();
        Map<String, Integer> ledgerWritesByReplica = new TreeMap<>();
        Map<String, String> shownPhase = new HashMap<>();
        List<Write> refreshes = new ArrayList<>();
        int phaseChanges = 0;
        String holder = null;
        Instant holderRenewed = null;
        int holderChanges = 0;
        for (Write w : writes) {
            String agent = w.userAgent();
            writesByAgent.merge(agent + " " + w.verb(), 1, Integer::sum);
            if (!agent.startsWith(AGENT_PREFIX)) {
                problems.add("unattributable write (User-Agent '" + agent + "'): " + w.verb() + " " + w.path());
            }
            if (!w.ok()) {
                continue;
            }
            String writer = agent.startsWith(AGENT_PREFIX) ? agent.substring(AGENT_PREFIX.length()) : agent;
            if (w.path().startsWith(LEASE_PATH)) {
                JsonNode spec = w.json().path("spec");
                String newHolder = spec.path("holderIdentity").asText(null);
                if (holder != null && !holder.equals(newHolder)) {
                    holderChanges++;
                    Instant expiry = holderRenewed == null ? null : holderRenewed.plus(LEASE);
                    if (expiry != null && w.at().isBefore(expiry)) {
                        problems.add("single-leader: " + newHolder + " took the Lease at " + w.at() + " from " + holder
                                + " whose lease ran until " + expiry);
                    }
                }
                holder = newHolder;
                holderRenewed = parseTime(spec.path("renewTime").asText(null));
                continue;
            }
            if (w.path().startsWith("/apis/mipo.io/") && !TEST_AGENT.equals(agent)) {
                if (!writer.equals(holder)) {
                    problems.add("single-leader: " + writer + " wrote " + w.verb() + " " + w.path() + " at " + w.at()
                            + " while the Lease was " + (holder == null ? "not yet taken" : holder + "'s"));
                }
            }
            Matcher ledger = LEDGER.matcher(w.path());
            if (ledger.find()) {
                String name = ledger.group(1) != null ? ledger.group(1) : w.json().path("metadata").path("name").asText("");
                if (name.startsWith("mipo-heartbeats-")) {
                    if (!name.startsWith("mipo-heartbeats-" + writer + "-")) {
                        problems.add("ledger-owner-only: " + writer + " wrote " + name);
                    }
                    if (!w.at().isBefore(allActive)) {
                        ledgerWritesByReplica.merge(writer, 1, Integer::sum);
                    }
                }
            }
            Matcher status = SCANNER_STATUS.matcher(w.path());
            if (status.find()) {
                String name = status.group(1);
                String phase = w.json().path("status").path("phase").asText("");
                String before = shownPhase.put(name, phase);
                boolean changed = !phase.equals(before);
                if (!w.at().isBefore(allActive)) {
                    if (changed) {
                        phaseChanges++;
                    } else {
                        refreshes.add(w);
                    }
                }
                if ("Offline".equals(phase)) {
                    Agent a = byName.get(name);
                    Instant last = a == null ? null : a.lastOkBefore(w.at());
                    if (last != null && Duration.between(last, w.at()).compareTo(OFFLINE_AFTER.minusSeconds(1)) < 0) {
                        problems.add(String.format("no-false-offline: %s written Offline by %s at %s, %.1f s after a heartbeat "
                                + "answered 200 (offline-after %d s)%s", name, writer, w.at(), secondsBetween(last, w.at()),
                                OFFLINE_AFTER.toSeconds(), a.stopped ? "" : "; it never stopped heartbeating"));
                    }
                    if (a != null && !a.stopped) {
                        problems.add("no-false-offline: " + name + " written Offline by " + writer + " at " + w.at()
                                + " though its agent never stopped heartbeating");
                    }
                    if (a != null && a.stopped && !writer.equals(survivor.id)) {
                        problems.add("offline-detected: canary " + name + " written Offline by " + writer + ", not by the new leader "
                                + survivor.id);
                    }
                }
            }
        }
        // budget-holds: in every minute from all-Active on, status writes that changed no phase stay within the
        // refresh budget, plus one burst (a quarter of it) per replica that wrote them: each leader's token bucket
        // starts full
        int worstMinute = 0;
        int worstAllowed = 0;
        for (int i = 0; i < refreshes.size(); i++) {
            int n = 0;
            java.util.Set<String> writers = new java.util.HashSet<>();
            for (int j = i; j < refreshes.size() && Duration.between(refreshes.get(i).at(), refreshes.get(j).at()).toSeconds() < 60; j++) {
                n++;
                writers.add(refreshes.get(j).userAgent());
            }
            int allowed = REFRESH_BUDGET + writers.size() * (REFRESH_BUDGET / 4);
            if (n - allowed > worstMinute - worstAllowed || i == 0) {
                worstMinute = n;
                worstAllowed = allowed;
            }
        }
        if (worstMinute > worstAllowed) {
            problems.add("budget-holds: " + worstMinute + " status writes without a phase change within one minute, allowed "
                    + worstAllowed + " (budget " + REFRESH_BUDGET + " a minute plus a burst of " + REFRESH_BUDGET / 4
                    + " per writing leader)");
        }
        if (holderChanges != 2) {
            problems.add("single-leader: the Lease changed hands " + holderChanges + " times, expected twice (from " + killed.id
                    + " to " + survivor.id + " after the kill, back to " + restarted.id + " after the freeze)");
        }
        if (!restarted.id.equals(holder)) {
            problems.add("single-leader: at the end the Lease is " + holder + "'s, not " + restarted.id + "'s");
        }
        if (!deposedExited) {
            problems.add("deposed-leader-exits: " + survivor.id + ", frozen past its Lease, was still running "
                    + (RENEW_DEADLINE.toSeconds() + 10) + " s after it resumed");
        }
        for (Agent c : canaries) {
            if (!"Offline".equals(shownPhase.get(c.name))) {
                problems.add("offline-detected: canary " + c.name + " last written " + shownPhase.get(c.name));
            }
        }
        for (Agent a : agents) {
            if (!a.stopped && !"Active".equals(shownPhase.get(a.name))) {
                problems.add("no-false-offline: " + a.name + " (heartbeating) last written " + shownPhase.get(a.name));
            }
        }
        if (!restarted.alive()) {
            problems.add("the last leader " + restarted.id + " exited");
        }

        Map<String, Integer> refusals = new TreeMap<>();
        agents.forEach(a -> a.refusals.forEach((k, v) -> refusals.merge(k, v, Integer::sum)));
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("seed", seed);
        summary.put("failover (kill to Lease taken), s", String.format("%.1f", secondsBetween(killedAt, acquiredAt)));
        summary.put("second Lease taken at", secondAcquiredAt);
        summary.put("writes by client and verb", writesByAgent);
        summary.put("Scanner status writes from all-Active on: phase changes", phaseChanges);
        summary.put("Scanner status writes from all-Active on: without a phase change", refreshes.size());
        summary.put("... most in one minute (budget " + REFRESH_BUDGET + " + bursts)", worstMinute + " (allowed " + worstAllowed + ")");
        summary.put("ledger writes from all-Active on, by replica", ledgerWritesByReplica);
        summary.put("observed for, s from all-Active", String.format("%.0f", secondsBetween(allActive, Instant.now())));
        summary.put("final phases", finalPhases);
        summary.put("heartbeats not answered 200 (replica, why: count)", refusals);
        StringBuilder report = new StringBuilder("LeaderFailoverIT summary\n");
        summary.forEach((k, v) -> report.append("  ").append(k).append(": ").append(v).append('\n'));
        for (Write w : refreshes.subList(0, Math.min(5, refreshes.size()))) {
            report.append("  a status write without phase change: ").append(w.at()).append(' ').append(w.userAgent()).append(' ')
                    .append(w.path()).append('\n');
        }
        System.out.println(report);
        if (!problems.isEmpty()) {
            fail(problems.size() + " invariant violations (seed " + seed + "):\n  "
                    + String.join("\n  ", problems.subList(0, Math.min(25, problems.size()))) + "\n" + report + story + tails(current)
                    + "\n" + killed.tail(40));
        }
    }

    // ---- helpers ----

    private static Instant parseTime(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static double secondsBetween(Instant a, Instant b) {
        return Duration.between(a, b).toMillis() / 1000.0;
    }

    private static void sleepUntil(Instant t) throws InterruptedException {
        long ms = Duration.between(Instant.now(), t).toMillis();
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }

    private String tails(Replica[] current) {
        StringBuilder sb = new StringBuilder();
        for (Replica r : current) {
            sb.append('\n').append(r.tail(40));
        }
        return sb.toString();
    }

    private void note(String format, Object... args) {
        String line = String.format("[%6.1f s] ", (System.nanoTime() - startNanos) / 1e9) + String.format(format, args);
        synchronized (story) {
            story.append(line).append('\n');
        }
        System.out.println(line);
    }
}
