package io.mipo.operator.credentials;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mipo.operator.api.agent.AgentCalls;
import io.mipo.operator.liveness.LivenessTestProfile;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A full lifecycle — create, kubectl create, register, heartbeat, bad attempts, regenerate, expire,
 * Offline and back, revoke, delete — with the log captured (io.mipo at DEBUG), then every issued
 * token and key is searched for in the log, the Events, the Scanners (spec and status), the error
 * bodies and the metrics.
 */
@QuarkusTest
@TestProfile(LivenessTestProfile.class)
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class SecretsNeverLeakTest {

    @Inject
    KubernetesClient client;

    @Inject
    CredentialService credentials;

    private final List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Handler capture = new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord r) {
            StringBuilder sb = new StringBuilder(r.getLoggerName()).append(": ").append(formatter.formatMessage(r));
            if (r.getThrown() != null) {
                StringWriter w = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(w));
                sb.append('\n').append(w);
            }
            log.add(sb.toString());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLog() {
        capture.setLevel(Level.ALL);
        java.util.logging.Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        java.util.logging.Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void noIssuedTokenOrKeyAppearsInLogsEventsStatusErrorsOrMetrics() {
        String ns = TestResources.freshNamespace(client);
        List<String> issued = new ArrayList<>();
        List<String> exposed = new ArrayList<>();

        // Facade-style create, and a kubectl-style create that gets its token automatically.
        CredentialService.IssuedToken a1 = CredentialFixtures.createWithToken(client, credentials, ns, "leak-a");
        issued.add(a1.token());
        client.resource(TestResources.scanner(ns, "leak-b", null)).create();
        String b1 = CredentialFixtures.tokenFromSecret(client, ns, "leak-b");
        issued.add(b1);

        String keyA1 = registered(a1.token(), exposed);
        issued.add(keyA1);
        assertEquals(200, AgentCalls.heartbeat(keyA1).statusCode());
        exposed.add(AgentCalls.register(a1.token()).asString());                           // TOKEN_USED
        exposed.add(AgentCalls.register(a1.token().replace('a', 'b')).asString());         // TOKEN_INVALID
        exposed.add(AgentCalls.heartbeat(keyA1.substring(0, keyA1.length() - 2) + "xx").asString());
        exposed.add(AgentCalls.heartbeat("Bearer " + keyA1).asString());
        exposed.add(RestAssured.given().header("Authorization", "Bearer " + keyA1).contentType("application/json")
                .body("{\"hostname\": \"" + keyA1 + "\", \"broken\": ").post("/scanner/heartbeat").asString());
        exposed.add(RestAssured.given().contentType("application/json")
                .body("{\"token\": \"" + a1.token() + "\", \"hostname\": [1]}").post("/scanner/register").asString());

        // Regenerate: old token and key are refused; the new ones work.
        Scanner a = client.resources(Scanner.class).inNamespace(ns).withName("leak-a").get();
        CredentialService.IssuedToken a2 = credentials.issueToken(a, "http://127.0.0.1:8081");
        issued.add(a2.token());
        exposed.add(AgentCalls.register(a1.token()).asString());
        exposed.add(AgentCalls.heartbeat(keyA1).asString());
        String keyA2 = registered(a2.token(), exposed);
        issued.add(keyA2);
        String keyB = registered(b1, exposed);
        issued.add(keyB);

        // An expired token.
        CredentialService.IssuedToken c1 = CredentialFixtures.createWithToken(client, credentials, ns, "leak-c");
        issued.add(c1.token());
        TestResources.modify(client, Secret.class, ns, CredentialSecrets.provisioningName("leak-c"), p ->
                p.getData().put(CredentialSecrets.EXPIRES_AT, Base64.getEncoder().encodeToString(Instant.now().minusSeconds(5).toString().getBytes(StandardCharsets.UTF_8))));
        await().atMost(Duration.ofSeconds(15)).until(() -> client.v1().events().inNamespace(ns).list().getItems().stream()
                .anyMatch(e -> "TokenExpired".equals(e.getReason())));
        exposed.add(AgentCalls.register(c1.token()).asString());

        // Offline and back.
        assertEquals(200, AgentCalls.heartbeat(keyA2).statusCode());
        TestResources.awaitStatus(client, ns, "leak-a", x -> x.getStatus().getPhase() == Phase.Offline);
        assertEquals(200, AgentCalls.heartbeat(keyA2).statusCode());
        TestResources.awaitStatus(client, ns, "leak-a", x -> x.getStatus().getPhase() == Phase.Active);

        exposed.add(Serialization.asJson(client.resources(Scanner.class).inNamespace(ns).list()));
        exposed.add(RestAssured.get("/q/metrics").asString());

        // Revoke and delete.
        credentials.revokeAll(client.resources(Scanner.class).inNamespace(ns).withName("leak-a").get());
        exposed.add(AgentCalls.heartbeat(keyA2).asString());
        client.resources(Scanner.class).inNamespace(ns).withName("leak-a").delete();
        client.resources(Scanner.class).inNamespace(ns).withName("leak-b").delete();
        await().atMost(Duration.ofSeconds(15)).until(() -> client.resources(Scanner.class).inNamespace(ns).list().getItems().size() == 1);

        exposed.add(Serialization.asJson(client.v1().events().inNamespace(ns).list()));
        assertTrue(client.v1().events().inNamespace(ns).list().getItems().size() >= 5, "expected a lifecycle's worth of events");
        // API keys are never stored in plaintext; tokens only in an unused token's install command.
        String secrets = Serialization.asJson(client.secrets().inNamespace(ns).list());
        for (String key : List.of(keyA1, keyA2, keyB)) {
            assertTrue(!secrets.contains(Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8))) && !secrets.contains(key),
                    "an API key is stored in a Secret");
        }

        String logText = String.join("\n", log);
        assertTrue(logText.contains("registered"), "the log capture saw nothing: " + log.size() + " records");
        for (String secret : issued) {
            String shown = secret.substring(0, 8) + "…" + secret.substring(secret.length() - 4);
            assertTrue(!logText.contains(secret) && !logText.contains(secret.substring(8)), "log contains " + shown);
            for (String text : exposed) {
                assertTrue(!text.contains(secret) || isRegistrationResponse(text, secret),
                        shown + " appears in: " + text.substring(0, Math.min(300, text.length())).replace(secret, shown));
            }
        }
    }

    /** The one legitimate place for a key: the response to the registration that issued it. */
    private static boolean isRegistrationResponse(String text, String secret) {
        return text.startsWith("{\"scannerId\"") && text.contains("\"apiKey\":\"" + secret + "\"");
    }

    private static String registered(String token, List<String> exposed) {
        Response r = AgentCalls.register(token);
        assertEquals(200, r.statusCode(), r.asString().replace(token, "mipo_pt_…"));
        exposed.add(r.asString());
        return r.jsonPath().getString("apiKey");
    }
}
