package io.mipo.scanner.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the install script template the way the operator will serve it (placeholders filled
 * in) inside a scratch root (MIPO_ROOT), downloading a stand-in bundle from 127.0.0.1. The
 * stand-in's "agent" is a shell script that records how it was called.
 */
class InstallScriptTest {
    static final String TOKEN = "mipo_pt_" + "i".repeat(34) + "INST";
    static final Path TEMPLATE = Path.of(System.getProperty("mipo.test.installScript", "src/main/install/install.sh"));

    @TempDir
    Path tmp;
    HttpServer server;
    byte[] bundle;
    final AtomicInteger downloads = new AtomicInteger();

    @BeforeEach
    void serveBundle() throws Exception {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "POSIX sh on Linux");
        Assumptions.assumeTrue(List.of("amd64", "x86_64").contains(System.getProperty("os.arch")),
                "the template embeds the linux/amd64 checksum only");
        bundle = fakeBundle();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        server.createContext("/scanner/binary/linux/amd64", ex -> {
            downloads.incrementAndGet();
            ex.sendResponseHeaders(200, bundle.length);
            ex.getResponseBody().write(bundle);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A bundle whose agent records its arguments and whether it saw the token, then writes credentials. */
    private byte[] fakeBundle() throws Exception {
        Path stage = tmp.resolve("stage/mipo-scanner");
        Files.createDirectories(stage.resolve("bin"));
        Files.createDirectories(stage.resolve("lib"));
        Files.createDirectories(stage.resolve("runtime/bin"));
        Path agent = stage.resolve("bin/mipo-scanner");
        Files.writeString(agent, String.join("\n",
                "#!/bin/sh",
                "set -eu",
                "here=$(cd \"$(dirname \"$0\")/..\" && pwd)",
                "echo \"$*\" >> \"$here/../../calls.log\"",
                "if [ \"${MIPO_TOKEN:-}\" = bad ]; then echo 'TOKEN_EXPIRED' >&2; exit 3; fi",
                "[ \"${MIPO_TOKEN:-}\" = \"" + TOKEN + "\" ] && echo token-in-env >> \"$here/../../calls.log\"",
                "dir=$5",
                "printf 'apiKey=mipo_sk_x\\n' > \"$dir/credentials\"",
                "chmod 600 \"$dir/credentials\"",
                ""));
        Files.writeString(stage.resolve("lib/mipo-scanner.jar"), "not really a jar");
        Path tgz = tmp.resolve("bundle.tar.gz");
        run(List.of("tar", "-czf", tgz.toString(), "-C", tmp.resolve("stage").toString(), "mipo-scanner"), Map.of(), tmp);
        return Files.readAllBytes(tgz);
    }

    private Path script(String sha256) throws IOException {
        String text = Files.readString(TEMPLATE)
                .replace("@@PUBLIC_URL@@", url())
                .replace("@@SHA256_LINUX_AMD64@@", sha256)
                .replace("@@SHA256_LINUX_ARM64@@", "")
                .replace("@@VERSION@@", "9.9.9-test");
        Path p = tmp.resolve("install-" + System.nanoTime() + ".sh");
        Files.writeString(p, text);
        return p;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    record Result(int exit, String output) {
    }

    private static Result run(List<String> command, Map<String, String> env, Path dir) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().remove("MIPO_TOKEN");
        pb.environment().putAll(env);
        io.mipo.scanner.util.RequiredTools.Outcome o = io.mipo.scanner.util.RequiredTools.run(pb, java.time.Duration.ofSeconds(30));
        return new Result(o.exit(), o.output());
    }

    /**
     * A systemctl that records its arguments in {@code systemctl.log}; {@code is-active} answers
     * from a state file that {@code enable --now} and {@code restart} create, as systemd would.
     */
    private Path systemctlStub() throws IOException {
        Path bin = tmp.resolve("stub-bin");
        Path stub = bin.resolve("systemctl");
        if (!Files.exists(stub)) {
            Files.createDirectories(bin);
            Files.writeString(stub, String.join("\n",
                    "#!/bin/sh",
                    "echo \"$*\" >> '" + tmp.resolve("systemctl.log") + "'",
                    "state='" + tmp.resolve("service-active") + "'",
                    "case $1 in",
                    "  is-active) if [ -e \"$state\" ]; then exit 0; else exit 3; fi ;;",
                    "  enable) case \" $* \" in *' --now '*) : >\"$state\" ;; esac ;;",
                    "  restart | start) : >\"$state\" ;;",
                    "esac",
                    "exit 0",
                    ""));
            Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return bin;
    }

    private List<String> systemctlCalls() throws IOException {
        Path log = tmp.resolve("systemctl.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    private Result install(Path script, String token) throws Exception {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("MIPO_ROOT", tmp.resolve("root").toString());
        env.put("TMPDIR", tmp.toString());
        // under MIPO_ROOT the script calls whichever systemctl is first on PATH: the stub, never the host's
        env.put("PATH", systemctlStub() + ":" + System.getenv("PATH"));
        if (token != null) {
            env.put("MIPO_TOKEN", token);
        }
        return run(List.of("sh", script.toString()), env, tmp);
    }

    @Test
    void templateHasThePlaceholdersAndPassesShellcheck() throws Exception {
        String text = Files.readString(TEMPLATE);
        assertTrue(text.startsWith("#!/bin/sh\n"));
        assertTrue(text.contains("'@@PUBLIC_URL@@'"));
        assertTrue(text.contains("'@@SHA256_LINUX_AMD64@@'"));
        assertTrue(text.contains("'@@VERSION@@'"));
        assertTrue(text.contains("set -eu"));
        assertTrue(text.strip().endsWith("\nmain \"$@\""), "the last line calls main: a truncated script runs nothing");
        Path shellcheck = Path.of("/usr/bin/shellcheck");
        io.mipo.scanner.util.RequiredTools.require(Files.isExecutable(shellcheck), "shellcheck");
        Result r = run(List.of(shellcheck.toString(), "-s", "sh", TEMPLATE.toString()), Map.of(), tmp);
        assertEquals(0, r.exit(), r.output());
        // the uninstaller the script writes, too
        Path uninstaller = tmp.resolve("uninstall.sh");
        Files.writeString(uninstaller, text.substring(text.indexOf("cat <<'UNINSTALL'\n") + "cat <<'UNINSTALL'\n".length(),
                text.indexOf("\nUNINSTALL\n") + 1));
        assertTrue(Files.readString(uninstaller).startsWith("#!/bin/sh\n"));
        Result u = run(List.of(shellcheck.toString(), "-s", "sh", uninstaller.toString()), Map.of(), tmp);
        assertEquals(0, u.exit(), u.output());
        Path launcher = TEMPLATE.getParent().getParent().resolve("bundle/bin/mipo-scanner");
        Result l = run(List.of(shellcheck.toString(), "-s", "sh", launcher.toString()), Map.of(), tmp);
        assertEquals(0, l.exit(), l.output());
    }

    @Test
    void installsVerifiedBundleRegistersAndWritesAHardenedUnit() throws Exception {
        Result r = install(script(sha256(bundle)), TOKEN);
        assertEquals(0, r.exit(), r.output());
        Path root = tmp.resolve("root");
        assertTrue(Files.isExecutable(root.resolve("opt/mipo-scanner/bin/mipo-scanner")));
        assertTrue(Files.exists(root.resolve("opt/mipo-scanner/current/lib/mipo-scanner.jar")));
        assertTrue(Files.isSymbolicLink(root.resolve("opt/mipo-scanner/current")), "current is a symlink to the release");
        assertTrue(Files.isExecutable(root.resolve("opt/mipo-scanner/uninstall.sh")), "the uninstaller beside the agent");
        List<String> calls = Files.readAllLines(root.resolve("calls.log"));
        assertEquals("register --server " + url() + " --config-dir " + root.resolve("var/lib/mipo-scanner"), calls.get(0));
        assertEquals("token-in-env", calls.get(1), "the token reaches the agent through the environment only");
        assertEquals("rwx------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(root.resolve("var/lib/mipo-scanner"))));
        String unit = Files.readString(root.resolve("etc/systemd/system/mipo-scanner.service"));
        for (String line : List.of("User=mipo-scanner", "NoNewPrivileges=yes", "ProtectSystem=strict",
                "StateDirectory=mipo-scanner", "StateDirectoryMode=0700", "ProtectHome=yes", "PrivateTmp=yes",
                "ProtectProc=invisible", "SystemCallFilter=@system-service", "SystemCallFilter=~@privileged @resources",
                "MemoryMax=512M", "TasksMax=256",
                "ExecStart=/opt/mipo-scanner/bin/mipo-scanner run --config-dir /var/lib/mipo-scanner",
                "RestartPreventExitStatus=3", "WantedBy=multi-user.target")) {
            assertTrue(unit.contains(line + "\n"), "unit has " + line);
        }
        assertFalse(r.output().contains(TOKEN), r.output());
        assertTrue(r.output().contains("checksum verified"), r.output());
        assertTrue(r.output().contains("9.9.9-test"), r.output());
        assertEquals(List.of("daemon-reload", "is-active --quiet mipo-scanner.service",
                "enable --now mipo-scanner.service", "enable --now mipo-scanner-upgrade.path"), systemctlCalls(), r.output());

        // running it again re-provisions in place
        Result again = install(script(sha256(bundle)), TOKEN);
        assertEquals(0, again.exit(), again.output());
        assertEquals(4, Files.readAllLines(root.resolve("calls.log")).size());
        assertEquals(List.of("daemon-reload", "is-active --quiet mipo-scanner.service",
                "enable --now mipo-scanner.service", "enable --now mipo-scanner-upgrade.path",
                "daemon-reload", "is-active --quiet mipo-scanner.service",
                "enable mipo-scanner.service", "restart mipo-scanner.service", "enable --now mipo-scanner-upgrade.path"),
                systemctlCalls(), again.output());
        assertFalse(Files.exists(root.resolve("opt/mipo-scanner.old")));
        assertFalse(Files.exists(root.resolve("opt/mipo-scanner.new")));
    }

    @Test
    void refusesATamperedBundleBeforeInstallingAnything() throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest("something else".getBytes(StandardCharsets.UTF_8));
        Result r = install(script(HexFormat.of().formatHex(digest)), TOKEN);
        assertNotEquals(0, r.exit());
        assertTrue(r.output().contains("checksum mismatch"), r.output());
        assertTrue(r.output().contains("Nothing was installed"), r.output());
        assertEquals(1, downloads.get());
        assertFalse(Files.exists(tmp.resolve("root")), "nothing installed");
        assertEquals(List.of(), systemctlCalls(), "no service touched");
        try (var leftovers = Files.list(tmp)) {
            assertTrue(leftovers.noneMatch(p -> p.getFileName().toString().startsWith("mipo-scanner.")),
                    "temporary directory removed");
        }
    }

    @Test
    void anUnfilledTemplateOrMissingTokenStopsEarly() throws Exception {
        Result noToken = install(script(sha256(bundle)), null);
        assertNotEquals(0, noToken.exit());
        assertTrue(noToken.output().contains("MIPO_TOKEN is not set"), noToken.output());

        Path unfilled = tmp.resolve("unfilled.sh");
        Files.writeString(unfilled, Files.readString(TEMPLATE).replace("@@PUBLIC_URL@@", url()));
        Result r = run(List.of("sh", unfilled.toString()),
                Map.of("MIPO_ROOT", tmp.resolve("root").toString(), "MIPO_TOKEN", TOKEN), tmp);
        assertNotEquals(0, r.exit());
        assertTrue(r.output().contains("no scanner bundle for linux/amd64"), r.output());
        assertEquals(0, downloads.get());
        assertFalse(Files.exists(tmp.resolve("root")));
    }

    @Test
    void aFailedRegistrationPassesItsExitCodeOn() throws Exception {
        Result r = install(script(sha256(bundle)), "bad");
        assertEquals(3, r.exit(), r.output());
        assertTrue(r.output().contains("registration failed"), r.output());
        assertFalse(Files.exists(tmp.resolve("root/etc/systemd/system/mipo-scanner.service")));
        assertEquals(List.of(), systemctlCalls(), "no service (re)started after a failed registration");
    }

    @Test
    void theTokenCanComeFromAFileOrStdinAndMustLookLikeOne() throws Exception {
        Path tokenFile = tmp.resolve("token");
        Files.writeString(tokenFile, TOKEN + "\n");
        Map<String, String> env = new java.util.HashMap<>();
        env.put("MIPO_ROOT", tmp.resolve("root").toString());
        env.put("TMPDIR", tmp.toString());
        env.put("PATH", systemctlStub() + ":" + System.getenv("PATH"));
        env.put("MIPO_TOKEN_FILE", tokenFile.toString());
        Path script = script(sha256(bundle));
        Result fromFile = run(List.of("sh", script.toString()), env, tmp);
        assertEquals(0, fromFile.exit(), fromFile.output());
        List<String> calls = Files.readAllLines(tmp.resolve("root/calls.log"));
        assertEquals("token-in-env", calls.get(1), "the token from the file reaches the agent\n" + fromFile.output());

        env.remove("MIPO_TOKEN_FILE");
        Result fromStdin = run(List.of("sh", "-c", "sh '" + script + "' --token-stdin < '" + tokenFile + "'"), env, tmp);
        assertEquals(0, fromStdin.exit(), fromStdin.output());
        assertEquals("token-in-env", Files.readAllLines(tmp.resolve("root/calls.log")).get(3), fromStdin.output());
        assertFalse(fromFile.output().contains(TOKEN) || fromStdin.output().contains(TOKEN), "the token was printed");

        Files.writeString(tokenFile, "#!/bin/sh\n# not a token\n");
        env.put("MIPO_TOKEN_FILE", tokenFile.toString());
        Result notAToken = run(List.of("sh", script.toString()), env, tmp);
        assertNotEquals(0, notAToken.exit());
        assertTrue(notAToken.output().contains("not a provisioning token"), notAToken.output());
        assertEquals(4, Files.readAllLines(tmp.resolve("root/calls.log")).size(), "no registration with it");
    }

    @Test
    void uninstallRemovesEverythingAndTellsTheServerWithTheApiKey() throws Exception {
        java.util.List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        server.createContext("/scanner/uninstall", ex -> {
            told.add(ex.getRequestMethod() + " " + ex.getRequestHeaders().getFirst("Authorization"));
            byte[] ok = "{\"scannerId\":\"edge-1\"}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, ok.length);
            ex.getResponseBody().write(ok);
            ex.close();
        });
        Path script = script(sha256(bundle));
        Result installed = install(script, TOKEN);
        assertEquals(0, installed.exit(), installed.output());
        Path root = tmp.resolve("root");
        // the fake agent wrote apiKey=mipo_sk_x; the uninstaller needs the server too
        Files.writeString(root.resolve("var/lib/mipo-scanner/credentials"), "server=" + url() + "\napiKey=mipo_sk_x\n");
        Files.delete(root.resolve("calls.log"));

        Map<String, String> env = new java.util.HashMap<>();
        env.put("MIPO_ROOT", root.toString());
        env.put("PATH", systemctlStub() + ":" + System.getenv("PATH"));
        env.put("MIPO_UNINSTALL", "1");
        Result r = run(List.of("sh", script.toString()), env, tmp);
        assertEquals(0, r.exit(), r.output());
        assertEquals(List.of("POST Bearer mipo_sk_x"), told, r.output());
        assertTrue(systemctlCalls().contains("disable --now mipo-scanner.service"), systemctlCalls().toString());
        assertTrue(systemctlCalls().indexOf("disable --now mipo-scanner-upgrade.path")
                < systemctlCalls().indexOf("disable --now mipo-scanner.service")
                && systemctlCalls().contains("disable --now mipo-scanner-upgrade.path"),
                "the upgrade path unit is disabled first: " + systemctlCalls());
        try (var left = Files.walk(root)) {
            assertEquals(List.of(), left.filter(p -> !Files.isDirectory(p)).toList(), "nothing left\n" + r.output());
        }
        assertFalse(r.output().contains("mipo_sk_x"), r.output());
    }

    /** Automatic upgrades: the root path unit that watches for the agent's request, and its oneshot. */
    @Test
    void installsTheUpgradePathUnitAndItsOneshotAndUninstallRemovesThem() throws Exception {
        Path script = script(sha256(bundle));
        Result installed = install(script, TOKEN);
        assertEquals(0, installed.exit(), installed.output());
        Path units = tmp.resolve("root/etc/systemd/system");
        String path = Files.readString(units.resolve("mipo-scanner-upgrade.path"));
        for (String line : List.of("[Path]", "PathExists=/var/lib/mipo-scanner/upgrade-request",
                "Unit=mipo-scanner-upgrade.service", "WantedBy=multi-user.target")) {
            assertTrue(path.contains(line + "\n"), "the path unit has " + line + ":\n" + path);
        }
        String service = Files.readString(units.resolve("mipo-scanner-upgrade.service"));
        for (String line : List.of("Type=oneshot", "ExecStartPre=/bin/rm -f /var/lib/mipo-scanner/upgrade-request",
                // the server is the one the script came from, fixed in a root-owned file, not the agent-writable credentials'
                "ExecStart=/opt/mipo-scanner/bin/mipo-scanner upgrade --config-dir /var/lib/mipo-scanner --server " + url(),
                "TimeoutStartSec=15min")) {
            assertTrue(service.contains(line + "\n"), "the upgrade service has " + line + ":\n" + service);
        }
        assertFalse(service.contains("User="), "the upgrade runs as root: it writes /opt and restarts the agent");
        assertTrue(systemctlCalls().contains("enable --now mipo-scanner-upgrade.path"), systemctlCalls().toString());

        // systemd itself accepts the units (outside CI only when systemd-analyze is here; in CI it must be)
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        if (io.mipo.scanner.util.RequiredTools.inCi()) {
            io.mipo.scanner.util.RequiredTools.require(Files.isExecutable(analyze), "systemd-analyze (Debian package systemd)");
        }
        if (Files.isExecutable(analyze)) {
            for (String unit : List.of("mipo-scanner-upgrade.path", "mipo-scanner-upgrade.service")) {
                Result v = run(List.of(analyze.toString(), "verify", "--man=no", units.resolve(unit).toString()), Map.of(), tmp);
                // the units name /opt/mipo-scanner/bin/mipo-scanner, which is under MIPO_ROOT here, not at /
                String complaints = v.output().lines()
                        .filter(l -> !l.contains("/opt/mipo-scanner/bin/mipo-scanner") && !l.isBlank()
                                && !l.contains("mipo-scanner.service") && !l.contains("Failed to prepare filename")
                                && !l.contains("System has not been booted with systemd"))
                        .reduce("", (a, b) -> a + b + "\n");
                assertEquals("", complaints, "systemd-analyze verify " + unit + " (exit " + v.exit() + "):\n" + v.output());
            }
        }

        Files.writeString(tmp.resolve("root/var/lib/mipo-scanner/credentials"), "server=" + url() + "\napiKey=mipo_sk_x\n");
        Map<String, String> env = new java.util.HashMap<>();
        env.put("MIPO_ROOT", tmp.resolve("root").toString());
        env.put("PATH", systemctlStub() + ":" + System.getenv("PATH"));
        env.put("MIPO_UNINSTALL", "1");
        Result r = run(List.of("sh", script.toString()), env, tmp);
        assertEquals(0, r.exit(), r.output());
        assertTrue(systemctlCalls().contains("disable --now mipo-scanner-upgrade.path"), systemctlCalls().toString());
        assertFalse(Files.exists(units.resolve("mipo-scanner-upgrade.path")), "the path unit is removed\n" + r.output());
        assertFalse(Files.exists(units.resolve("mipo-scanner-upgrade.service")), "the oneshot is removed\n" + r.output());
    }

    /** The upgrade puts the API key into a curl config line: anything but a key's characters is refused. */
    @Test
    void anUpgradeRefusesCredentialsWhoseApiKeyIsNotOne() throws Exception {
        Path state = Files.createDirectories(tmp.resolve("root/var/lib/mipo-scanner"));
        Files.writeString(state.resolve("credentials"), "server=" + url() + "\napiKey=mipo_sk_x\" -o /tmp/evil\n");
        Map<String, String> env = new java.util.HashMap<>();
        env.put("MIPO_ROOT", tmp.resolve("root").toString());
        env.put("TMPDIR", tmp.toString());
        env.put("PATH", systemctlStub() + ":" + System.getenv("PATH"));
        env.put("MIPO_UPGRADE", "1");
        Result r = run(List.of("sh", script(sha256(bundle)).toString()), env, tmp);
        assertNotEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("not an API key"), r.output());
        assertEquals(0, downloads.get(), "nothing downloaded with it");
        assertEquals(List.of(), systemctlCalls(), "no service touched");
    }
}
