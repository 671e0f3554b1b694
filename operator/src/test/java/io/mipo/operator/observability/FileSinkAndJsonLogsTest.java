package io.mipo.operator.observability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.api.agent.AgentCalls;
import io.mipo.operator.credentials.CredentialFixtures;
import io.mipo.operator.credentials.CredentialService;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Logger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** mipo.results.sink=file puts findings in the file and nowhere else; JSON logs name the resource. */
@QuarkusTest
@TestProfile(FileSinkProfile.class)
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class FileSinkAndJsonLogsTest {

    @Inject
    KubernetesClient client;

    @Inject
    CredentialService credentials;

    @Test
    void findingsAreAppendedToTheFileAndNeitherLoggedNorPrinted() throws IOException {
        Logger results = Logger.getLogger(ResultsSink.CATEGORY);
        assertTrue(List.of(results.getHandlers()).stream().noneMatch(h -> h instanceof ResultsSink.BareLines),
                "no stdout handler with the file sink");
        String ns = TestResources.freshNamespace(client);
        CredentialService.IssuedToken token = CredentialFixtures.createWithToken(client, credentials, ns, "file-sink");
        Response reg = AgentCalls.register(token.token());
        assertEquals(200, reg.statusCode(), reg.asString());
        String key = reg.jsonPath().getString("apiKey");
        MetricsEndpointTest.assignTestNetworks(client, ns, "file-sink", key);

        LogHandlers.Capture everything = new LogHandlers.Capture();
        Logger root = Logger.getLogger("");
        root.addHandler(everything);
        results.addHandler(everything);
        try {
            Response first = MetricsEndpointTest.results(key, List.of(MetricsEndpointTest.finding("198.51.100.91", 22, "open"),
                    MetricsEndpointTest.finding("198.51.100.91", 23, "closed")));
            assertEquals(202, first.statusCode(), first.asString());
            Response second = MetricsEndpointTest.results(key, List.of(MetricsEndpointTest.finding("198.51.100.92", 8443, "filtered")));
            assertEquals(202, second.statusCode(), second.asString());
        } finally {
            root.removeHandler(everything);
            results.removeHandler(everything);
        }

        List<String> lines = Files.readAllLines(FileSinkProfile.FILE).stream().filter(l -> l.contains("\"file-sink\"")).toList();
        assertEquals(3, lines.size(), "the file holds one line per finding, batches appended: " + lines);
        ObjectMapper json = new ObjectMapper();
        JsonNode a = json.readTree(lines.get(0));
        assertEquals(ns, a.get("namespace").asText());
        assertEquals("file-sink", a.get("scanner").asText());
        assertEquals("198.51.100.91", a.get("ip").asText());
        assertEquals(22, a.get("port").asInt());
        assertEquals("filtered", json.readTree(lines.get(2)).get("state").asText());
        assertFalse(everything.anyMessageContains("198.51.100.9"), "no finding went through logging: "
                + everything.records.stream().map(ExtLogRecord::getFormattedMessage).toList());
    }

    @Test
    void jsonLogLinesCarryTheResourceTheReconcilerWorkedOn() throws IOException {
        Handler console = LogHandlers.console();
        assertTrue(console.getFormatter().getClass().getName().toLowerCase().contains("json"),
                "quarkus.log.console.json.enabled=true gives the console a JSON formatter: " + console.getFormatter());

        String ns = TestResources.freshNamespace(client);
        client.resource(TestResources.scanner(ns, "json-logged", null)).create();
        TestResources.awaitStatus(client, ns, "json-logged", s -> s.getStatus() != null && s.getStatus().getPhase() != null);
        LogHandlers.Capture capture = new LogHandlers.Capture();
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        ExtLogRecord deleted;
        try {
            client.resources(Scanner.class).inNamespace(ns).withName("json-logged").delete();
            String text = "Scanner " + ns + "/json-logged deleted";
            await().atMost(Duration.ofSeconds(20)).until(() -> capture.anyMessageContains(text));
            deleted = capture.records.stream().filter(r -> r.getFormattedMessage().contains(text)).findFirst().orElseThrow();
        } finally {
            root.removeHandler(capture);
        }
        String line = console.getFormatter().format(deleted).trim();
        assertFalse(line.contains("\n"), "one line per record: " + line);
        JsonNode record = new ObjectMapper().readTree(line);
        assertTrue(record.path("message").asText().contains("json-logged deleted"), line);
        assertEquals("INFO", record.path("level").asText(), line);
        assertTrue(record.hasNonNull("timestamp"), line);
        assertEquals(ns, record.path("mdc").path("mipo.namespace").asText(), line);
        assertEquals("json-logged", record.path("mdc").path("mipo.name").asText(), line);
        assertEquals("Scanner", record.path("mdc").path("mipo.kind").asText(), line);
    }
}
