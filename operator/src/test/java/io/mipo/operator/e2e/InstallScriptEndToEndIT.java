package io.mipo.operator.e2e;

import com.sun.net.httpserver.HttpServer;
import io.mipo.operator.e2e.Commands.Outcome;
import io.mipo.operator.kube.Conditions;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.TokenState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The install script as a user runs it, against the real operator (standalone mode): the install
 * command from the scanner's provisioning Secret, run with {@code sh} in a scratch root
 * ({@code MIPO_ROOT}) with a recording {@code systemctl} first on {@code PATH}. It downloads the
 * real bundle from the operator, verifies it, unpacks it, registers with the bundled Java runtime
 * and writes the unit; run again with a regenerated token it re-provisions in place. A bundle
 * whose bytes differ from the checksum embedded in the script is refused before anything is
 * installed.
 */
class InstallScriptEndToEndIT {
    private static final String SCANNER = "e2e-install";
    private static final String UNIT = "mipo-scanner.service";

    @TempDir
    static Path tmp;
    private static StandaloneOperator operator;
    private static HttpServer tamperingServer;

    @BeforeAll
    static void startOperator() throws Exception {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux")
                        && List.of("amd64", "x86_64").contains(System.getProperty("os.arch")),
                "the operator serves a bundle for linux/amd64 only");
        operator = StandaloneOperator.start(tmp);
    }

    @AfterAll
    static void stopEverything() {
        if (tamperingServer != null) {
            tamperingServer.stop(0);
        }
        if (operator != null) {
            operator.close();
        }
    }

    @Test
    void installsTheVerifiedBundleRegistersAndReprovisionsInPlace() throws Exception {
        operator.createScanner(SCANNER, Map.of());
        String command = operator.installCommand(SCANNER);
        String token = StandaloneOperator.tokenIn(command);
        Path root = tmp.resolve("root");
        Path stubs = stubs(tmp.resolve("stubs-1"));

        Outcome first = runInstallCommand(command, root, stubs, tmp.resolve("install-1.log"));
        assertEquals(0, first.exit(), first.describe("install") + "\n" + operator.tail(40));

        // the real bundle, verified against the embedded checksum, unpacked to <root>/opt/mipo-scanner
        byte[] bundle = Files.readAllBytes(BuildOutputs.agentBundle());
        assertTrue(first.output().contains("checksum verified (sha256 " + BuildOutputs.sha256(bundle) + ")"),
                "the script verified the bundle the build made:\n" + first.output());
        Path opt = root.resolve("opt/mipo-scanner");
        assertTrue(Files.isExecutable(opt.resolve("bin/mipo-scanner")), "launcher installed\n" + first.output());
        assertTrue(Files.isExecutable(opt.resolve("current/runtime/bin/java")), "bundled runtime installed\n" + first.output());
        assertArrayEquals(Files.readAllBytes(BuildOutputs.agentJar()), Files.readAllBytes(opt.resolve("current/lib/mipo-scanner.jar")),
                "the installed jar is the agent the build made");
        assertEquals(List.of(), javaCalls(stubs), "registration ran on the bundled runtime, not a java from PATH");

        // registered: private credentials, the scanner registered and its token consumed
        Path config = root.resolve("var/lib/mipo-scanner");
        Path credentials = config.resolve("credentials");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config)), "config dir mode");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials)), "credentials mode");
        String firstKey = credential(credentials, "apiKey");
        assertEquals(operator.url(), credential(credentials, "server"));
        Scanner registered = operator.awaitScanner(SCANNER, Duration.ofSeconds(30), "registered with the token consumed",
                s -> s.getStatus() != null && Conditions.isTrue(s.getStatus().getConditions(), Conditions.REGISTERED)
                        && s.getStatus().getToken() != null && s.getStatus().getToken().getState() == TokenState.Consumed,
                () -> first.describe("install"));
        assertTrue(operator.kube().secrets().inNamespace(StandaloneOperator.NAMESPACE).withName(SCANNER + "-provisioning")
                .get().getData().get("install-command") == null, "the used install command is deleted from the Secret");

        // the hardened unit, and systemd told to load and start it
        String unit = Files.readString(root.resolve("etc/systemd/system/" + UNIT));
        for (String line : List.of("User=mipo-scanner", "NoNewPrivileges=yes", "ProtectSystem=strict",
                "StateDirectory=mipo-scanner", "ProtectHome=yes", "PrivateTmp=yes", "CapabilityBoundingSet=",
                "ExecStart=/opt/mipo-scanner/bin/mipo-scanner run --config-dir /var/lib/mipo-scanner")) {
            assertTrue(unit.contains(line + "\n"), "the unit has " + line + ":\n" + unit);
        }
        assertEquals(List.of("daemon-reload", "is-active --quiet " + UNIT, "enable --now " + UNIT,
                "enable --now mipo-scanner-upgrade.path"), systemctlCalls(stubs), first.output());
        // automatic upgrades: the root path unit and its oneshot, upgrading from the server the script came from
        assertTrue(Files.readString(root.resolve("etc/systemd/system/mipo-scanner-upgrade.path"))
                .contains("PathExists=/var/lib/mipo-scanner/upgrade-request\n"), "the upgrade path unit is installed");
        assertTrue(Files.readString(root.resolve("etc/systemd/system/mipo-scanner-upgrade.service")).contains(
                "ExecStart=/opt/mipo-scanner/bin/mipo-scanner upgrade --config-dir /var/lib/mipo-scanner --server " + operator.url() + "\n"),
                "the upgrade oneshot is installed");
        assertEquals(200, heartbeat(firstKey), "the installed credentials work");

        // --- re-provisioning: a regenerated token, the same command run again
        HttpResponse<String> regenerated = operator.post("/api/config/scanners/" + SCANNER + "/regenerate-token",
                operator.adminToken(), "");
        assertEquals(200, regenerated.statusCode(), regenerated.body());
        String command2 = StandaloneOperator.json(regenerated.body()).path("installCommand").asText();
        assertNotEquals(token, StandaloneOperator.tokenIn(command2), "a new token");
        Outcome second = runInstallCommand(command2, root, stubs, tmp.resolve("install-2.log"));
        assertEquals(0, second.exit(), second.describe("re-install") + "\n" + operator.tail(40));
        String secondKey = credential(credentials, "apiKey");
        assertNotEquals(firstKey, secondKey, "the credentials were replaced\n" + second.output());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials)));
        assertFalse(Files.exists(root.resolve("opt/mipo-scanner.old")) || Files.exists(root.resolve("opt/mipo-scanner.new")),
                "no leftovers of the replaced installation");
        assertEquals(List.of("daemon-reload", "is-active --quiet " + UNIT, "enable --now " + UNIT,
                "enable --now mipo-scanner-upgrade.path", "daemon-reload", "is-active --quiet " + UNIT, "enable " + UNIT,
                "restart " + UNIT, "enable --now mipo-scanner-upgrade.path"), systemctlCalls(stubs), second.output());
        operator.awaitScanner(SCANNER, Duration.ofSeconds(30), "registered again with the new token",
                s -> s.getStatus() != null && s.getStatus().getRegisteredAt() != null
                        && !Objects.equals(s.getStatus().getRegisteredAt(), registered.getStatus().getRegisteredAt())
                        && s.getStatus().getToken() != null && s.getStatus().getToken().getState() == TokenState.Consumed,
                () -> second.describe("re-install"));
        assertEquals(200, heartbeat(secondKey), "the new credentials work");
        assertEquals(401, heartbeat(firstKey), "the old API key is revoked");

        for (Outcome o : List.of(first, second)) {
            assertFalse(o.output().contains(firstKey) || o.output().contains(secondKey), "an API key was printed:\n" + o.output());
            assertFalse(StandaloneOperator.TOKEN.matcher(o.output()).find(), "a token was printed:\n" + o.output());
        }
    }

    @Test
    void aTamperedBundleIsRefusedAndNothingIsInstalled() throws Exception {
        operator.createScanner("e2e-tampered", Map.of());
        String token = StandaloneOperator.tokenIn(operator.installCommand("e2e-tampered"));

        // The operator's script, with its server pointed at a man in the middle who alters one byte of the bundle.
        HttpResponse<byte[]> real = operator.getBytes("/scanner/binary/linux/amd64");
        assertEquals(200, real.statusCode());
        byte[] tampered = real.body().clone();
        tampered[tampered.length / 2] ^= 0x01;
        AtomicInteger downloads = new AtomicInteger();
        tamperingServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        tamperingServer.createContext("/scanner/binary/linux/amd64", ex -> {
            downloads.incrementAndGet();
            ex.sendResponseHeaders(200, tampered.length);
            ex.getResponseBody().write(tampered);
            ex.close();
        });
        tamperingServer.start();
        String middle = "http://127.0.0.1:" + tamperingServer.getAddress().getPort();
        HttpResponse<String> served = operator.get("/scanner/install", null);
        assertEquals(200, served.statusCode(), served.body());
        String original = "PUBLIC_URL='" + operator.url() + "'";
        assertTrue(served.body().contains(original), "the script names its server:\n" + served.body());
        Path script = tmp.resolve("install-tampered.sh");
        Files.writeString(script, served.body().replace(original, "PUBLIC_URL='" + middle + "'"));

        Path root = tmp.resolve("root-tampered");
        Path stubs = stubs(tmp.resolve("stubs-tampered"));
        Path scratch = Files.createDirectories(tmp.resolve("tmpdir-tampered"));
        Outcome refused = Commands.run(List.of("sh", script.toString()), environment(root, stubs, scratch, token),
                tmp.resolve("install-tampered.log"), Duration.ofSeconds(120));

        assertNotEquals(0, refused.exit(), refused.describe("install of a tampered bundle"));
        assertEquals(1, downloads.get(), "the script downloaded from the man in the middle");
        assertTrue(refused.output().contains("checksum mismatch") && refused.output().contains("Nothing was installed"),
                "the script says why:\n" + refused.output());
        assertFalse(Files.exists(root), "nothing installed under the root\n" + refused.output());
        assertEquals(List.of(), systemctlCalls(stubs), "no service touched");
        try (var left = Files.list(scratch)) {
            assertEquals(List.of(), left.toList(), "the download's temporary directory is removed");
        }
        operator.awaitScanner("e2e-tampered", Duration.ofSeconds(10), "Pending with its token unused", s -> "Pending".equals(
                StandaloneOperator.phase(s)) && s.getStatus().getToken() != null
                && s.getStatus().getToken().getState() == TokenState.Unused, () -> refused.describe("tampered install"));
    }

    /**
     * Runs the install command as printed, without {@code sudo} (the scratch root needs no
     * privileges): {@code curl -fsSL <url>/scanner/install | MIPO_TOKEN=<token> sh}.
     */
    private static Outcome runInstallCommand(String command, Path root, Path stubs, Path log) throws Exception {
        assertTrue(command.matches("curl -fsSL " + java.util.regex.Pattern.quote(operator.url())
                        + "/scanner/install \\| sudo MIPO_TOKEN=mipo_pt_[0-9A-Za-z]{38} sh"),
                "the install command has the documented form (docs/distribution.md): " + command.replaceAll("mipo_pt_\\w+", "mipo_pt_…"));
        Path scratch = Files.createDirectories(tmp.resolve("tmpdir"));
        return Commands.run(List.of("sh", "-c", command.replace("| sudo MIPO_TOKEN=", "| MIPO_TOKEN=")),
                environment(root, stubs, scratch, null), log, Duration.ofSeconds(120));
    }

    private static Map<String, String> environment(Path root, Path stubs, Path scratch, String token) {
        Map<String, String> env = new HashMap<>();
        env.put("MIPO_ROOT", root.toString());
        env.put("TMPDIR", scratch.toString());
        env.put("PATH", stubs + ":" + System.getenv("PATH"));
        env.put("no_proxy", "127.0.0.1"); // curl: the operator is on loopback, whatever proxy the host has
        env.put("NO_PROXY", "127.0.0.1");
        if (token != null) {
            env.put("MIPO_TOKEN", token);
        }
        return env;
    }

    /**
     * A directory to put first on PATH: {@code systemctl} records its arguments ({@code is-active}
     * answers from a state file that {@code enable --now} and {@code restart} create, as systemd
     * would), and {@code java} records that it was called and fails, so the agent must run on the
     * bundled runtime.
     */
    private static Path stubs(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path systemctl = dir.resolve("systemctl");
        Files.writeString(systemctl, String.join("\n",
                "#!/bin/sh",
                "echo \"$*\" >> '" + dir.resolve("systemctl.calls") + "'",
                "state='" + dir.resolve("service-active") + "'",
                "case $1 in",
                "  is-active) if [ -e \"$state\" ]; then exit 0; else exit 3; fi ;;",
                "  enable) case \" $* \" in *' --now '*) : >\"$state\" ;; esac ;;",
                "  restart | start) : >\"$state\" ;;",
                "esac",
                "exit 0",
                ""));
        Path java = dir.resolve("java");
        Files.writeString(java, String.join("\n",
                "#!/bin/sh",
                "echo \"$*\" >> '" + dir.resolve("java.calls") + "'",
                "echo 'the java on PATH must not be used' >&2",
                "exit 99",
                ""));
        for (Path p : List.of(systemctl, java)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return dir;
    }

    private static List<String> systemctlCalls(Path stubs) throws IOException {
        return calls(stubs.resolve("systemctl.calls"));
    }

    private static List<String> javaCalls(Path stubs) throws IOException {
        return calls(stubs.resolve("java.calls"));
    }

    private static List<String> calls(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
    }

    private static String credential(Path credentials, String key) throws IOException {
        for (String line : Files.readAllLines(credentials)) {
            if (line.startsWith(key + "=")) {
                return line.substring(key.length() + 1).trim();
            }
        }
        throw new AssertionError("no " + key + " in " + credentials);
    }

    /** A heartbeat with {@code apiKey}, as the agent sends it; the HTTP status. */
    private static int heartbeat(String apiKey) throws Exception {
        return operator.post("/scanner/heartbeat", apiKey, "{\"state\":\"idle\"}").statusCode();
    }
}
