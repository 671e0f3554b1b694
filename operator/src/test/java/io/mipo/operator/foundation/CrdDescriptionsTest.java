package io.mipo.operator.foundation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mipo.operator.testing.TestResources;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The committed CRDs are the reference {@code kubectl explain} shows: every kind and every field
 * has a description; the kinds are in the {@code mipo} category ({@code kubectl get mipo});
 * {@code -o wide} adds columns; conditions have the standard Kubernetes schema.
 */
class CrdDescriptionsTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void everyKindAndEveryFieldIsDescribed() throws IOException {
        List<String> missing = new ArrayList<>();
        int total = 0;
        for (String file : TestResources.CRD_FILES) {
            JsonNode crd = crd(file);
            String kind = crd.at("/spec/names/kind").asText();
            for (JsonNode version : crd.at("/spec/versions")) {
                JsonNode root = version.at("/schema/openAPIV3Schema");
                if (root.path("description").asText().isBlank()) {
                    missing.add(kind + " (the kind)");
                }
                total += walk(kind, root, missing);
            }
        }
        assertTrue(total > 100, "only " + total + " properties found: is the schema where the test looks?");
        assertEquals(List.of(), missing, missing.size() + " of " + total + " properties have no description (add "
                + "@JsonPropertyDescription in io.mipo.operator.model, or a description in kube.CrdConventions for "
                + "Kubernetes types, then regenerate crds/)");
    }

    private static int walk(String path, JsonNode schema, List<String> missing) {
        int count = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            String at = path + "." + p.getKey();
            count++;
            if (p.getValue().path("description").asText().isBlank()) {
                missing.add(at);
            }
            count += walk(at, p.getValue(), missing);
        }
        if (schema.has("items")) {
            count += walk(path + "[]", schema.get("items"), missing);
        }
        if (schema.has("additionalProperties") && schema.get("additionalProperties").isObject()) {
            count += walk(path + "{}", schema.get("additionalProperties"), missing);
        }
        return count;
    }

    @Test
    void everyKindIsInTheMipoCategory() throws IOException {
        for (String file : TestResources.CRD_FILES) {
            JsonNode categories = crd(file).at("/spec/names/categories");
            assertTrue(categories.isArray() && categories.toString().contains("\"mipo\""), file + ": categories " + categories);
        }
    }

    @Test
    void wideOutputAddsModeAgentVersionAndHostAfterTheDefaultColumns() throws IOException {
        JsonNode columns = crd("scanners.mipo.io-v1.yml").at("/spec/versions/0/additionalPrinterColumns");
        List<String> normal = new ArrayList<>();
        List<String> wide = new ArrayList<>();
        for (JsonNode c : columns) {
            (c.path("priority").asInt(0) == 0 ? normal : wide).add(c.path("name").asText() + "=" + c.path("jsonPath").asText());
        }
        assertEquals(List.of("DISPLAY=.spec.displayName", "STATUS=.status.phase", "BINDING=.status.binding", "RATE=.spec.rateLimit",
                "LAST-HEARTBEAT=.status.lastHeartbeatTime", "AGE=.metadata.creationTimestamp"), normal, "kubectl get scanners");
        assertEquals(List.of("MODE=.spec.deployment.mode", "AGENT-VERSION=.status.agent.version", "HOST=.status.agent.hostname",
                        "OUTDATED=.status.conditions[?(@.type==\"AgentOutdated\")].status"),
                wide, "the extra columns of kubectl get scanners -o wide");
    }

    @Test
    void conditionsHaveTheStandardSchema() throws IOException {
        for (String file : TestResources.CRD_FILES) {
            JsonNode conditions = crd(file).at("/spec/versions/0/schema/openAPIV3Schema/properties/status/properties/conditions");
            assertFalse(conditions.isMissingNode(), file + " has no status.conditions");
            assertEquals("map", conditions.path("x-kubernetes-list-type").asText(), file + ": " + conditions);
            assertEquals("[\"type\"]", conditions.path("x-kubernetes-list-map-keys").toString(), file);
            JsonNode item = conditions.path("items");
            assertEquals("[\"type\",\"status\"]", item.path("required").toString(), file);
            assertEquals("[\"True\",\"False\",\"Unknown\"]", item.at("/properties/status/enum").toString(), file);
            assertEquals("date-time", item.at("/properties/lastTransitionTime/format").asText(), file);
            for (String field : List.of("type", "status", "reason", "message", "lastTransitionTime", "observedGeneration")) {
                assertFalse(item.at("/properties/" + field).isMissingNode(), file + " conditions lack " + field);
            }
        }
    }

    private static JsonNode crd(String file) throws IOException {
        return YAML.readTree(TestResources.projectRoot().resolve("crds").resolve(file).toFile());
    }
}
