package io.mipo.operator.standalone;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MipoMain's boot logic, in-process and without Quarkus. */
class StandaloneBootTest {

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        StandaloneBoot.stop();
    }

    @Test
    void settingsComeFromSystemPropertiesThenEnvironment() {
        StandaloneSettings off = StandaloneSettings.from(k -> null, Map.of());
        assertFalse(off.enabled());
        assertEquals(Path.of("mipo-data").toAbsolutePath(), off.dataDir());
        assertEquals(8080, off.httpPort());

        StandaloneSettings env = StandaloneSettings.from(k -> null, Map.of("MIPO_STANDALONE", "true",
                "MIPO_STANDALONE_DATA_DIR", dir.toString(), "QUARKUS_HTTP_PORT", "9090",
                "MIPO_AUTH_STATIC_TOKEN", "tok", "MIPO_PUBLIC_URL", "https://mipo.example"));
        assertTrue(env.enabled());
        assertEquals(dir, env.dataDir());
        assertEquals(9090, env.httpPort());
        assertEquals(Optional.of("tok"), env.staticToken());
        assertEquals(Optional.of("https://mipo.example"), env.publicUrl());

        Map<String, String> props = Map.of("mipo.standalone", "false", "quarkus.http.port", "7070");
        StandaloneSettings both = StandaloneSettings.from(props::get, Map.of("MIPO_STANDALONE", "true"));
        assertFalse(both.enabled(), "a system property wins over the environment");
        assertEquals(7070, both.httpPort());

        assertThrows(IllegalArgumentException.class,
                () -> StandaloneSettings.from(Map.of("quarkus.http.port", "http")::get, Map.of()));
        assertEquals("MIPO_STANDALONE_DATA_DIR", StandaloneSettings.envName("mipo.standalone.data-dir"));
    }

    @Test
    void startsTheApiServerAndPointsTheApplicationAtIt() throws Exception {
        Path data = dir.resolve("data");
        Map<String, String> props = new HashMap<>();
        StandaloneSettings settings = StandaloneSettings.from(k -> null, Map.of("MIPO_STANDALONE", "true",
                "MIPO_STANDALONE_DATA_DIR", data.toString(), "QUARKUS_HTTP_PORT", "18181"));
        StandaloneRuntime r = StandaloneBoot.start(settings, props::get, props::put);
        String url = r.apiServer().url();

        assertTrue(url.startsWith("http://127.0.0.1:"), url);
        assertEquals(url, props.get("kubernetes.master"));
        assertEquals("default", props.get("kubernetes.namespace"));
        assertEquals("false", props.get("kubernetes.auth.tryKubeConfig"));
        assertEquals("true", props.get("mipo.standalone"));
        assertEquals(data.toString(), props.get("mipo.standalone.data-dir"));
        assertEquals("http://localhost:18181", props.get("mipo.public-url"));

        String token = props.get("mipo.auth.static-token");
        assertTrue(token.matches("[0-9A-Za-z]{43}"), token);
        assertTrue(r.generatedToken());
        Path tokenFile = data.resolve("admin-token");
        assertEquals(token, Files.readString(tokenFile).trim());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));

        String kubeconfig = Files.readString(data.resolve("kubeconfig"));
        assertTrue(kubeconfig.contains("server: " + url), kubeconfig);
        assertTrue(kubeconfig.contains("namespace: default"), kubeconfig);

        HttpResponse<String> crds = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(url + "/apis/apiextensions.k8s.io/v1/customresourcedefinitions")).build(),
                HttpResponse.BodyHandlers.ofString());
        for (String crd : new String[] {"scanners.mipo.io", "scannerbindings.mipo.io", "scannergroups.mipo.io"}) {
            assertTrue(crds.body().contains("\"name\":\"" + crd + "\""), crd + " installed: " + crds.body());
        }

        ByteArrayOutputStream banner = new ByteArrayOutputStream();
        StandaloneStartup.print(r, new PrintStream(banner, true, StandardCharsets.UTF_8));
        String text = banner.toString(StandardCharsets.UTF_8);
        for (String expected : new String[] {"NOT FOR PRODUCTION", token, "http://localhost:18181/api/config/scanners",
                "http://localhost:18181/scanner", data.resolve("kubeconfig").toString(),
                "kubectl --kubeconfig " + data.resolve("kubeconfig") + " get scanners"}) {
            assertTrue(text.contains(expected), "banner shows " + expected + ":\n" + text);
        }

        // a restart keeps the token
        StandaloneBoot.stop();
        Map<String, String> again = new HashMap<>();
        StandaloneBoot.start(settings, again::get, again::put);
        assertEquals(token, again.get("mipo.auth.static-token"));
    }

    @Test
    void aConfiguredTokenAndPublicUrlAreKeptAndTheTokenIsNotWritten() throws Exception {
        Map<String, String> props = new HashMap<>(Map.of("mipo.auth.static-token", "configured-token-1234",
                "mipo.public-url", "https://scanners.example.com"));
        StandaloneSettings settings = StandaloneSettings.from(props::get,
                Map.of("MIPO_STANDALONE", "true", "MIPO_STANDALONE_DATA_DIR", dir.toString()));
        StandaloneRuntime r = StandaloneBoot.start(settings, props::get, props::put);

        assertEquals("configured-token-1234", props.get("mipo.auth.static-token"));
        assertEquals("https://scanners.example.com", props.get("mipo.public-url"));
        assertFalse(r.generatedToken());
        assertFalse(Files.exists(dir.resolve("admin-token")), "a configured token is not copied to disk");

        ByteArrayOutputStream banner = new ByteArrayOutputStream();
        StandaloneStartup.print(r, new PrintStream(banner, true, StandardCharsets.UTF_8));
        String text = banner.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains("configured-token-1234"), text);
        assertTrue(text.contains("…1234"), text);
        assertTrue(text.contains("https://scanners.example.com/scanner"), text);
    }
}
