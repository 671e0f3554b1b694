package io.mipo.scanner.register;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mipo.scanner.AgentVersion;
import io.mipo.scanner.ExitCodes;
import io.mipo.scanner.FakeOperator;
import io.mipo.scanner.FakeOperator.Response;
import io.mipo.scanner.Main;
import io.mipo.scanner.config.CredentialsStore;
import io.mipo.scanner.util.Log;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RegisterCommandTest {
    static final String TOKEN = "mipo_pt_" + "t".repeat(34) + "TK42";
    static final String KEY = "mipo_sk_" + "k".repeat(34) + "KY99";

    @TempDir
    Path tmp;
    FakeOperator operator;
    final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    final ByteArrayOutputStream stdout = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        operator = new FakeOperator();
    }

    @AfterEach
    void stop() {
        operator.close();
    }

    private int register(Map<String, String> env, String... extra) {
        String[] args = new String[3 + extra.length];
        args[0] = "register";
        args[1] = "--config-dir";
        args[2] = tmp.resolve("etc").toString();
        System.arraycopy(extra, 0, args, 3, extra.length);
        Log log = new Log(new PrintStream(logs, true, StandardCharsets.UTF_8), true);
        return Main.execute(args, env, new PrintStream(stdout, true, StandardCharsets.UTF_8), log, a -> {
        });
    }

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("MIPO_TOKEN", TOKEN);
        env.put("MIPO_SERVER", operator.url());
        env.put("MIPO_BACKOFF_INITIAL_MS", "10"); // registration retries 10 ms doubling to 40 ms
        env.put("MIPO_BACKOFF_MAX_MS", "40");
        return env;
    }

    private String output() {
        return logs.toString(StandardCharsets.UTF_8) + stdout.toString(StandardCharsets.UTF_8);
    }

    @Test
    void registersAndStoresTheKeyPrivately() throws Exception {
        operator.on("POST /scanner/register", r -> Response.ok(
                Map.of("scannerId", "edge-1", "apiKey", KEY, "heartbeatIntervalSeconds", 15)));
        assertEquals(ExitCodes.OK, register(env()));

        FakeOperator.Request req = operator.requests("/scanner/register").get(0);
        assertEquals(TOKEN, req.body().get("token"));
        assertEquals(AgentVersion.get(), req.body().get("version"));
        assertFalse(AgentVersion.get().contains("${"), "version resource is filtered");
        assertEquals("linux", req.body().get("os"));
        assertTrue(List.of("amd64", "arm64").contains(req.body().get("arch")));
        assertTrue(req.body().get("hostname") instanceof String);
        assertEquals("127.0.0.1", req.body().get("internalIp"));
        assertEquals(null, req.authorization());

        Path file = tmp.resolve("etc/credentials");
        String stored = Files.readString(file);
        assertTrue(stored.contains("apiKey=" + KEY));
        assertTrue(stored.contains("scannerId=edge-1"));
        assertTrue(stored.contains("server=" + operator.url()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        String out = output();
        assertFalse(out.contains(KEY), out);
        assertFalse(out.contains(TOKEN), out);
        assertTrue(out.contains("mipo_sk_…KY99"), out);
    }

    @Test
    void registeringAgainReplacesTheCredentials() throws Exception {
        operator.on("POST /scanner/register", r -> Response.ok(Map.of("scannerId", "edge-1", "apiKey", KEY)));
        assertEquals(ExitCodes.OK, register(env()));
        String newKey = KEY.replace("KY99", "NEW1");
        operator.on("POST /scanner/register", r -> Response.ok(Map.of("scannerId", "edge-1", "apiKey", newKey)));
        assertEquals(ExitCodes.OK, register(env()));
        assertEquals(newKey, new CredentialsStore(tmp.resolve("etc")).load().orElseThrow().apiKey());
        assertTrue(output().contains("replacing the previous credentials"));
    }

    @Test
    void tokenFlagWorksButWarns() {
        operator.on("POST /scanner/register", r -> Response.ok(Map.of("scannerId", "s", "apiKey", KEY)));
        Map<String, String> env = Map.of("MIPO_SERVER", operator.url());
        assertEquals(ExitCodes.OK, register(env, "--token", TOKEN));
        assertEquals(TOKEN, operator.requests("/scanner/register").get(0).body().get("token"));
        assertTrue(output().contains("prefer the MIPO_TOKEN"));
    }

    @ParameterizedTest
    @CsvSource({
        "401, TOKEN_INVALID, 3, not valid",
        "401, TOKEN_EXPIRED, 3, has expired",
        "401, TOKEN_USED, 3, already used",
        "403, IP_BINDING_VIOLATION, 4, IP binding",
        "401, SOMETHING_NEW, 3, not accepted",
        "500, INTERNAL, 1, registration failed"})
    void refusalsExplainThemselves(int status, String code, int exit, String phrase) {
        operator.on("POST /scanner/register", r -> Response.problem(status, code, "refused " + code));
        assertEquals(exit, register(env()));
        String out = output();
        assertTrue(out.contains(phrase), out);
        if (!code.equals("INTERNAL")) {
            assertTrue(out.contains(code), out);
        }
        assertFalse(out.contains(TOKEN), out);
        assertFalse(Files.exists(tmp.resolve("etc/credentials")), "nothing stored on failure");
    }

    @Test
    void unreachableServer() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Map<String, String> env = env();
        env.put("MIPO_SERVER", "http://127.0.0.1:" + port);
        assertEquals(ExitCodes.UNREACHABLE, register(env));
        assertTrue(output().contains("cannot reach the mipo server"), output());
    }

    @Test
    void missingTokenOrServerIsAUsageError() {
        Map<String, String> env = env();
        env.remove("MIPO_TOKEN");
        assertEquals(ExitCodes.USAGE, register(env));
        assertTrue(output().contains("MIPO_TOKEN"));
        assertEquals(ExitCodes.USAGE, register(Map.of("MIPO_TOKEN", TOKEN)));
        assertEquals(ExitCodes.USAGE, register(Map.of("MIPO_TOKEN", TOKEN, "MIPO_SERVER", "ftp://x")));
        assertEquals(ExitCodes.USAGE, register(env(), "--bogus", "1"));
    }

    @Test
    void aMalformedAnswerIsAFailure() {
        operator.on("POST /scanner/register", r -> new Response(200, "application/json", "{\"scannerId\":\"s\"}"));
        assertEquals(ExitCodes.FAILURE, register(env()));
        operator.on("POST /scanner/register", r -> new Response(200, "text/html", "<html>"));
        assertEquals(ExitCodes.FAILURE, register(env()));
    }

    @Test
    void aLostAnswerIsRetriedWithTheSameRegistrationIdKeptOnDiskBeforeTheFirstTry() throws Exception {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<String> onDiskAtFirstTry = new java.util.concurrent.atomic.AtomicReference<>();
        operator.on("POST /scanner/register", r -> {
            int n = calls.incrementAndGet();
            if (n == 1) {
                try {
                    onDiskAtFirstTry.set(Files.readString(tmp.resolve("etc/" + RegistrationId.FILE_NAME)).trim());
                } catch (java.io.IOException e) {
                    onDiskAtFirstTry.set("missing: " + e);
                }
                return Response.problem(503, "UNAVAILABLE", "operator restarting");
            }
            return n == 2 ? Response.problem(502, "BAD_GATEWAY", "proxy") : Response.ok(Map.of("scannerId", "s", "apiKey", KEY));
        });
        assertEquals(ExitCodes.OK, register(env()), output());
        List<FakeOperator.Request> tries = operator.requests("/scanner/register");
        assertEquals(3, tries.size());
        Object id = tries.get(0).body().get("registrationId");
        assertTrue(String.valueOf(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "a UUID: " + id);
        assertEquals(id, onDiskAtFirstTry.get(), "the id is on disk before the first try");
        assertEquals(id, tries.get(1).body().get("registrationId"));
        assertEquals(id, tries.get(2).body().get("registrationId"));
        assertEquals(TOKEN, tries.get(2).body().get("token"));
        assertFalse(Files.exists(tmp.resolve("etc/" + RegistrationId.FILE_NAME)), "removed once the credentials are stored");
        assertTrue(output().contains("retrying"), output());
    }

    @Test
    void aRunAgainAfterACrashReusesTheStoredIdAndRefusalsAreNotRetried() throws Exception {
        Files.createDirectories(tmp.resolve("etc"));
        String kept = "0b7c1e52-4c1f-4d6a-9d2e-6f0c2a1b3c4d";
        Files.writeString(tmp.resolve("etc/" + RegistrationId.FILE_NAME), kept + "\n");
        operator.on("POST /scanner/register", r -> Response.problem(401, "TOKEN_USED", "used"));
        assertEquals(ExitCodes.NOT_AUTHORIZED, register(env()));
        assertEquals(1, operator.requests("/scanner/register").size(), "a refusal is final at once");
        assertEquals(kept, operator.requests("/scanner/register").get(0).body().get("registrationId"));
    }
}
