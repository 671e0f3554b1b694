package io.mipo.operator.observability;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.api.agent.AgentCalls;
import io.mipo.operator.credentials.CredentialFixtures;
import io.mipo.operator.credentials.CredentialService;
import io.mipo.operator.group.GroupTestProfile;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Logger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The default log set-up: text lines with the date and, on lines written while a resource is
 * reconciled, the resource; findings on stdout apart from the logs. Uses the console handler
 * Quarkus configured from application.properties, its filter and formatter.
 */
@QuarkusTest
@TestProfile(GroupTestProfile.class)
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class LogFormatTest {

    @Inject
    KubernetesClient client;

    @Inject
    CredentialService credentials;

    @Test
    void aReconcilerLineCarriesTheDateAndTheResourceItConcerns() {
        String ns = TestResources.freshNamespace(client);
        client.resource(TestResources.scanner(ns, "logged", null)).create();
        TestResources.awaitStatus(client, ns, "logged", s -> s.getStatus() != null && s.getStatus().getPhase() != null);

        LogHandlers.Capture capture = new LogHandlers.Capture();
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        ExtLogRecord deleted;
        try {
            client.resources(Scanner.class).inNamespace(ns).withName("logged").delete();
            String text = "Scanner " + ns + "/logged deleted";
            await().atMost(Duration.ofSeconds(20)).until(() -> capture.anyMessageContains(text));
            deleted = capture.records.stream().filter(r -> r.getFormattedMessage().contains(text)).findFirst().orElseThrow();
        } finally {
            root.removeHandler(capture);
        }

        Handler console = LogHandlers.console();
        assertTrue(console.getFilter() == null || console.getFilter().isLoggable(deleted), "the console filter keeps the line");
        String line = console.getFormatter().format(deleted);
        assertTrue(line.matches("(?s)^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2}) INFO  .*"),
                "a log line starts with the full date and time: " + line);
        assertTrue(line.contains(" [Scanner " + ns + "/logged] Scanner " + ns + "/logged deleted"),
                "the reconciler's line names the resource: " + line);
    }

    @Test
    void aLineAboutNoResourceGetsNoEmptyBrackets() {
        Handler console = LogHandlers.console();
        ExtLogRecord plain = new ExtLogRecord(java.util.logging.Level.INFO, "nothing to reconcile", LogFormatTest.class.getName());
        assertTrue(console.getFilter() == null || console.getFilter().isLoggable(plain));
        String line = console.getFormatter().format(plain);
        assertFalse(line.contains("[]") || line.contains("[/]") || line.contains("[ ]"), line);
        assertTrue(line.contains(") nothing to reconcile"), line);
    }

    @Test
    void findingsGoToStdoutBareAndNeverThroughTheLogHandlers() {
        Logger results = Logger.getLogger(ResultsSink.CATEGORY);
        assertFalse(results.getUseParentHandlers(), "findings do not reach the log handlers");
        List<Handler> own = List.of(results.getHandlers());
        assertEquals(1, own.stream().filter(h -> h instanceof ResultsSink.BareLines).count(), "one bare-line stdout handler: " + own);

        String ns = TestResources.freshNamespace(client);
        CredentialService.IssuedToken token = CredentialFixtures.createWithToken(client, credentials, ns, "stdout-sink");
        Response reg = AgentCalls.register(token.token());
        assertEquals(200, reg.statusCode(), reg.asString());
        MetricsEndpointTest.assignTestNetworks(client, ns, "stdout-sink", reg.jsonPath().getString("apiKey"));
        LogHandlers.Capture logs = new LogHandlers.Capture();
        LogHandlers.Capture sink = new LogHandlers.Capture();
        Logger root = Logger.getLogger("");
        root.addHandler(logs);
        results.addHandler(sink);
        try {
            Response ok = MetricsEndpointTest.results(reg.jsonPath().getString("apiKey"),
                    List.of(MetricsEndpointTest.finding("198.51.100.77", 443, "open")));
            assertEquals(202, ok.statusCode(), ok.asString());
        } finally {
            root.removeHandler(logs);
            results.removeHandler(sink);
        }
        assertTrue(sink.anyMessageContains("\"ip\":\"198.51.100.77\""), "the finding reached the results sink");
        assertFalse(logs.anyMessageContains("198.51.100.77"), "the finding is not in the log stream");
    }
}
