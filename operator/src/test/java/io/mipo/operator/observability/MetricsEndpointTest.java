package io.mipo.operator.observability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
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
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /q/metrics as Prometheus scrapes it: the operator's own metrics, the Operator SDK's under
 * the mipo_ prefix, and docs/metrics.md, the Grafana dashboard and the alert rules naming only
 * metrics that this scrape really has.
 */
@QuarkusTest
@TestProfile(GroupTestProfile.class)
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class MetricsEndpointTest {

    @Inject
    KubernetesClient client;

    @Inject
    CredentialService credentials;

    @ConfigProperty(name = "quarkus.application.version")
    String version;

    static Scrape scrape() {
        Response r = RestAssured.given().get("/q/metrics");
        assertEquals(200, r.statusCode(), r.asString());
        return Scrape.parse(r.asString());
    }

    @Test
    void buildInfoLeaderAndAsnAgeAreExported() {
        Scrape s = scrape();
        assertEquals(Double.valueOf(1.0), s.value("mipo_build_info", "version=\"" + version + "\"").orElse(null), s.linesOf("mipo_build_info"));
        assertEquals("gauge", s.types().get("mipo_build_info"), s.linesOf("mipo_build_info"));
        // the test profile runs without leader election: this replica runs the reconcilers
        assertEquals(Double.valueOf(1.0), s.value("mipo_leader").orElse(null), s.linesOf("mipo_leader"));
        double age = s.value("mipo_asn_database_age_seconds").orElseThrow(() -> new AssertionError(s.linesOf("mipo_asn_database_age_seconds")));
        assertTrue(Double.isNaN(age) || age >= 0, s.linesOf("mipo_asn_database_age_seconds"));
    }

    @Test
    void findingsAcceptedByTheResultsCallAreCountedByState() {
        String ns = TestResources.freshNamespace(client);
        CredentialService.IssuedToken token = CredentialFixtures.createWithToken(client, credentials, ns, "counted");
        Response reg = AgentCalls.register(token.token());
        assertEquals(200, reg.statusCode(), reg.asString());
        String key = reg.jsonPath().getString("apiKey");
        assignTestNetworks(client, ns, "counted", key);

        Scrape before = scrape();
        double open = before.value("mipo_findings_total", "state=\"open\"").orElseThrow(() -> new AssertionError(before.linesOf("mipo_findings")));
        double closed = before.value("mipo_findings_total", "state=\"closed\"").orElseThrow();
        Response ok = results(key, List.of(finding("192.0.2.10", 22, "open"), finding("192.0.2.10", 80, "open"),
                finding("192.0.2.11", 25, "closed")));
        assertEquals(202, ok.statusCode(), ok.asString());
        // a refused batch counts nothing
        Response bad = results(key, List.of(finding("192.0.2.12", 22, "open"), finding("192.0.2.12", 70000, "open")));
        assertEquals(400, bad.statusCode(), bad.asString());

        Scrape after = scrape();
        assertEquals(open + 2, after.value("mipo_findings_total", "state=\"open\"").orElseThrow(), after.linesOf("mipo_findings"));
        assertEquals(closed + 1, after.value("mipo_findings_total", "state=\"closed\"").orElseThrow(), after.linesOf("mipo_findings"));
        assertEquals("counter", after.types().get("mipo_findings"), after.linesOf("mipo_findings"));
    }

    @Test
    void theOperatorSdkReconciliationMetricsCarryTheMipoPrefix() {
        String ns = TestResources.freshNamespace(client);
        client.resource(TestResources.scanner(ns, "reconciled", null)).create();
        TestResources.awaitStatus(client, ns, "reconciled", sc -> sc.getStatus() != null && sc.getStatus().getPhase() != null);
        await().atMost(Duration.ofSeconds(20)).until(() -> scrape()
                .value("mipo_reconciliations_success_total", "controller_name=\"scanner\"").orElse(0.0) > 0);
        Scrape s = scrape();
        for (String name : List.of("mipo_reconciliations_started_total", "mipo_reconciliations_success_total",
                "mipo_reconciliations_failure_total", "mipo_reconciliations_retries_total", "mipo_reconciliations_active",
                "mipo_reconciliations_queue", "mipo_custom_resources", "mipo_reconciliations_execution_duration_seconds_count",
                "mipo_reconciliations_execution_duration_seconds_bucket", "mipo_events_received_total")) {
            assertTrue(s.sampleNames().contains(name), name + " is not exported:\n" + s.linesOf("mipo_reconciliations") + s.linesOf("mipo_events"));
        }
        for (String controller : List.of("scanner", "scannerbinding", "scannergroup")) {
            assertTrue(s.value("mipo_reconciliations_failure_total", "controller_name=\"" + controller + "\"").isPresent(),
                    "failures of " + controller + " are counted from zero:\n" + s.linesOf("mipo_reconciliations_failure"));
        }
        List<String> unprefixed = s.sampleNames().stream()
                .filter(n -> n.startsWith("reconciliations_") || n.startsWith("custom_resources") || n.startsWith("events_received")).toList();
        assertEquals(List.of(), unprefixed, "the SDK's metrics are exported only under mipo_");
    }

    @Test
    void docsMetricsMdListsExactlyTheMetricsOfTheScrape() throws IOException {
        // every meter exists once something has happened: a scanner reconciled, an agent registered and heartbeating
        String ns = TestResources.freshNamespace(client);
        CredentialService.IssuedToken token = CredentialFixtures.createWithToken(client, credentials, ns, "documented");
        Response reg = AgentCalls.register(token.token());
        assertEquals(200, reg.statusCode(), reg.asString());
        assertEquals(200, AgentCalls.heartbeat(reg.jsonPath().getString("apiKey")).statusCode());
        TestResources.awaitStatus(client, ns, "documented", sc -> sc.getStatus() != null && "Active".equals(String.valueOf(sc.getStatus().getPhase())));
        Scrape s = scrape();
        Files.writeString(Path.of("target", "metrics-scrape.txt"), s.text());

        MetricsDoc doc = MetricsDoc.read();
        List<String> problems = new ArrayList<>();
        Map<String, String> mipo = new TreeMap<>();
        s.types().forEach((family, type) -> {
            // the exposition names a counter's family without _total, its sample with it; the doc names the sample
            String name = type.equals("counter") ? family + "_total" : family;
            if (name.startsWith("mipo_")) {
                mipo.put(name, type);
            } else if (doc.families().stream().noneMatch(name::startsWith)) {
                problems.add("exported but not in docs/metrics.md (no family prefix covers it): " + name + " (" + type + ")");
            }
        });
        mipo.forEach((name, type) -> {
            String documented = doc.metrics().get(name);
            if (documented == null) {
                problems.add("exported but not in docs/metrics.md: " + name + " (" + type + ")");
            } else if (!documented.equals(type)) {
                problems.add("docs/metrics.md says " + name + " is a " + documented + ", the scrape says " + type);
            }
        });
        doc.metrics().keySet().stream().filter(n -> !mipo.containsKey(n))
                .forEach(n -> problems.add("in docs/metrics.md but not exported: " + n));
        assertEquals(List.of(), problems, "docs/metrics.md against the scrape (saved in operator/target/metrics-scrape.txt)");
    }

    @Test
    void everyDashboardQueryAndAlertReadsMetricsTheOperatorExports() throws IOException {
        Set<String> exported = scrape().sampleNames();
        Path chart = TestResources.projectRoot().resolve("helm/mipo-scanner-operator/files");

        JsonNode dashboard = new ObjectMapper().readTree(chart.resolve("grafana-dashboard.json").toFile());
        List<String> exprs = new ArrayList<>();
        dashboard.findValues("expr").forEach(e -> exprs.add(e.asText()));
        assertTrue(exprs.size() >= 10, "the dashboard has its queries: " + exprs);
        Set<String> dashboardMetrics = new TreeSet<>();
        for (String e : exprs) {
            Set<String> names = PromQl.metricNames(e);
            assertTrue(!names.isEmpty(), "no metric found in dashboard query " + e);
            dashboardMetrics.addAll(names);
        }
        Set<String> missing = new TreeSet<>(dashboardMetrics);
        missing.removeAll(exported);
        assertEquals(Set.of(), missing, "dashboard queries name metrics /q/metrics does not have; it has " + exported);
        for (String panel : List.of("mipo_scanners", "mipo_heartbeats_total", "mipo_registrations_total", "mipo_binding_mismatches_total",
                "mipo_kubernetes_writes_total", "mipo_reconciliations_started_total", "mipo_findings_total")) {
            assertTrue(dashboardMetrics.contains(panel), "the dashboard shows " + panel + ": " + dashboardMetrics);
        }

        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(chart.resolve("prometheus-rules.yaml").toFile());
        Set<String> ruleMetrics = new TreeSet<>();
        rules.findValues("expr").forEach(e -> ruleMetrics.addAll(PromQl.metricNames(e.asText())));
        Set<String> missingInRules = new TreeSet<>(ruleMetrics);
        missingInRules.removeAll(exported);
        assertEquals(Set.of(), missingInRules, "alert rules name metrics /q/metrics does not have");
        assertTrue(ruleMetrics.size() >= 7, ruleMetrics.toString());
    }

    static Map<String, Object> finding(String ip, int port, String state) {
        return Map.of("ip", ip, "port", port, "state", state, "observedAt", "2024-05-01T12:00:00Z");
    }

    /**
     * Findings are taken only for targets assigned to the scanner: a group assigns it the test
     * networks (192.0.2.0/24, 198.51.100.0/24, every port), and this waits until the agent sees them.
     */
    static void assignTestNetworks(KubernetesClient client, String ns, String scanner, String key) {
        TestResources.modify(client, Scanner.class, ns, scanner, s -> {
            Map<String, String> labels = s.getMetadata().getLabels() == null ? new java.util.HashMap<>()
                    : new java.util.HashMap<>(s.getMetadata().getLabels());
            labels.put("findings-test", scanner);
            s.getMetadata().setLabels(labels);
        });
        io.mipo.operator.model.ScannerGroup g = new io.mipo.operator.model.ScannerGroup();
        g.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withNamespace(ns).withName(scanner + "-networks").build());
        io.mipo.operator.model.ScannerGroupSpec spec = new io.mipo.operator.model.ScannerGroupSpec();
        spec.setSelector(new io.fabric8.kubernetes.api.model.LabelSelectorBuilder().withMatchLabels(Map.of("findings-test", scanner)).build());
        List<io.mipo.operator.model.GroupTarget> targets = new ArrayList<>();
        for (String subnet : List.of("192.0.2.0/24", "198.51.100.0/24")) {
            io.mipo.operator.model.GroupTarget t = new io.mipo.operator.model.GroupTarget();
            t.setSubnet(subnet);
            t.setPorts("1-65535");
            targets.add(t);
        }
        spec.setTargets(targets);
        g.setSpec(spec);
        client.resource(g).create();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Response a = RestAssured.given().header("Authorization", "Bearer " + key).get("/scanner/assignments");
            assertEquals(2, a.jsonPath().getList("assignments").size(), a.asString());
        });
    }

    static Response results(String key, List<Map<String, Object>> findings) {
        return RestAssured.given().contentType(ContentType.JSON).header("Authorization", "Bearer " + key)
                .body(Map.of("findings", findings)).post("/scanner/results");
    }
}
