package io.mipo.operator.foundation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.mipo.operator.model.BindingMode;
import io.mipo.operator.net.Cidr;
import io.mipo.operator.testing.TestResources;
import io.mipo.operator.validation.BindingRules;
import io.mipo.operator.validation.PortList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Admission refuses what the operator would later call invalid: the patterns and CEL rules of the
 * committed CRDs are compared, value by value, with the operator's own parsers (PortList, Cidr,
 * BindingRules). A value the operator accepts must pass admission; a value admission lets through
 * that the operator refuses is allowed only for the one rule a CRD cannot check affordably
 * (port ranges that descend or overlap).
 */
class CrdAdmissionTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final CelCompiler CEL = CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("self", SimpleType.DYN).build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

    @ParameterizedTest(name = "ports {0}")
    @CsvSource({
            "22,                      true",
            "'22,80,443,8000-8100',   true",
            "1-65535,                 true",
            "65535,                   true",
            "0022,                    true",
            "99999,                   false",
            "65536,                   false",
            "0,                       false",
            "80-70000,                false",
            "22;80,                   false",
            "'22, 80',                false",
            "'',                      false",
    })
    void portPatternRefusesPortsOutsideTheRange(String ports, boolean admitted) throws IOException {
        String value = ports == null ? "" : ports;
        assertEquals(admitted, matches(groupTarget("ports"), value), "admission of ports '" + value + "'");
        if (admitted) {
            PortList.parse(value); // what admission lets in, the operator accepts
        }
    }

    @ParameterizedTest(name = "ports {0}: the operator refuses what admission cannot check")
    @ValueSource(strings = {"9000-8000", "22,22", "80-90,85"})
    void descendingOrOverlappingRangesAreLeftToTheOperator(String ports) throws IOException {
        assertTrue(matches(groupTarget("ports"), ports), "the pattern is about syntax and bounds only: " + ports);
        try {
            PortList.parse(ports);
            throw new AssertionError("the operator accepted " + ports);
        } catch (IllegalArgumentException expected) {
            // reported as Valid=False / Stalled=True: kstatus Failed, Argo CD Degraded
        }
    }

    @ParameterizedTest(name = "subnet {0}")
    @ValueSource(strings = {"10.0.0.0/24", "0.0.0.0/0", "203.0.113.7/32", "10.0.0.1/24", "2001:db8::/32", "::/0", "2001:db8::1/128",
            "::ffff:10.0.0.0/104", "10.0.0.0/999", "10.0.0.0/33", "256.0.0.0/8", "10.0.0/8", "2001:db8::/129", "10.0.0.0/08",
            "10.0.0.0", "10.0.0.0/", "example.com/24", "010.0.0.0/8"})
    void subnetPatternAgreesWithTheOperatorsParser(String subnet) throws IOException {
        boolean operator = Cidr.isValid(subnet);
        boolean admitted = matches(groupTarget("subnet"), subnet);
        if (operator) {
            assertTrue(admitted, "admission refuses " + subnet + ", which the operator accepts");
        } else if (!subnet.contains(":")) {
            // IPv4: the pattern is exact. IPv6 shapes are checked exactly by the operator only.
            assertEquals(false, admitted, "admission lets " + subnet + " in, but the operator calls it invalid");
        }
    }

    @ParameterizedTest(name = "binding {0} {1}")
    @CsvSource({
            "ip,     203.0.113.7",
            "ip,     2001:db8::1",
            "ip,     256.1.1.1",
            "ip,     10.0.0.0/8",
            "ip,     01.2.3.4",
            "subnet, 203.0.113.0/24",
            "subnet, 203.0.113.0/999",
            "subnet, 203.0.113.0/33",
            "subnet, 2001:db8::/48",
            "subnet, 2001:db8::/200",
            "asn,    AS64500",
            "asn,    ASX",
    })
    void bindingRulesAgreeWithTheOperator(String mode, String value) throws Exception {
        boolean operator = BindingRules.check(BindingMode.valueOf(mode), value).isEmpty();
        boolean admitted = celRulesPass(Map.of("mode", mode, "value", value));
        if (operator) {
            assertTrue(admitted, "admission refuses " + mode + " " + value + ", which the operator accepts");
        } else if (!value.contains(":")) {
            assertEquals(false, admitted, "admission lets " + mode + " " + value + " in, but the operator calls it invalid");
        }
    }

    private static boolean celRulesPass(Map<String, Object> spec) throws Exception {
        JsonNode schema = YAML.readTree(TestResources.projectRoot().resolve("crds/scannerbindings.mipo.io-v1.yml").toFile())
                .at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
        for (JsonNode rule : schema.path("x-kubernetes-validations")) {
            Object r = RUNTIME.createProgram(CEL.compile(rule.get("rule").asText()).getAst()).eval(Map.of("self", spec));
            if (!Boolean.TRUE.equals(r)) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode groupTarget(String field) throws IOException {
        return YAML.readTree(TestResources.projectRoot().resolve("crds/scannergroups.mipo.io-v1.yml").toFile())
                .at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/targets/items/properties/" + field);
    }

    /** The API server matches CRD patterns as unanchored ECMA-style regular expressions; ours are anchored. */
    private static boolean matches(JsonNode schema, String value) {
        String pattern = schema.path("pattern").asText();
        assertTrue(!pattern.isEmpty(), "no pattern in " + schema);
        return Pattern.compile(pattern).matcher(value).find();
    }
}
