package io.mipo.operator.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Files generated from the chart and committed, so that they can be read without Helm:
 * <ul>
 * <li>{@code helm/mipo-scanner-operator/README.md} ({@code helm show readme}): README.tmpl.md with
 * its {@code {{VALUES_TABLE}}} replaced by a table of every value, its type, default and the
 * {@code # --} comment above it in values.yaml;</li>
 * <li>{@code deploy/install.yaml}: the chart rendered with its defaults for {@code kubectl apply}
 * (the CRDs, a Namespace, and the release {@value #INSTALL_RELEASE} in {@value #INSTALL_NAMESPACE}).</li>
 * </ul>
 * {@link ChartArtifactsTest} fails when a committed file differs from what this generates;
 * {@code -DupdateChartArtifacts=true} on that test (or this class's main) writes them.
 */
public final class ChartArtifacts {
    public static final String INSTALL_RELEASE = "mipo-scanner-operator";
    public static final String INSTALL_NAMESPACE = "mipo-system";
    /** The placeholder public URL deploy/install.yaml is rendered with; users replace it. */
    public static final String INSTALL_PUBLIC_URL = "https://mipo.example.com";
    static final String PLACEHOLDER = "{{VALUES_TABLE}}";
    private static final Pattern KEY = Pattern.compile("^(\\s*)([A-Za-z0-9_.\\-]+):(.*)$");

    private ChartArtifacts() {
    }

    public static void main(String[] args) throws IOException {
        write();
    }

    static Path readmeFile() {
        return RenderedChart.chartDir().resolve("README.md");
    }

    static Path installFile() {
        return RenderedChart.chartDir().getParent().getParent().resolve("deploy").resolve("install.yaml");
    }

    static void write() throws IOException {
        Files.writeString(readmeFile(), readme(), StandardCharsets.UTF_8);
        Files.createDirectories(installFile().getParent());
        Files.writeString(installFile(), installManifest(), StandardCharsets.UTF_8);
    }

    // ---- README ----

    static String readme() throws IOException {
        Path chart = RenderedChart.chartDir();
        String template = Files.readString(chart.resolve("README.tmpl.md"));
        if (!template.contains(PLACEHOLDER)) {
            throw new IllegalStateException("README.tmpl.md has no " + PLACEHOLDER);
        }
        JsonNode chartYaml = new ObjectMapper(new YAMLFactory()).readTree(chart.resolve("Chart.yaml").toFile());
        return template.replace(PLACEHOLDER, valuesTable(Files.readString(chart.resolve("values.yaml"))))
                .replace("{{VERSION}}", chartYaml.path("version").asText())
                .replace("{{APP_VERSION}}", chartYaml.path("appVersion").asText());
    }

    /** The {@code # --} comments of values.yaml by dotted key (the comment block right above a key). */
    static Map<String, String> descriptions(String valuesYaml) {
        Map<String, String> out = new LinkedHashMap<>();
        Deque<int[]> indents = new ArrayDeque<>();
        Deque<String> path = new ArrayDeque<>();
        StringBuilder pending = null;
        for (String line : valuesYaml.split("\n")) {
            String t = line.strip();
            if (t.startsWith("# --")) {
                pending = new StringBuilder(t.substring(4).strip());
                continue;
            }
            if (t.startsWith("#")) {
                if (pending != null && !t.substring(1).isBlank()) {
                    pending.append(' ').append(t.substring(1).strip());
                }
                continue;
            }
            Matcher m = KEY.matcher(line);
            if (t.isEmpty() || t.startsWith("-") || !m.matches()) {
                if (!t.isEmpty()) {
                    pending = null;
                }
                continue;
            }
            int indent = m.group(1).length();
            while (!indents.isEmpty() && indents.peek()[0] >= indent) {
                indents.pop();
                path.pop();
            }
            indents.push(new int[] {indent});
            path.push(m.group(2));
            if (pending != null) {
                List<String> keys = new ArrayList<>(path);
                java.util.Collections.reverse(keys);
                out.put(String.join(".", keys), pending.toString());
                pending = null;
            }
        }
        return out;
    }

    static String valuesTable(String valuesYaml) throws IOException {
        JsonNode values = new ObjectMapper(new YAMLFactory()).readTree(valuesYaml);
        Map<String, String> docs = descriptions(valuesYaml);
        StringBuilder b = new StringBuilder("| key | type | default | description |\n|---|---|---|---|\n");
        rows("", values, docs, b);
        return b.toString();
    }

    private static void rows(String prefix, JsonNode node, Map<String, String> docs, StringBuilder b) throws IOException {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            JsonNode v = e.getValue();
            String doc = docs.getOrDefault(key, "");
            // an object described as a whole (resources, securityContext) is one row with its default
            boolean nested = v.isObject() && !v.isEmpty()
                    && (doc.isEmpty() || docs.keySet().stream().anyMatch(k -> k.startsWith(key + ".")));
            if (!nested || !doc.isEmpty()) {
                b.append("| `").append(key).append("` | ").append(type(v)).append(" | ")
                        .append(nested ? "" : "`" + new ObjectMapper().writeValueAsString(v).replace("|", "\\|") + "`")
                        .append(" | ").append(doc.replace("|", "\\|")).append(" |\n");
            }
            if (nested) {
                rows(key, v, docs, b);
            }
        }
    }

    private static String type(JsonNode v) {
        if (v.isObject()) {
            return "object";
        }
        if (v.isArray()) {
            return "list";
        }
        if (v.isBoolean()) {
            return "bool";
        }
        if (v.isIntegralNumber()) {
            return "int";
        }
        if (v.isNumber()) {
            return "number";
        }
        return "string";
    }

    // ---- deploy/install.yaml ----

    static String installManifest() throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("# The mipo Scanner Operator for kubectl apply: the Helm chart helm/mipo-scanner-operator rendered\n")
                .append("# with its default values as release ").append(INSTALL_RELEASE).append(" in namespace ").append(INSTALL_NAMESPACE)
                .append(".\n# Generated by ChartArtifacts (ChartArtifactsTest checks it); do not edit: change the chart.\n")
                .append("#   kubectl apply --server-side -f deploy/install.yaml\n")
                .append("# publicUrl is ").append(INSTALL_PUBLIC_URL).append(": replace it (MIPO_PUBLIC_URL) with the https:// address scanner hosts reach.\n")
                .append("# For other settings install the chart with Helm, or edit a copy (docs/operations.md).\n");
        List<Path> crds;
        try (Stream<Path> files = Files.list(RenderedChart.chartDir().resolve("crds"))) {
            crds = files.sorted().toList();
        }
        for (Path crd : crds) {
            b.append("---\n").append(strip(Files.readString(crd)));
        }
        b.append("---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ").append(INSTALL_NAMESPACE)
                .append("\n  labels:\n    app.kubernetes.io/part-of: mipo\n");
        String rendered = new Helm(RenderedChart.chartDir()).template()
                .withName(INSTALL_RELEASE)
                .withNamespace(INSTALL_NAMESPACE)
                .withKubeVersion("1.30.0")
                .set("publicUrl", INSTALL_PUBLIC_URL)
                .skipCrds()
                .call();
        for (String doc : rendered.split("(?m)^---\\s*$")) {
            String d = strip(doc);
            if (d.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
                continue;
            }
            b.append("---\n").append(d);
        }
        return b.toString();
    }

    private static String strip(String doc) {
        String s = doc.strip();
        return s.isEmpty() ? "" : s + "\n";
    }
}
