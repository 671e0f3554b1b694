package io.mipo.operator.group;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.mipo.operator.model.GroupTarget;
import io.mipo.operator.model.ScannerGroupSpec;
import io.mipo.operator.validation.FieldError;
import io.mipo.operator.validation.GroupRules;
import io.mipo.operator.validation.PortList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The target syntax of docs/resources.md: any IPv4/IPv6 CIDR; ports like 22,80,443,8000-8100. */
class TargetSyntaxTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            22                    | 22                    | 1
            22,80,443,8000-8100   | 22,80,443,8000-8100   | 104
            1-65535               | 1-65535               | 65535
            443, 22 ,80           | 443,22,80             | 3
            65535                 | 65535                 | 1
            """)
    void validPortLists(String text, String canonical, int count) {
        PortList p = PortList.parse(text);
        assertEquals(canonical, p.canonical());
        assertEquals(count, p.count());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            0                 | port 0 in '0' is outside 1-65535
            65536             | port 65536 in '65536' is outside 1-65535
            8100-8000         | range '8100-8000' is not ascending
            22,,80            | empty entry
            http              | 'http' is not a port or a port range
            22-               | '22-' is not a port or a port range
            -22               | '-22' is not a port or a port range
            1-65535,80        | 65536 ports; at most 65535
            80,70-90          | '80' overlaps '70-90'
            22;80             | '22;80' is not a port or a port range
            """)
    void badPortListsNameTheBadPart(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PortList.parse(text));
        assertTrue(e.getMessage().contains(expected), "for '" + text + "' got: " + e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/8", "192.0.2.7/32", "0.0.0.0/0", "2001:db8::/32", "::/0", "fe80::1/128"})
    void anyIpv4OrIpv6CidrIsATarget(String subnet) {
        assertTrue(errors(subnet, "22").isEmpty(), subnet + ": " + errors(subnet, "22"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0", "10.0.0.0/33", "2001:db8::/129", "example.com/24", "10.0.0/24", "10.0.0.0/-1"})
    void notACidr(String subnet) {
        List<FieldError> errors = errors(subnet, "22");
        assertEquals(1, errors.size(), subnet + ": " + errors);
        assertEquals("t.subnet", errors.get(0).field());
        assertEquals("InvalidSubnet", errors.get(0).reason());
        assertTrue(errors.get(0).message().contains(subnet), errors.get(0).message());
    }

    @Test
    void badPortsAreNamedWithTheirField() {
        List<FieldError> errors = errors("10.0.0.0/24", "22,99999");
        assertEquals(1, errors.size(), errors.toString());
        assertEquals("t.ports", errors.get(0).field());
        assertEquals("InvalidPorts", errors.get(0).reason());
        assertTrue(errors.get(0).message().contains("99999"), errors.get(0).message());
    }

    @Test
    void aSelectorTheOperatorCannotEvaluateIsInvalidNotSilentlyEmpty() {
        ScannerGroupSpec spec = new ScannerGroupSpec();
        spec.setSelector(new LabelSelectorBuilder()
                .addNewMatchExpression().withKey("a").withOperator("Equals").withValues("x").endMatchExpression()
                .addNewMatchExpression().withKey("b").withOperator("In").endMatchExpression()
                .addNewMatchExpression().withKey("c").withOperator("Exists").withValues("y").endMatchExpression()
                .addNewMatchExpression().withKey("d").withOperator("NotIn").withValues("z").endMatchExpression()
                .build());
        List<String> fields = GroupRules.check(spec).stream().map(FieldError::field).toList();
        assertEquals(List.of("spec.selector.matchExpressions[0].operator", "spec.selector.matchExpressions[1].values",
                "spec.selector.matchExpressions[2].values"), fields);
    }

    private static List<FieldError> errors(String subnet, String ports) {
        GroupTarget t = new GroupTarget();
        t.setSubnet(subnet);
        t.setPorts(ports);
        List<FieldError> errors = new ArrayList<>();
        GroupRules.checkTarget("t", t, errors);
        return errors;
    }
}
