package io.mipo.operator.foundation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.mipo.operator.testing.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an API server that enforces the committed CRDs does with manifests: the structural schema
 * (patterns, bounds, enums) and the CEL rules refuse bad specs and accept the examples. The
 * operator checks the same rules itself (RulesTest), for servers that do not.
 */
class CrdSchemaTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CelCompiler CEL_COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("self", SimpleType.DYN).build();
    private static final CelRuntime CEL_RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "scanners.mipo.io-v1.yml        | {\"displayName\":\"Edge-1\",\"rateLimit\":500}                       | ",
            "scanners.mipo.io-v1.yml        | {\"displayName\":\"bad_name\"}                                       | displayName",
            "scanners.mipo.io-v1.yml        | {\"displayName\":\"-edge\"}                                          | displayName",
            "scanners.mipo.io-v1.yml        | {\"rateLimit\":100001}                                               | rateLimit",
            "scanners.mipo.io-v1.yml        | {\"rateLimit\":-1}                                                   | rateLimit",
            "scanners.mipo.io-v1.yml        | {\"deployment\":{\"mode\":\"Sideways\"}}                             | mode",
            "scanners.mipo.io-v1.yml        | {\"disabled\":\"yes\"}                                               | disabled",
            "scannerbindings.mipo.io-v1.yml | {\"mode\":\"ip\",\"value\":\"203.0.113.7\",\"enforcement\":\"Audit\"} | ",
            "scannerbindings.mipo.io-v1.yml | {\"mode\":\"mac\"}                                                   | mode",
            "scannerbindings.mipo.io-v1.yml | {\"mode\":\"ip\",\"enforcement\":\"Maybe\"}                           | enforcement",
            "scannergroups.mipo.io-v1.yml   | {\"targets\":[{\"subnet\":\"10.0.0.0/24\",\"ports\":\"22,80-90\"}]}  | ",
            "scannergroups.mipo.io-v1.yml   | {\"targets\":[{\"ports\":\"22\"}]}                                   | subnet",
            "scannergroups.mipo.io-v1.yml   | {\"targets\":[{\"subnet\":\"10.0.0.0/24\",\"ports\":\"22;80\"}]}     | ports",
            "scannergroups.mipo.io-v1.yml   | {\"targets\":[{\"subnet\":\"10.0.0.0/24\",\"rateLimit\":200000}]}    | rateLimit",
    })
    void structuralSchemaRefusesBadSpecs(String crd, String spec, String badField) throws IOException {
        List<Error> errors = specSchema(crd).validate(spec, InputFormat.JSON);
        if (badField == null) {
            assertEquals(List.of(), errors, spec);
        } else {
            assertFalse(errors.isEmpty(), "the schema accepted " + spec);
            assertTrue(errors.stream().anyMatch(e -> e.toString().contains(badField)),
                    "no error names " + badField + ": " + errors);
        }
    }

    @ParameterizedTest(name = "binding {0}")
    @CsvSource(delimiter = '|', value = {
            "{\"mode\":\"ip\",\"value\":\"203.0.113.7\"}   | true",
            "{\"mode\":\"ip\"}                             | true",
            "{\"mode\":\"ip\",\"value\":\"2001:db8::1\"}   | true",
            "{\"mode\":\"ip\",\"value\":\"10.0.0.0/8\"}    | false",
            "{\"mode\":\"subnet\",\"value\":\"10.0.0.0/8\"}| true",
            "{\"mode\":\"subnet\",\"value\":\"10.0.0.1\"}  | false",
            "{\"mode\":\"asn\",\"value\":\"AS64500\"}      | true",
            "{\"mode\":\"asn\",\"value\":\"64500\"}        | true",
            "{\"mode\":\"asn\",\"value\":\"ASN-1\"}        | false",
            "{\"mode\":\"none\",\"value\":\"10.0.0.1\"}    | false",
            "{\"mode\":\"none\"}                           | true",
    })
    void celRulesOfBindingsCheckTheValueAgainstTheMode(String spec, boolean accepted) throws Exception {
        JsonNode crd = crd("scannerbindings.mipo.io-v1.yml");
        JsonNode specSchema = crd.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
        assertEquals(accepted, allRulesPass(specSchema, JSON.readValue(spec, Map.class)), spec);
    }

    @Test
    void celRuleKeepsDaemonSetSettingsToDaemonSetMode() throws Exception {
        JsonNode deployment = crd("scanners.mipo.io-v1.yml")
                .at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/deployment");
        assertTrue(allRulesPass(deployment, Map.of("mode", "DaemonSet", "daemonSet", Map.of("hostNetwork", true))));
        assertFalse(allRulesPass(deployment, Map.of("mode", "External", "daemonSet", Map.of("hostNetwork", true))));
        assertFalse(allRulesPass(deployment, Map.of("daemonSet", Map.of())));
        assertTrue(allRulesPass(deployment, Map.of("mode", "External")));
    }

    @Test
    void everyExampleSpecPassesTheSchema() throws IOException {
        Path dir = TestResources.projectRoot().resolve("examples");
        List<Path> files;
        try (var s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        for (Path f : files) {
            for (JsonNode doc : YAML.readValues(YAML.createParser(f.toFile()), JsonNode.class).readAll()) {
                String plural = doc.get("kind").asText().toLowerCase() + "s";
                List<Error> errors = specSchema(plural + ".mipo.io-v1.yml").validate(JSON.writeValueAsString(doc.get("spec")), InputFormat.JSON);
                assertEquals(List.of(), errors, f.getFileName() + " " + doc.at("/metadata/name").asText());
            }
        }
    }

    private static boolean allRulesPass(JsonNode schemaNode, Map<?, ?> self) throws Exception {
        List<Boolean> results = new ArrayList<>();
        for (JsonNode rule : schemaNode.path("x-kubernetes-validations")) {
            var ast = CEL_COMPILER.compile(rule.get("rule").asText()).getAst();
            Object r = CEL_RUNTIME.createProgram(ast).eval(Map.of("self", self));
            results.add(Boolean.TRUE.equals(r));
        }
        assertFalse(results.isEmpty(), "no CEL rules found");
        return results.stream().allMatch(b -> b);
    }

    private static JsonNode crd(String file) throws IOException {
        return YAML.readTree(TestResources.projectRoot().resolve("crds").resolve(file).toFile());
    }

    /** The spec schema as a JSON Schema (the Kubernetes extensions are unknown keywords and ignored). */
    private static Schema specSchema(String file) throws IOException {
        ObjectNode spec = (ObjectNode) crd(file).at("/spec/versions/0/schema/openAPIV3Schema/properties/spec").deepCopy();
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
                .getSchema(JSON.writeValueAsString(spec), InputFormat.JSON);
    }
}
