package io.mipo.operator.helm;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chart README and deploy/install.yaml are generated from the chart (ChartArtifacts) and
 * must match it. To regenerate both:
 * {@code mvn -o -B test -pl operator -Dtest=ChartArtifactsTest -DupdateChartArtifacts=true}.
 */
class ChartArtifactsTest {
    static final String HOW = "regenerate with: mvn -o -B test -pl operator -Dtest=ChartArtifactsTest -DupdateChartArtifacts=true";

    static boolean update() {
        return Boolean.getBoolean("updateChartArtifacts");
    }

    @Test
    void theChartReadmeIsGeneratedFromTheValuesComments() throws IOException {
        String expected = ChartArtifacts.readme();
        if (update()) {
            Files.writeString(ChartArtifacts.readmeFile(), expected);
        }
        Path committed = ChartArtifacts.readmeFile();
        assertTrue(Files.exists(committed), committed + " is missing; " + HOW);
        assertEquals(expected, Files.readString(committed), "helm/mipo-scanner-operator/README.md differs from the chart; " + HOW);
    }

    @Test
    void theReadmeDocumentsEveryValueWithItsComment() throws IOException {
        String readme = ChartArtifacts.readme();
        String values = Files.readString(RenderedChart.chartDir().resolve("values.yaml"));
        Map<String, String> docs = ChartArtifacts.descriptions(values);
        List<String> undocumented = readme.lines().filter(l -> l.startsWith("| `") && l.endsWith("|  |")).toList();
        assertEquals(List.of(), undocumented, "every value has a # -- comment in values.yaml");
        assertEquals("Log line format: text (date, level, category, thread, and [Kind namespace/name] on lines "
                + "written while a resource is reconciled) or json (one JSON object per line, for log shippers).", docs.get("logging.format"));
        for (String key : List.of("replicas", "image.repository", "liveness.offlineAfter", "asn.database.configMap.key",
                "prometheusRule.enabled", "grafanaDashboard.enabled", "logging.format", "findings.sink", "serviceMonitor.enabled")) {
            assertTrue(readme.contains("| `" + key + "` |"), "README lists " + key);
        }
        assertTrue(readme.contains("| `replicas` | int | `2` | Operator pods."), readme);
        assertTrue(readme.contains("| `logging.format` | string | `\"text\"` | Log line format"), readme);
        assertTrue(!readme.contains(ChartArtifacts.PLACEHOLDER), "the placeholder is replaced");
    }

    @Test
    void helmShowReadmeShowsIt() {
        String shown = new Helm(RenderedChart.chartDir()).show().readme().call();
        assertTrue(shown.contains("# mipo-scanner-operator") && shown.contains("| `replicas` |"), shown);
    }

    @Test
    void installYamlIsTheChartRenderedWithItsDefaults() throws IOException {
        String expected = ChartArtifacts.installManifest();
        if (update()) {
            Files.createDirectories(ChartArtifacts.installFile().getParent());
            Files.writeString(ChartArtifacts.installFile(), expected);
        }
        Path committed = ChartArtifacts.installFile();
        assertTrue(Files.exists(committed), committed + " is missing; " + HOW);
        assertEquals(expected, Files.readString(committed), "deploy/install.yaml differs from the chart; " + HOW);
    }

    @Test
    void installYamlHoldsTheCrdsANamespaceAndTheOperatorInIt() throws IOException {
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : Files.readString(ChartArtifacts.installFile()).split("(?m)^---\\s*$")) {
            if (doc.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
                continue;
            }
            KubernetesResource parsed = Serialization.unmarshal(doc);
            assertTrue(parsed instanceof HasMetadata, "not a Kubernetes object:\n" + doc);
            objects.add((HasMetadata) parsed);
        }
        assertEquals(Set.of("scanners.mipo.io", "scannerbindings.mipo.io", "scannergroups.mipo.io"), objects.stream()
                .filter(o -> o instanceof CustomResourceDefinition).map(o -> o.getMetadata().getName()).collect(Collectors.toSet()));
        assertTrue(objects.stream().anyMatch(o -> o instanceof Namespace && o.getMetadata().getName().equals(ChartArtifacts.INSTALL_NAMESPACE)));
        int namespaceAt = indexOf(objects, Namespace.class);
        Deployment d = objects.stream().filter(o -> o instanceof Deployment).map(o -> (Deployment) o).findFirst().orElseThrow();
        assertEquals(ChartArtifacts.INSTALL_RELEASE, d.getMetadata().getName());
        assertEquals(ChartArtifacts.INSTALL_NAMESPACE, d.getMetadata().getNamespace());
        for (int i = 0; i < objects.size(); i++) {
            HasMetadata o = objects.get(i);
            if (o.getMetadata().getNamespace() != null) {
                assertEquals(ChartArtifacts.INSTALL_NAMESPACE, o.getMetadata().getNamespace(), o.getKind() + "/" + o.getMetadata().getName());
                assertTrue(i > namespaceAt, "the Namespace comes before " + o.getKind() + "/" + o.getMetadata().getName());
            }
        }
    }

    private static int indexOf(List<HasMetadata> objects, Class<?> type) {
        for (int i = 0; i < objects.size(); i++) {
            if (type.isInstance(objects.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
