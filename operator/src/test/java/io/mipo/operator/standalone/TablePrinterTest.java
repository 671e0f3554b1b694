package io.mipo.operator.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TablePrinterTest {
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");

    static JsonNode crd(String file) throws IOException {
        Path p = Path.of("").toAbsolutePath();
        Path root = Files.exists(p.resolve("crds")) ? p : p.getParent();
        String yaml = Files.readString(root.resolve("crds").resolve(file));
        return Json.MAPPER.valueToTree(Serialization.unmarshal(yaml,
                io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition.class));
    }

    private static List<String> names(JsonNode table) {
        List<String> names = new ArrayList<>();
        table.path("columnDefinitions").forEach(c -> names.add(c.path("name").asText()));
        return names;
    }

    @Test
    void scannerTableHasNameThenTheCrdColumnsInTheirOrder() throws IOException {
        JsonNode crd = crd("scanners.mipo.io-v1.yml");
        ResourceType type = ResourceType.fromCrd(crd).get(0);
        List<String> expected = new ArrayList<>(List.of("Name"));
        crd.path("spec").path("versions").get(0).path("additionalPrinterColumns")
                .forEach(c -> expected.add(c.path("name").asText()));

        JsonNode list = Json.read("""
                {"kind": "List", "metadata": {"resourceVersion": "42"}, "items": [
                  {"metadata": {"name": "edge-1", "namespace": "default", "uid": "u1",
                                "creationTimestamp": "2024-05-01T11:55:00Z"},
                   "spec": {"displayName": "Edge", "rateLimit": 100},
                   "status": {"phase": "Active", "binding": "ip 10.0.0.1", "lastHeartbeatTime": "2024-05-01T11:59:30Z"}},
                  {"metadata": {"name": "edge-2", "namespace": "default", "creationTimestamp": "2024-04-20T12:00:00Z"},
                   "spec": {"displayName": "Two"}}]}
                """);
        ObjectNode table = TablePrinter.table(type, list, TablePrinter.RowObject.METADATA, NOW);

        assertEquals("Table", table.path("kind").asText());
        assertEquals("meta.k8s.io/v1", table.path("apiVersion").asText());
        assertEquals("42", table.path("metadata").path("resourceVersion").asText());
        assertEquals(expected, names(table));
        assertTrue(expected.containsAll(List.of("DISPLAY", "STATUS", "BINDING", "RATE", "LAST-HEARTBEAT", "AGE")), expected.toString());
        assertEquals("name", table.path("columnDefinitions").get(0).path("format").asText());

        JsonNode first = table.path("rows").get(0);
        List<String> cells = new ArrayList<>();
        first.path("cells").forEach(c -> cells.add(c.isNull() ? null : c.asText()));
        assertEquals("edge-1", cells.get(expected.indexOf("Name")), table.toPrettyString());
        assertEquals("Edge", cells.get(expected.indexOf("DISPLAY")));
        assertEquals("Active", cells.get(expected.indexOf("STATUS")));
        assertEquals("ip 10.0.0.1", cells.get(expected.indexOf("BINDING")));
        assertEquals("100", cells.get(expected.indexOf("RATE")));
        assertTrue(first.path("cells").get(expected.indexOf("RATE")).isIntegralNumber());
        assertEquals("30s", cells.get(expected.indexOf("LAST-HEARTBEAT")));
        assertEquals("5m", cells.get(expected.indexOf("AGE")));
        assertEquals("PartialObjectMetadata", first.path("object").path("kind").asText());
        assertEquals("u1", first.path("object").path("metadata").path("uid").asText());

        JsonNode second = table.path("rows").get(1).path("cells");
        assertTrue(second.get(expected.indexOf("STATUS")).isNull(), "a missing value is an empty cell: " + second);
        assertTrue(second.get(expected.indexOf("RATE")).isNull());
        assertEquals("11d", second.get(expected.indexOf("AGE")).asText());
    }

    @Test
    void readyColumnReadsTheReadyCondition() throws IOException {
        ResourceType type = ResourceType.fromCrd(crd("scannerbindings.mipo.io-v1.yml")).get(0);
        JsonNode binding = Json.read("""
                {"metadata": {"name": "b", "creationTimestamp": "2024-05-01T09:00:00Z"},
                 "spec": {"mode": "ip"},
                 "status": {"mismatchCount": 2, "conditions": [
                   {"type": "Valid", "status": "True"}, {"type": "Ready", "status": "False"}]}}
                """);
        JsonNode table = TablePrinter.table(type, binding, TablePrinter.RowObject.NONE, NOW);
        List<String> columns = names(table);
        JsonNode cells = table.path("rows").get(0).path("cells");
        assertEquals("False", cells.get(columns.indexOf("READY")).asText(), table.toPrettyString());
        assertEquals(2, cells.get(columns.indexOf("MISMATCHES")).asInt());
        assertEquals("3h", cells.get(columns.indexOf("AGE")).asText());
        assertTrue(table.path("rows").get(0).path("object").isMissingNode(), "includeObject=None");
    }

    @Test
    void cellsAreTypedAsKubeApiserverTypesThem() {
        assertEquals(null, TablePrinter.cell("integer", Json.read("\"7\""), NOW));
        assertEquals(7L, TablePrinter.cell("integer", Json.read("7.0"), NOW));
        assertEquals(null, TablePrinter.cell("boolean", Json.read("\"true\""), NOW));
        assertEquals(true, TablePrinter.cell("boolean", Json.read("true"), NOW));
        assertEquals(null, TablePrinter.cell("date", Json.read("\"yesterday\""), NOW));
        assertEquals("2m", TablePrinter.cell("date", Json.read("\"2024-05-01T13:58:00+02:00\""), NOW));
        assertEquals("12", TablePrinter.cell("string", Json.read("12"), NOW));
    }

    @Test
    void builtInKindsGetTheirUsualColumns() {
        ResourceType secrets = ResourceType.BuiltinTypes.find("", "secrets");
        JsonNode secret = Json.read("""
                {"metadata": {"name": "s", "creationTimestamp": "2024-05-01T11:00:00Z"},
                 "type": "Opaque", "data": {"a": "eA==", "b": "eQ=="}}
                """);
        JsonNode table = TablePrinter.table(secrets, secret, TablePrinter.RowObject.METADATA, NOW);
        assertEquals(List.of("Name", "Type", "Data", "Age"), names(table));
        assertEquals("[\"s\",\"Opaque\",2,\"60m\"]", Json.write(table.path("rows").get(0).path("cells")));
    }
}
