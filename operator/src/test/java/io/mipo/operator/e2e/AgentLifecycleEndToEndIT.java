package io.mipo.operator.e2e;

import io.fabric8.kubernetes.api.model.Condition;
import io.mipo.operator.e2e.Commands.Outcome;
import io.mipo.operator.kube.Conditions;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.TokenState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * An agent's whole life on a host, against the real operator (standalone) and the real bundles:
 * installed with a token by the install script in a scratch root (MIPO_ROOT) whose
 * {@code systemctl} stub really starts and stops the installed agent; upgraded in place to a newer
 * bundle without a token (the API key keeps working, the scanner never goes Offline); a broken
 * bundle rolled back; an agent below the minimum version refused with 426; with automatic upgrades on
 * (the operator runs with them), the broken version's turn failed and a newer bundle installed by the
 * upgrade the agent requested (the root path unit's command, run as systemd would); uninstalled (nothing
 * left under the root, the scanner Offline with reason Uninstalled, its key revoked); and installed
 * on an arm64 host description (a {@code uname} stub), where the script picks the arm64 bundle.
 * The operator serves a copy of the build's distribution directory, which the test replaces with
 * newer bundles as a release would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentLifecycleEndToEndIT {
    private static final String SCANNER = "e2e-life";
    private static final String UNIT = "mipo-scanner.service";
    private static final Duration OFFLINE_AFTER = Duration.ofSeconds(6);
    private static final Duration AUTO_UPGRADE_DEADLINE = Duration.ofSeconds(45);

    @TempDir
    static Path tmp;
    private static StandaloneOperator operator;
    private static Path dist;
    private static Path root;
    private static Path stubs;
    private static String apiKey;

    @BeforeAll
    static void startOperator() throws Exception {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux")
                && List.of("amd64", "x86_64").contains(System.getProperty("os.arch")), "the agent bundles run on linux/amd64");
        Path built = BuildOutputs.agentJar().getParent();
        dist = Files.createDirectories(tmp.resolve("dist"));
        try (Stream<Path> files = Files.list(built)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".tar.gz") || name.equals("bundles.properties") || name.equals("install.sh") || name.endsWith(".jar")) {
                    Files.copy(f, dist.resolve(name));
                }
            }
        }
        operator = StandaloneOperator.start(tmp, "mipo.distribution.dir=" + dist,
                "mipo.liveness.heartbeat-interval=1s", "mipo.liveness.offline-after=" + OFFLINE_AFTER.toSeconds() + "s",
                "mipo.liveness.status-refresh=1s", "mipo.liveness.status-refresh-budget=600",
                "mipo.agent.auto-upgrade.enabled=true", "mipo.agent.auto-upgrade.interval=1s",
                "mipo.agent.auto-upgrade.max-percent=100", "mipo.agent.auto-upgrade.deadline=" + AUTO_UPGRADE_DEADLINE.toSeconds() + "s");
        root = tmp.resolve("root");
        stubs = stubs(tmp.resolve("stubs"), root);
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (stubs != null) {
            stopAgent();
        }
        if (operator != null) {
            operator.close();
        }
    }

    @Test
    @Order(1)
    void installsWithATokenAndTheServiceRunsTheAgent() throws Exception {
        operator.createScanner(SCANNER, Map.of());
        String command = operator.installCommand(SCANNER);
        Outcome installed = sh(command.replace("| sudo MIPO_TOKEN=", "| MIPO_TOKEN="), Map.of(), "install");
        assertEquals(0, installed.exit(), installed.describe("install") + agentLog() + operator.tail(40));

        Path opt = root.resolve("opt/mipo-scanner");
        assertTrue(Files.isSymbolicLink(opt.resolve("current")), "current is a symlink\n" + installed.output());
        assertTrue(Files.isExecutable(opt.resolve("bin/mipo-scanner")), "the launcher runs the current release");
        assertTrue(Files.isExecutable(opt.resolve("uninstall.sh")), "the uninstaller is installed beside the agent");
        Path credentials = root.resolve("var/lib/mipo-scanner/credentials");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials)));
        apiKey = credential(credentials, "apiKey");
        String unit = Files.readString(root.resolve("etc/systemd/system/" + UNIT));
        for (String line : List.of("StateDirectory=mipo-scanner", "ProtectProc=invisible", "SystemCallFilter=@system-service",
                "MemoryMax=512M", "TasksMax=256", "ExecStart=/opt/mipo-scanner/bin/mipo-scanner run --config-dir /var/lib/mipo-scanner")) {
            assertTrue(unit.contains(line + "\n"), "the unit has " + line + ":\n" + unit);
        }
        operator.awaitScanner(SCANNER, Duration.ofSeconds(60), "Active, heartbeating from the installed agent",
                s -> "Active".equals(StandaloneOperator.phase(s)) && s.getStatus().getAgent() != null,
                AgentLifecycleEndToEndIT::agentLog);
        assertFalse(StandaloneOperator.TOKEN.matcher(installed.output()).find(), "a token was printed");
        assertFalse(installed.output().contains(apiKey), "the API key was printed");
    }

    @Test
    @Order(2)
    void upgradesInPlaceWithoutATokenAndNeverGoesOffline() throws Exception {
        String oldVersion = operator.scanner(SCANNER).getStatus().getAgent().getVersion();
        String newVersion = "0.2.0-e2e";
        publish(newVersion, false);
        awaitServed(newVersion);

        List<String> phases = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
            while (watching.get()) {
                try {
                    phases.add(StandaloneOperator.phase(operator.scanner(SCANNER)));
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // a passing failure of the embedded API
                }
            }
        });
        watcher.start();
        Outcome upgraded;
        try {
            upgraded = sh("curl -fsSL " + operator.url() + "/scanner/install | MIPO_UPGRADE=1 sh",
                    Map.of("MIPO_UPGRADE_TIMEOUT", "60"), "upgrade");
            assertEquals(0, upgraded.exit(), upgraded.describe("upgrade") + agentLog() + operator.tail(40));
            operator.awaitScanner(SCANNER, Duration.ofSeconds(30), "the new agent version in status",
                    s -> s.getStatus() != null && s.getStatus().getAgent() != null
                            && newVersion.equals(s.getStatus().getAgent().getVersion()), AgentLifecycleEndToEndIT::agentLog);
            Thread.sleep(OFFLINE_AFTER.toMillis() / 2);
        } finally {
            watching.set(false);
            watcher.join(5000);
        }
        assertTrue(upgraded.output().contains("heartbeat was accepted"), upgraded.output());
        assertFalse(phases.isEmpty());
        assertFalse(phases.contains("Offline"), "the scanner went Offline during the upgrade: " + phases);
        assertEquals(apiKey, credential(root.resolve("var/lib/mipo-scanner/credentials"), "apiKey"), "the API key is kept");
        assertEquals(200, operator.post("/scanner/heartbeat", apiKey, "{\"version\":\"" + newVersion + "\"}").statusCode(),
                "the API key keeps working");
        assertEquals(newVersion, Files.readString(root.resolve("opt/mipo-scanner/current/VERSION")).trim());
        assertTrue(Files.isSymbolicLink(root.resolve("opt/mipo-scanner/previous")), "the previous release is kept for a rollback");
        assertNotEquals(oldVersion, newVersion);
        Scanner s = operator.awaitScanner(SCANNER, Duration.ofSeconds(30), "AgentOutdated False",
                x -> x.getStatus() != null && Conditions.find(x.getStatus().getConditions(), "AgentOutdated") != null
                        && "False".equals(Conditions.find(x.getStatus().getConditions(), "AgentOutdated").getStatus()),
                AgentLifecycleEndToEndIT::agentLog);
        assertEquals(TokenState.Consumed, s.getStatus().getToken().getState(), "no new token was needed");
        assertFalse(StandaloneOperator.TOKEN.matcher(upgraded.output()).find() || upgraded.output().contains(apiKey),
                "a secret was printed:\n" + upgraded.output());
    }

    @Test
    @Order(3)
    void aBrokenBundleIsRolledBackAndATooOldAgentIsRefused() throws Exception {
        String running = Files.readString(root.resolve("opt/mipo-scanner/current/VERSION")).trim();
        String broken = "0.3.0-broken";
        publish(broken, true);
        awaitServed(broken);

        // with 0.3.0 served, the policy's minimum is 0.2.0: an older agent is refused with the upgrade command
        HttpResponse<String> old = operator.post("/scanner/heartbeat", apiKey, "{\"version\":\"0.1.9\"}");
        assertEquals(426, old.statusCode(), old.body());
        assertEquals("AGENT_OUTDATED", StandaloneOperator.json(old.body()).path("code").asText(), old.body());
        assertTrue(old.body().contains("mipo-scanner upgrade"), old.body());

        // the agent's own command runs the served script in upgrade mode
        Outcome r = Commands.run(List.of(root.resolve("opt/mipo-scanner/bin/mipo-scanner").toString(), "upgrade",
                        "--config-dir", root.resolve("var/lib/mipo-scanner").toString()),
                environment(Map.of("MIPO_UPGRADE_TIMEOUT", "8")), tmp.resolve("upgrade-broken.log"), Duration.ofSeconds(120));
        assertEquals(1, r.exit(), r.describe("upgrade to a broken bundle") + agentLog());
        assertTrue(r.output().contains("did not heartbeat") && r.output().contains("rolling back"), r.output());
        assertTrue(r.output().contains("rolled back: the previous agent runs again"), r.output() + agentLog());
        assertEquals(running, Files.readString(root.resolve("opt/mipo-scanner/current/VERSION")).trim(), "back on " + running);
        try (Stream<Path> releases = Files.list(root.resolve("opt/mipo-scanner/releases"))) {
            assertTrue(releases.noneMatch(p -> p.getFileName().toString().startsWith(broken)), "the broken release is removed");
        }
        operator.awaitScanner(SCANNER, Duration.ofSeconds(30), "Active again on " + running,
                s -> "Active".equals(StandaloneOperator.phase(s)), AgentLifecycleEndToEndIT::agentLog);
        assertEquals(200, operator.post("/scanner/heartbeat", apiKey, "{\"version\":\"" + running + "\"}").statusCode());
    }

    @Test
    @Order(4)
    void withAutomaticUpgradesTheAgentRequestsTheServedVersionAndThePathUnitsOneshotInstallsIt() throws Exception {
        Path state = root.resolve("var/lib/mipo-scanner");
        Path request = state.resolve("upgrade-request");
        String running = Files.readString(root.resolve("opt/mipo-scanner/current/VERSION")).trim();

        // the broken version of the previous test had its turn too; it never heartbeated: failed, not retried
        Scanner failed = operator.awaitScanner(SCANNER, AUTO_UPGRADE_DEADLINE.multipliedBy(3), "AutoUpgrade False, reason Failed",
                s -> s.getStatus() != null && Conditions.find(s.getStatus().getConditions(), "AutoUpgrade") != null
                        && "Failed".equals(Conditions.find(s.getStatus().getConditions(), "AutoUpgrade").getReason()),
                AgentLifecycleEndToEndIT::agentLog);
        assertTrue(failed.getMetadata().getAnnotations().get("mipo.io/agent-upgrade").startsWith("Failed 0.3.0-broken "),
                failed.getMetadata().getAnnotations().toString());
        HttpResponse<String> noTurn = operator.post("/scanner/heartbeat", apiKey, "{\"version\":\"" + running + "\"}");
        assertFalse(StandaloneOperator.json(noTurn.body()).has("upgradeTo"), "not told again for a failed version: " + noTurn.body());
        // no path unit ran in the tests before: forget the requests the agent made then
        Files.deleteIfExists(request);

        // within the skew policy (0.3.x accepts 0.2.0 and later): an agent refused with 426 hears no upgradeTo
        String next = "0.3.1-auto";
        publish(next, false);
        awaitServed(next);
        operator.awaitScanner(SCANNER, Duration.ofSeconds(30), "its turn: AutoUpgrade True",
                s -> s.getStatus() != null && Conditions.isTrue(s.getStatus().getConditions(), "AutoUpgrade"), AgentLifecycleEndToEndIT::agentLog);
        HttpResponse<String> turn = operator.post("/scanner/heartbeat", apiKey, "{\"version\":\"" + running + "\"}");
        assertEquals(next, StandaloneOperator.json(turn.body()).path("upgradeTo").asText(), turn.body());

        // the agent (which cannot write /opt) asks root through its state directory
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(request) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(Files.exists(request), "the agent wrote no upgrade request" + agentLog());
        assertEquals("version=" + next, Files.readString(request).strip());

        // what systemd does when mipo-scanner-upgrade.path sees the request: the oneshot's commands, as root
        String service = Files.readString(root.resolve("etc/systemd/system/mipo-scanner-upgrade.service"));
        assertTrue(Files.readString(root.resolve("etc/systemd/system/mipo-scanner-upgrade.path"))
                .contains("PathExists=/var/lib/mipo-scanner/upgrade-request\n"));
        List<String> pre = unitCommand(service, "ExecStartPre");
        List<String> start = unitCommand(service, "ExecStart");
        assertEquals(List.of(root.resolve("opt/mipo-scanner/bin/mipo-scanner").toString(), "upgrade", "--config-dir", state.toString(),
                "--server", operator.url()), start, service);
        Outcome removed = Commands.run(pre, environment(Map.of()), tmp.resolve("auto-pre.log"), Duration.ofSeconds(30));
        assertEquals(0, removed.exit(), removed.describe("ExecStartPre"));
        assertFalse(Files.exists(request), "the oneshot removes the request first (no second trigger)");
        Outcome upgraded = Commands.run(start, environment(Map.of("MIPO_UPGRADE_TIMEOUT", "60")), tmp.resolve("auto-upgrade.log"),
                Duration.ofSeconds(180));
        assertEquals(0, upgraded.exit(), upgraded.describe("the requested upgrade") + agentLog() + operator.tail(40));
        assertTrue(upgraded.output().contains("heartbeat was accepted"), upgraded.output());
        assertEquals(next, Files.readString(root.resolve("opt/mipo-scanner/current/VERSION")).trim());

        // the leader sees the new version: done, the mark removed, the slot freed
        Scanner done = operator.awaitScanner(SCANNER, Duration.ofSeconds(30), "agent " + next + " and no automatic-upgrade mark",
                s -> s.getStatus() != null && s.getStatus().getAgent() != null && next.equals(s.getStatus().getAgent().getVersion())
                        && (s.getMetadata().getAnnotations() == null || !s.getMetadata().getAnnotations().containsKey("mipo.io/agent-upgrade"))
                        && Conditions.find(s.getStatus().getConditions(), "AutoUpgrade") == null,
                AgentLifecycleEndToEndIT::agentLog);
        assertEquals(TokenState.Consumed, done.getStatus().getToken().getState(), "no new token was needed");
        assertEquals(apiKey, credential(state.resolve("credentials"), "apiKey"), "the API key is kept");
        List<String> reasons = operator.kube().v1().events().inNamespace(StandaloneOperator.NAMESPACE).list().getItems().stream()
                .filter(e -> SCANNER.equals(e.getInvolvedObject().getName())).map(io.fabric8.kubernetes.api.model.Event::getReason).toList();
        for (String reason : List.of("AgentUpgradeStarted", "AgentUpgradeFailed", "AgentUpgraded")) {
            assertTrue(reasons.contains(reason), "event " + reason + " on the scanner: " + reasons);
        }
        assertTrue(operator.metric("mipo_agent_auto_upgrades_total") >= 3, "started, failed and succeeded counted");
        Thread.sleep(3000);
        assertFalse(Files.exists(request), "the upgraded agent asks for nothing");
        assertFalse(StandaloneOperator.TOKEN.matcher(upgraded.output()).find() || upgraded.output().contains(apiKey),
                "a secret was printed:\n" + upgraded.output());
    }

    @Test
    @Order(5)
    void uninstallsLeavingNothingAndTheScannerShowsUninstalled() throws Exception {
        Outcome r = Commands.run(List.of("sh", root.resolve("opt/mipo-scanner/uninstall.sh").toString()),
                environment(Map.of()), tmp.resolve("uninstall.log"), Duration.ofSeconds(120));
        assertEquals(0, r.exit(), r.describe("uninstall"));
        assertTrue(systemctlCalls().contains("disable --now " + UNIT), systemctlCalls().toString());
        assertTrue(systemctlCalls().contains("disable --now mipo-scanner-upgrade.path"), systemctlCalls().toString());
        assertFalse(Files.exists(stubs.resolve("agent.pid")), "the agent was stopped");
        try (Stream<Path> left = Files.walk(root)) {
            List<Path> files = left.filter(p -> !Files.isDirectory(p)).toList();
            assertEquals(List.of(), files, "files left under the scratch root\n" + r.output());
        }
        for (String dir : List.of("opt/mipo-scanner", "var/lib/mipo-scanner", "etc/mipo-scanner")) {
            assertFalse(Files.exists(root.resolve(dir)), dir + " remains");
        }
        Scanner s = operator.awaitScanner(SCANNER, Duration.ofSeconds(30), "Offline with reason Uninstalled",
                x -> "Offline".equals(StandaloneOperator.phase(x)) && Conditions.find(x.getStatus().getConditions(), "Registered") != null
                        && "Uninstalled".equals(Conditions.find(x.getStatus().getConditions(), "Registered").getReason()),
                r::output);
        Condition registered = Conditions.find(s.getStatus().getConditions(), "Registered");
        assertEquals("False", registered.getStatus());
        assertEquals(401, operator.post("/scanner/heartbeat", apiKey, "{}").statusCode(), "the key is revoked");
        assertTrue(operator.scanner(SCANNER) != null, "the scanner stays: deleting it is the admin's call");
        assertFalse(r.output().contains(apiKey), "the API key was printed:\n" + r.output());
    }

    @Test
    @Order(6)
    void onAnArm64HostTheScriptPicksTheArm64Bundle() throws Exception {
        Properties p = bundles();
        String sha = p.getProperty("bundle.linux-arm64.sha256");
        if (sha == null) {
            String why = "the build made no linux/arm64 bundle (no arm64 jmods; see scanner-image/src/build/fetch-arm64-jmods.sh)";
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.abort(why);
        }
        operator.createScanner("e2e-arm64", Map.of());
        String command = operator.installCommand("e2e-arm64");
        Path armRoot = tmp.resolve("root-arm64");
        Path armStubs = Files.createDirectories(tmp.resolve("stubs-arm64"));
        Path uname = armStubs.resolve("uname");
        String realUname = Files.isExecutable(Path.of("/usr/bin/uname")) ? "/usr/bin/uname" : "/bin/uname";
        Files.writeString(uname, String.join("\n", "#!/bin/sh",
                "case $1 in -m) echo aarch64 ;; *) exec " + realUname + " \"$@\" ;; esac", ""));
        Files.setPosixFilePermissions(uname, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path systemctl = armStubs.resolve("systemctl"); // never the host's
        Files.writeString(systemctl, "#!/bin/sh\necho \"$*\" >> '" + armStubs.resolve("systemctl.calls") + "'\nexit 3\n");
        Files.setPosixFilePermissions(systemctl, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = new HashMap<>(environment(Map.of()));
        env.put("MIPO_ROOT", armRoot.toString());
        env.put("PATH", armStubs + ":" + System.getenv("PATH"));
        Outcome r = Commands.run(List.of("sh", "-c", command.replace("| sudo MIPO_TOKEN=", "| MIPO_TOKEN=")), env,
                tmp.resolve("install-arm64.log"), Duration.ofSeconds(120));
        assertTrue(r.output().contains("for linux/arm64 from " + operator.url() + "/scanner/binary/linux/arm64"), r.output());
        assertTrue(r.output().contains("checksum verified (sha256 " + sha + ")"), r.output());
        byte[] java = Files.readAllBytes(armRoot.resolve("opt/mipo-scanner/current/runtime/bin/java"));
        assertEquals(183, (java[18] & 0xff) | (java[19] & 0xff) << 8, "the installed runtime is AArch64");
        // this amd64 host cannot run it (unless it emulates arm64): registration fails and nothing is started
        if (r.exit() != 0) {
            assertTrue(r.output().contains("registration failed"), r.output());
        }
    }

    @Test
    @Order(7)
    void anOperatorStartedElsewhereFindsTheArtifactsNextToItsJar() throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        try (StandaloneOperator other = StandaloneOperator.start(Files.createDirectories(tmp.resolve("other")), elsewhere,
                "mipo.distribution.dir=")) {
            HttpResponse<String> script = other.get("/scanner/install", null);
            assertEquals(200, script.statusCode(), script.body() + other.tail(30));
            assertTrue(script.body().contains(BuildOutputs.sha256(Files.readAllBytes(BuildOutputs.agentBundle()))),
                    "the build's bundle hash is embedded");
            HttpResponse<String> hashes = other.get("/api/config/scanners/binary-hash", other.adminToken());
            assertEquals(200, hashes.statusCode(), hashes.body());
            HttpResponse<String> source = other.get("/api/config/scanners/source-code?format=json", other.adminToken());
            assertEquals(200, source.statusCode(), source.body());
        }
    }

    // --- helpers ---

    /** A command line of the unit ({@code key=...}), its /opt and /var paths below the scratch root. */
    private static List<String> unitCommand(String unit, String key) {
        String line = unit.lines().filter(l -> l.startsWith(key + "=")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + key + " in\n" + unit));
        List<String> out = new ArrayList<>();
        for (String word : line.substring(key.length() + 1).trim().split("\\s+")) {
            out.add(word.startsWith("/opt/") || word.startsWith("/var/") ? root.resolve(word.substring(1)).toString() : word);
        }
        return out;
    }

    private static Properties bundles() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(dist.resolve("bundles.properties"))) {
            p.load(in);
        }
        return p;
    }

    /**
     * Publishes a linux/amd64 bundle of {@code version} in the served directory, as a release
     * would: the build's bundle with the jar's version resource and VERSION rewritten; a broken
     * one's launcher exits at once, so it never heartbeats.
     */
    private static void publish(String version, boolean broken) throws Exception {
        Path stage = Files.createDirectories(tmp.resolve("stage-" + version));
        Outcome x = Commands.run(List.of("tar", "-xzf", BuildOutputs.agentBundle().toString(), "-C", stage.toString()), Map.of(),
                tmp.resolve("untar-" + version + ".log"), Duration.ofSeconds(60));
        assertEquals(0, x.exit(), x.output());
        Path home = stage.resolve("mipo-scanner");
        Path jar = home.resolve("lib/mipo-scanner.jar");
        Files.write(jar, withVersion(Files.readAllBytes(jar), version));
        Files.writeString(home.resolve("VERSION"), version + "\n");
        if (broken) {
            Files.writeString(home.resolve("bin/mipo-scanner"), "#!/bin/sh\necho 'broken build' >&2\nexit 1\n");
        }
        String file = "mipo-scanner-linux-amd64-" + version + ".tar.gz";
        Outcome t = Commands.run(List.of("tar", "-czf", dist.resolve(file).toString(), "-C", stage.toString(), "mipo-scanner"),
                Map.of(), tmp.resolve("tar-" + version + ".log"), Duration.ofSeconds(120));
        assertEquals(0, t.exit(), t.output());
        byte[] bytes = Files.readAllBytes(dist.resolve(file));
        Properties p = bundles();
        p.setProperty("version", version);
        p.setProperty("bundle.linux-amd64.file", file);
        p.setProperty("bundle.linux-amd64.sha256", BuildOutputs.sha256(bytes));
        p.setProperty("bundle.linux-amd64.size", Long.toString(bytes.length));
        Path tmpProps = dist.resolve("bundles.properties.tmp");
        try (var out = Files.newOutputStream(tmpProps)) {
            p.store(out, "rewritten by AgentLifecycleEndToEndIT");
        }
        Files.move(tmpProps, dist.resolve("bundles.properties"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The agent jar with io/mipo/scanner/version.properties saying {@code version}. */
    private static byte[] withVersion(byte[] jar, String version) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean found = false;
        try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(jar)); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                byte[] data = in.readAllBytes();
                if (e.getName().equals("io/mipo/scanner/version.properties")) {
                    data = ("version=" + version + "\n").getBytes(StandardCharsets.UTF_8);
                    found = true;
                }
                zip.putNextEntry(new ZipEntry(e.getName()));
                zip.write(data);
                zip.closeEntry();
            }
        }
        assertTrue(found, "the agent jar has io/mipo/scanner/version.properties");
        return out.toByteArray();
    }

    private static void awaitServed(String version) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> hb = operator.post("/scanner/heartbeat", apiKey, "{}");
            body = hb.body();
            if (hb.statusCode() == 200 && version.equals(StandaloneOperator.json(body).path("agentVersion").asText())) {
                return;
            }
            Thread.sleep(250);
        }
        fail("the operator does not announce agent version " + version + " in the heartbeat answer: " + body);
    }

    private static Outcome sh(String command, Map<String, String> extra, String what) throws Exception {
        return Commands.run(List.of("sh", "-c", command), environment(extra), tmp.resolve(what + ".log"), Duration.ofSeconds(180));
    }

    private static Map<String, String> environment(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("MIPO_ROOT", root.toString());
        env.put("TMPDIR", Files.isDirectory(tmp.resolve("scratch")) ? tmp.resolve("scratch").toString() : mkdirs(tmp.resolve("scratch")));
        env.put("PATH", stubs + ":" + System.getenv("PATH"));
        env.put("no_proxy", "127.0.0.1");
        env.put("NO_PROXY", "127.0.0.1");
        env.putAll(extra);
        return env;
    }

    private static String mkdirs(Path p) {
        try {
            return Files.createDirectories(p).toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A {@code systemctl} that records its arguments and manages the installed agent as systemd
     * would manage the unit: {@code enable --now}, {@code start} and {@code restart} (re)start
     * {@code <root>/opt/mipo-scanner/bin/mipo-scanner run} in the background (output in agent.log),
     * {@code stop} and {@code disable --now} stop it (SIGTERM, then SIGKILL after 15 s),
     * {@code is-active} says whether it runs.
     */
    private static Path stubs(Path dir, Path root) throws IOException {
        Files.createDirectories(dir);
        Path systemctl = dir.resolve("systemctl");
        String pid = dir.resolve("agent.pid").toString();
        Files.writeString(systemctl, String.join("\n",
                "#!/bin/sh",
                "echo \"$*\" >> '" + dir.resolve("systemctl.calls") + "'",
                "pidfile='" + pid + "'",
                "stop() {",
                "  [ -f \"$pidfile\" ] || return 0",
                "  p=$(cat \"$pidfile\")",
                "  kill \"$p\" 2>/dev/null || true",
                "  i=0",
                "  while kill -0 \"$p\" 2>/dev/null && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done",
                "  kill -9 \"$p\" 2>/dev/null || true",
                "  rm -f \"$pidfile\"",
                "}",
                "start() {",
                "  echo \"--- start $(date +%T)\" >> '" + dir.resolve("agent.log") + "'",
                "  '" + root.resolve("opt/mipo-scanner/bin/mipo-scanner") + "' run --config-dir '" + root.resolve("var/lib/mipo-scanner")
                        + "' </dev/null >> '" + dir.resolve("agent.log") + "' 2>&1 &",
                "  echo $! > \"$pidfile\"",
                "}",
                "for unit; do :; done",
                "[ \"$unit\" = " + UNIT + " ] || exit 0   # other units (the upgrade path unit): recorded only",
                "case $1 in",
                "  is-active) if [ -f \"$pidfile\" ] && kill -0 \"$(cat \"$pidfile\")\" 2>/dev/null; then exit 0; else exit 3; fi ;;",
                "  enable) case \" $* \" in *' --now '*) stop; start ;; esac ;;",
                "  disable) case \" $* \" in *' --now '*) stop ;; esac ;;",
                "  restart | start) stop; start ;;",
                "  stop) stop ;;",
                "esac",
                "exit 0",
                ""));
        Files.setPosixFilePermissions(systemctl, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    private static void stopAgent() throws Exception {
        Path pid = stubs.resolve("agent.pid");
        if (Files.exists(pid)) {
            ProcessHandle.of(Long.parseLong(Files.readString(pid).trim())).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static List<String> systemctlCalls() throws IOException {
        Path f = stubs.resolve("systemctl.calls");
        return Files.exists(f) ? Files.readAllLines(f) : List.of();
    }

    private static String agentLog() {
        return "\n--- agent.log ---\n" + Commands.read(stubs.resolve("agent.log"));
    }

    private static String credential(Path credentials, String key) throws IOException {
        for (String line : Files.readAllLines(credentials)) {
            if (line.startsWith(key + "=")) {
                return line.substring(key.length() + 1).trim();
            }
        }
        throw new AssertionError("no " + key + " in " + credentials);
    }
}
