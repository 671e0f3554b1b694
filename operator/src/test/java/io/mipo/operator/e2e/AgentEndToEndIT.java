package io.mipo.operator.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.mipo.operator.kube.Conditions;
import io.mipo.operator.model.GroupTarget;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerGroup;
import io.mipo.operator.model.ScannerGroupSpec;
import io.mipo.operator.e2e.Commands.Outcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.mipo.operator.e2e.StandaloneOperator.phase;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real agent jar against the real operator (standalone mode), each a process of its own, as a
 * user runs them: provision a Scanner through the Kubernetes API, {@code register} with the token
 * from its install command, {@code run}; a group assigns a loopback target whose listener sees the
 * probes; the findings reach the operator's results sink; disabling stops new work but not the
 * heartbeats; a killed agent goes Offline; a used token registers no one. Liveness timings are
 * shortened (heartbeat 1 s, Offline after 5 s) so the whole story takes well under a minute.
 */
class AgentEndToEndIT {
    private static final String SCANNER = "e2e-agent";
    private static final String GROUP = "e2e-loopback";
    private static final Duration OFFLINE_AFTER = Duration.ofSeconds(5);
    private static final Pattern API_KEY = Pattern.compile("mipo_sk_[0-9A-Za-z]{38}");
    private static final Pattern PASS_STARTED = Pattern.compile("scan pass (\\d+) started");
    private static final Pattern PASS_ENDED = Pattern.compile("scan pass (\\d+) (finished|stopped|failed)");

    @TempDir
    static Path tmp;
    private static StandaloneOperator operator;
    private static final List<Process> agents = new ArrayList<>();
    private static ProbeListener listener;

    private Path agentLog;

    @BeforeAll
    static void startOperator() throws Exception {
        operator = StandaloneOperator.start(tmp,
                "mipo.liveness.heartbeat-interval=1s",
                "mipo.liveness.offline-after=" + OFFLINE_AFTER.toSeconds() + "s",
                "mipo.liveness.status-refresh=2s");
        listener = new ProbeListener();
    }

    @AfterAll
    static void stopEverything() throws Exception {
        for (Process p : agents) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (listener != null) {
            listener.close();
        }
        if (operator != null) {
            operator.close();
        }
    }

