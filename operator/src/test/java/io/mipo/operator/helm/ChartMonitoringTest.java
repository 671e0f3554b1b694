package io.mipo.operator.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chart's monitoring and logging options: PrometheusRule, Grafana dashboard, log format, findings sink. */
class ChartMonitoringTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static Map<String, EnvVar> env(RenderedChart chart) {
        Container c = ChartConfigWiringTest.operatorContainer(chart);
        return c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
    }

    @Test
    void byDefaultNoRuleNoDashboardTextLogsAndFindingsOnStdout() {
        RenderedChart chart = RenderedChart.render("");
        assertTrue(chart.all(GenericKubernetesResource.class).isEmpty(), chart.summary());
        assertTrue(chart.all(ConfigMap.class).isEmpty(), chart.summary());
        Map<String, EnvVar> env = env(chart);
        assertEquals("false", env.get("QUARKUS_LOG_CONSOLE_JSON_ENABLED").getValue());
        assertEquals("INFO", env.get("QUARKUS_LOG_CATEGORY__IO_MIPO__LEVEL").getValue());
        assertEquals("stdout", env.get("MIPO_RESULTS_SINK").getValue());
        assertTrue(!env.containsKey("MIPO_RESULTS_FILE"), env.keySet().toString());
    }

    @Test
    void thePrometheusRuleCarriesTheRuleFileThatPromtoolTests() throws IOException {
        RenderedChart chart = RenderedChart.render("prometheusRule:\n  enabled: true\n  labels:\n    release: prometheus\n");
        GenericKubernetesResource rule = chart.all(GenericKubernetesResource.class).stream()
                .filter(g -> g.getKind().equals("PrometheusRule")).findFirst().orElseThrow(() -> new AssertionError(chart.summary()));
        assertEquals("monitoring.coreos.com/v1", rule.getApiVersion());
        assertEquals(RenderedChart.NAMESPACE, rule.getMetadata().getNamespace());
        assertEquals("prometheus", rule.getMetadata().getLabels().get("release"));
        JsonNode spec = JSON.valueToTree(rule.getAdditionalProperties().get("spec"));
        JsonNode file = YAML.readTree(PrometheusRulesFile.read());
        assertEquals(file, spec, "the PrometheusRule's spec is files/prometheus-rules.yaml, unchanged");
        assertEquals(8, spec.path("groups").path(0).path("rules").size(), spec.toPrettyString());
        assertTrue(spec.toString().contains("{{ $value"), "alert templates reach Prometheus untouched by Helm");
    }

    @Test
    void theDashboardConfigMapIsLabelledForTheSidecarAndHoldsTheDashboard() throws IOException {
        RenderedChart chart = RenderedChart.render("grafanaDashboard:\n  enabled: true\n  namespace: monitoring\n  annotations:\n    grafana_folder: mipo\n");
        ConfigMap cm = chart.all(ConfigMap.class).stream().findFirst().orElseThrow(() -> new AssertionError(chart.summary()));
        ChartTest.assertNoUnknownFields(cm, "dashboard ConfigMap");
        assertEquals("1", cm.getMetadata().getLabels().get("grafana_dashboard"));
        assertEquals("monitoring", cm.getMetadata().getNamespace());
        assertEquals("mipo", cm.getMetadata().getAnnotations().get("grafana_folder"));
        String json = cm.getData().get("mipo-scanner-operator.json");
        assertNotNull(json, cm.getData().keySet().toString());
        assertEquals(JSON.readTree(RenderedChart.chartDir().resolve("files/grafana-dashboard.json").toFile()), JSON.readTree(json));
        assertEquals("mipo-scanner-operator", JSON.readTree(json).path("uid").asText());
    }

    @Test
    void jsonLogsAndAFindingsFileOnItsVolume() {
        RenderedChart chart = RenderedChart.render("""
                logging:
                  format: json
                  level: DEBUG
                findings:
                  sink: file
                  volume:
                    persistentVolumeClaim:
                      claimName: mipo-findings
                """);
        Map<String, EnvVar> env = env(chart);
        assertEquals("true", env.get("QUARKUS_LOG_CONSOLE_JSON_ENABLED").getValue());
        assertEquals("DEBUG", env.get("QUARKUS_LOG_CATEGORY__IO_MIPO__LEVEL").getValue());
        assertEquals("file", env.get("MIPO_RESULTS_SINK").getValue());
        assertEquals("/var/lib/mipo/findings/findings.jsonl", env.get("MIPO_RESULTS_FILE").getValue());
        Container c = ChartConfigWiringTest.operatorContainer(chart);
        assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getName().equals("findings") && m.getMountPath().equals("/var/lib/mipo/findings")
                && !Boolean.TRUE.equals(m.getReadOnly())), c.getVolumeMounts().toString());
        Volume v = chart.get(Deployment.class, ChartTest.NAME).getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(x -> x.getName().equals("findings")).findFirst().orElseThrow();
        assertEquals("mipo-findings", v.getPersistentVolumeClaim().getClaimName());

        RenderedChart emptyDir = RenderedChart.render("findings:\n  sink: file\n");
        Volume scratch = emptyDir.get(Deployment.class, ChartTest.NAME).getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(x -> x.getName().equals("findings")).findFirst().orElseThrow();
        assertNotNull(scratch.getEmptyDir(), "without a volume the file sink writes to an emptyDir");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "logging:\n  format: xml",
            "logging:\n  level: verbose",
            "findings:\n  sink: s3",
            "prometheusRule:\n  enabled: yes please",
            "grafanaDashboard:\n  enabel: true",
            "grafanaDashboard:\n  namespace: Monitoring_NS",
    })
    void schemaRejectsBadMonitoringValues(String values) {
        Exception e = assertThrows(Exception.class, () -> RenderedChart.template(values + "\n").call(), "accepted: " + values);
        assertTrue(e.getMessage().contains("schema"), "expected a schema error for '" + values + "', got: " + e.getMessage());
    }

    /** The rule file as the chart ships it. */
    static final class PrometheusRulesFile {
        static String read() throws IOException {
            return Files.readString(RenderedChart.chartDir().resolve("files/prometheus-rules.yaml"));
        }
    }
}
