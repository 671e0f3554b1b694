package io.mipo.operator.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mipo.operator.testing.TestResources;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The chart rendered by the embedded Helm ({@code helm template}) with given values, split into
 * documents and parsed with the fabric8 model. Rendering is offline: the chart has no dependencies.
 */
public record RenderedChart(String yaml, List<HasMetadata> objects) {
    public static final String RELEASE = "mipo";
    public static final String NAMESPACE = "mipo-system";
    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

    public static Path chartDir() {
        return TestResources.projectRoot().resolve("helm").resolve("mipo-scanner-operator");
    }

    /** Renders the chart with the given values (YAML, may be empty) layered over values.yaml. */
    public static RenderedChart render(String valuesYaml) {
        return parse(template(valuesYaml).call());
    }

    /** The publicUrl tests render with unless they set their own: the chart refuses to install without one. */
    public static final String PUBLIC_URL = "https://mipo.example.com";

    /** The template command, for tests that expect it to fail. */
    public static TemplateCommand template(String valuesYaml) {
        String values = valuesYaml == null ? "" : valuesYaml;
        if (!values.contains("publicUrl:")) {
            values = "publicUrl: " + PUBLIC_URL + "\n" + values;
        }
        return templateExactly(values);
    }

    /** The template command with exactly these values over values.yaml (no default publicUrl). */
    public static TemplateCommand templateExactly(String valuesYaml) {
        TemplateCommand command = new Helm(chartDir()).template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion("1.30.0");
        if (valuesYaml != null && !valuesYaml.isBlank()) {
            command = command.withValuesFile(writeValues(valuesYaml));
        }
        return command;
    }

    static RenderedChart parse(String yaml) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : DOCUMENT_SEPARATOR.split(yaml)) {
            if (doc.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
                continue;
            }
            KubernetesResource parsed = Serialization.unmarshal(doc);
            if (!(parsed instanceof HasMetadata object)) {
                throw new AssertionError("rendered document is not a Kubernetes object (" + parsed + "):\n" + doc);
            }
            objects.add(object);
        }
        return new RenderedChart(yaml, List.copyOf(objects));
    }

    private static Path writeValues(String valuesYaml) {
        try {
            Path file = Files.createTempFile("mipo-values-", ".yaml");
            file.toFile().deleteOnExit();
            return Files.writeString(file, valuesYaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    public <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return all(type).stream().filter(o -> Objects.equals(name, o.getMetadata().getName())).findFirst();
    }

    public <T extends HasMetadata> T get(Class<T> type, String name) {
        return find(type, name).orElseThrow(() -> new AssertionError(
                "no " + type.getSimpleName() + " named " + name + " rendered; rendered: " + summary()));
    }

    /** kind/namespace/name of every rendered object, for failure messages. */
    public String summary() {
        return objects.stream()
                .map(o -> o.getKind() + "/" + (o.getMetadata().getNamespace() == null ? "" : o.getMetadata().getNamespace() + "/")
                        + o.getMetadata().getName())
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