    @Test
    void registersRunsScansHonoursDisableAndGoesOfflineWhenKilled() throws Exception {
        operator.createScanner(SCANNER, Map.of("e2e", "agent"));
        String token = StandaloneOperator.tokenIn(operator.installCommand(SCANNER));
        operator.awaitScanner(SCANNER, Duration.ofSeconds(30), "phase Pending", s -> phase(s).equals("Pending"), () -> "");

        // --- register: exit 0, a private credentials file, the key never printed
        Path config = tmp.resolve("agent-config");
        Outcome registered = agent(List.of("register", "--server", operator.url(), "--config-dir", config.toString()),
                Map.of("MIPO_TOKEN", token), tmp.resolve("register.log"));
        assertEquals(0, registered.exit(), registered.describe("register") + "\n" + operator.tail(40));
        Path credentials = config.resolve("credentials");
        assertTrue(Files.isRegularFile(credentials), "no credentials file after register\n" + registered.describe("register"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials)), "credentials mode");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config)), "config dir mode");
        String apiKey = apiKeyIn(credentials);
        assertFalse(registered.output().contains(apiKey), "register printed the API key:\n" + registered.output());
        assertFalse(API_KEY.matcher(registered.output()).find(), "register printed an API key:\n" + registered.output());
        assertFalse(registered.output().contains(token), "register printed the token:\n" + registered.output());

        // --- run: the scanner goes Active
        agentLog = tmp.resolve("run.log");
        Process run = Commands.start(agentCommand(List.of("run", "--config-dir", config.toString())), Map.of(
                "MIPO_SCAN_PAUSE_SECONDS", "0.5",
                "MIPO_RESULTS_FLUSH_SECONDS", "0.2",
                "MIPO_PROBE_TIMEOUT_MS", "1000",
                "MIPO_BACKOFF_INITIAL_MS", "200",
                "MIPO_BACKOFF_MAX_MS", "1000"), agentLog);
        agents.add(run);
        operator.awaitScanner(SCANNER, Duration.ofSeconds(30), "phase Active", s -> phase(s).equals("Active"), this::agentOutput);

        // --- a group assigns 127.0.0.1/32 and the listener's port: the listener sees the probes
        operator.kube().resource(group()).create();
        operator.awaitScanner(SCANNER, Duration.ofSeconds(30), "an assignment of " + GROUP, s -> s.getStatus() != null
                && s.getStatus().getAssignments() != null
                && s.getStatus().getAssignments().stream().anyMatch(a -> GROUP.equals(a.getGroup())), this::agentOutput);
        awaitTrue(Duration.ofSeconds(20), "the listener on 127.0.0.1:" + listener.port() + " sees probes",
                () -> listener.connections() >= 2);

        // --- results arrive: a mipo.results JSON line for 127.0.0.1 and the port, state open
        awaitTrue(Duration.ofSeconds(20), "a mipo.results line for 127.0.0.1:" + listener.port() + " open on the operator's stdout",
                () -> resultLines().stream().anyMatch(l -> l.path("scanner").asText().equals(SCANNER)
                        && l.path("namespace").asText().equals(StandaloneOperator.NAMESPACE)
                        && l.path("ip").asText().equals("127.0.0.1") && l.path("port").asInt() == listener.port()
                        && l.path("state").asText().equals("open") && !l.path("observedAt").asText().isEmpty()));

        // --- disable: the pass in progress ends, no new probes, heartbeats go on
        int before = listener.connections();
        awaitTrue(Duration.ofSeconds(10), "probes still arriving just before disabling (pause 0.5 s)",
                () -> listener.connections() >= before + 2);
        operator.modifyScanner(SCANNER, s -> s.getSpec().setDisabled(true));
        operator.awaitScanner(SCANNER, Duration.ofSeconds(20), "phase Disabled", s -> phase(s).equals("Disabled"), this::agentOutput);
        awaitTrue(Duration.ofSeconds(15), "the agent hears it is disabled",
                () -> agentOutput().contains("scanner disabled in mipo"));
        awaitTrue(Duration.ofSeconds(10), "the scan pass in progress ends", () -> passesInProgress() == 0);
        int settled = listener.connections();
        int passes = count(PASS_STARTED, agentOutput());
        double heartbeats = operator.metric("mipo_heartbeats_total");
        // longer than offline-after: had the heartbeats stopped, the scanner would be Offline once enabled
        Thread.sleep(OFFLINE_AFTER.toMillis() + 1000);
        assertEquals(settled, listener.connections(), "probes reached the listener while the scanner was disabled\n"
                + agentOutput());
        assertEquals(passes, count(PASS_STARTED, agentOutput()), "a scan pass started while disabled\n" + agentOutput());
        double heartbeatsWhileDisabled = operator.metric("mipo_heartbeats_total") - heartbeats;
        assertTrue(heartbeatsWhileDisabled >= 3, "heartbeats continue while disabled (1 s interval): "
                + heartbeatsWhileDisabled + " in " + (OFFLINE_AFTER.toSeconds() + 1) + " s\n" + agentOutput());
        assertEquals("Disabled", phase(operator.scanner(SCANNER)), StandaloneOperator.describe(operator.scanner(SCANNER)));

        // --- enable again: Active at once (the heartbeats never stopped), and the probes resume
        operator.modifyScanner(SCANNER, s -> s.getSpec().setDisabled(false));
        operator.awaitScanner(SCANNER, Duration.ofSeconds(10), "phase Active right after enabling",
                s -> phase(s).equals("Active"), this::agentOutput);
        awaitTrue(Duration.ofSeconds(15), "probes resume after enabling", () -> listener.connections() > settled);

        // --- kill the agent: Offline within offline-after + 10 s
        long killedAt = System.nanoTime();
        run.destroyForcibly();
        assertTrue(run.waitFor(10, TimeUnit.SECONDS), "the agent did not die");
        operator.awaitScanner(SCANNER, OFFLINE_AFTER.plusSeconds(10), "phase Offline after the agent was killed",
                s -> phase(s).equals("Offline"), this::agentOutput);
        System.out.printf("Offline %.1f s after the agent was killed (offline-after %d s)%n",
                (System.nanoTime() - killedAt) / 1e9, OFFLINE_AFTER.toSeconds());
        Scanner offline = operator.scanner(SCANNER);
        assertTrue(Conditions.isTrue(offline.getStatus().getConditions(), Conditions.REGISTERED),
                "Offline means missed heartbeats only: still registered\n" + StandaloneOperator.describe(offline));

        // --- the used token registers no one
        Path config2 = tmp.resolve("agent-config-2");
        Outcome again = agent(List.of("register", "--server", operator.url(), "--config-dir", config2.toString()),
                Map.of("MIPO_TOKEN", token), tmp.resolve("register-again.log"));
        assertNotEquals(0, again.exit(), again.describe("second register with the used token"));
        assertTrue(again.output().contains("TOKEN_USED") && again.output().contains("already used"),
                "a clear message for a used token:\n" + again.output());
        assertFalse(Files.exists(config2.resolve("credentials")), "no credentials from a refused registration");
        assertEquals(apiKey, apiKeyIn(credentials), "the first registration's credentials are untouched");

        // --- no secret in any output
        String everything = operator.output() + agentOutput() + again.output();
        assertFalse(everything.contains(token), "the provisioning token appears in a log");
        assertFalse(everything.contains(apiKey), "the API key appears in a log");
    }

    private static ScannerGroup group() {
        ScannerGroup g = new ScannerGroup();
        g.setMetadata(new ObjectMetaBuilder().withNamespace(StandaloneOperator.NAMESPACE).withName(GROUP).build());
        ScannerGroupSpec spec = new ScannerGroupSpec();
        spec.setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("e2e", "agent")).build());
        GroupTarget target = new GroupTarget();
        target.setSubnet("127.0.0.1/32");
        target.setPorts(String.valueOf(listener.port()));
        spec.setTargets(List.of(target));
        g.setSpec(spec);
        return g;
    }

    private static List<String> agentCommand(List<String> args) {
        List<String> command = new ArrayList<>(List.of(StandaloneOperator.javaExecutable(), "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-jar", BuildOutputs.agentJar().toString()));
        command.addAll(args);
        return command;
    }

    private static Outcome agent(List<String> args, Map<String, String> env, Path log) throws Exception {
        return Commands.run(agentCommand(args), env, log, Duration.ofSeconds(60));
    }

    private String agentOutput() {
        return agentLog == null ? "" : "--- agent run output (" + agentLog + ") ---\n" + Commands.read(agentLog);
    }

    private int passesInProgress() {
        String out = Commands.read(agentLog);
        return count(PASS_STARTED, out) - count(PASS_ENDED, out);
    }

    private static int count(Pattern p, String text) {
        Matcher m = p.matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static String apiKeyIn(Path credentials) throws IOException {
        for (String line : Files.readAllLines(credentials)) {
            if (line.startsWith("apiKey=")) {
                String key = line.substring("apiKey=".length()).trim();
                assertTrue(API_KEY.matcher(key).matches(), "the stored API key has the mipo_sk_ format (length " + key.length() + ")");
                return key;
            }
        }
        fail("no apiKey line in " + credentials);
        return null;
    }

    /** The JSON lines of the results sink (log category mipo.results, bare lines on stdout). */
    private static List<JsonNode> resultLines() {
        List<JsonNode> out = new ArrayList<>();
        for (String line : operator.output().split("\n")) {
            if (line.startsWith("{") && line.contains("\"observedAt\"")) {
                try {
                    out.add(StandaloneOperator.json(line));
                } catch (IOException notJson) {
                    // another line that happens to start with a brace
                }
            }
        }
        return out;
    }

    private void awaitTrue(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what + ": not seen within " + timeout.toSeconds() + " s (listener connections: "
                        + listener.connections() + ")\n--- scanner ---\n"
                        + StandaloneOperator.describe(operator.scanner(SCANNER)) + "\n" + agentOutput() + "\n" + operator.tail(60));
            }
            Thread.sleep(100);
        }
    }

    /** A TCP listener on 127.0.0.1 that counts the connections it accepts: the agent's probes. */
    private static final class ProbeListener implements AutoCloseable {
        private final ServerSocket socket;
        private final AtomicInteger connections = new AtomicInteger();

        ProbeListener() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        connections.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "e2e-probe-listener");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
