package io.mipo.operator.validation;

import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.DaemonSetSpec;
import io.mipo.operator.model.DeploymentMode;
import io.mipo.operator.model.DeploymentSpec;
import io.mipo.operator.model.GroupTarget;
import io.mipo.operator.model.ScannerGroupSpec;
import io.mipo.operator.model.ScannerSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RulesTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "Edge-1", "x1", "A-b-C", "abcdefghij0123456789abcdefghij0123456789abcdefghij0123456789abc"})
    void acceptsDisplayNames(String name) {
        ScannerSpec spec = new ScannerSpec();
        spec.setDisplayName(name);
        assertEquals(List.of(), ScannerRules.check(spec));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-edge", "edge-", "edge_1", "edge 1", "é", "abcdefghij0123456789abcdefghij0123456789abcdefghij0123456789abcd"})
    void rejectsDisplayNamesNamingTheField(String name) {
        ScannerSpec spec = new ScannerSpec();
        spec.setDisplayName(name);
        List<FieldError> errors = ScannerRules.check(spec);
        assertEquals(1, errors.size(), "for '" + name + "': " + errors);
        assertEquals("spec.displayName", errors.get(0).field());
    }

    @Test
    void rateLimitBoundsAndDescriptionLength() {
        ScannerSpec spec = new ScannerSpec();
        spec.setRateLimit(100_001);
        spec.setDescription("x".repeat(10_001));
        List<FieldError> errors = ScannerRules.check(spec);
        assertEquals(List.of("spec.description", "spec.rateLimit"), errors.stream().map(FieldError::field).sorted().toList());
        spec.setRateLimit(-1);
        spec.setDescription("x".repeat(10_000));
        assertEquals(List.of("spec.rateLimit"), ScannerRules.check(spec).stream().map(FieldError::field).toList());
        spec.setRateLimit(100_000);
        assertEquals(List.of(), ScannerRules.check(spec));
    }

    @Test
    void daemonSetSettingsOnlyWithDaemonSetMode() {
        ScannerSpec spec = new ScannerSpec();
        DeploymentSpec d = new DeploymentSpec();
        d.setDaemonSet(new DaemonSetSpec());
        spec.setDeployment(d);
        assertEquals("spec.deployment.daemonSet", ScannerRules.check(spec).get(0).field());
        d.setMode(DeploymentMode.DaemonSet);
        assertEquals(List.of(), ScannerRules.check(spec));
    }

    @ParameterizedTest
    @CsvSource({
            "ip, 203.0.113.7, ",
            "ip, 2001:db8::1, ",
            "ip, ::ffff:203.0.113.7, ",
            "ip, 203.0.113.0/24, InvalidAddress",
            "ip, 256.1.1.1, InvalidAddress",
            "ip, example.com, InvalidAddress",
            "subnet, 203.0.113.0/24, ",
            "subnet, 2001:db8::/64, ",
            "subnet, 203.0.113.0/33, InvalidSubnet",
            "subnet, 203.0.113.7, InvalidSubnet",
            "asn, AS64500, ",
            "asn, 64500, ",
            "asn, AS4294967296, InvalidAsn",
            "asn, ASX, InvalidAsn",
            "none, 203.0.113.7, ValueWithModeNone",
            "ip, '', ",
    })
    void bindingValueMustFitItsMode(String mode, String value, String reason) {
        List<FieldError> errors = BindingRules.check(BindingMode.valueOf(mode), value);
        if (reason == null) {
            assertEquals(List.of(), errors);
        } else {
            assertEquals(1, errors.size(), errors.toString());
            assertEquals(reason, errors.get(0).reason());
            assertEquals("spec.value", errors.get(0).field());
        }
    }

    @Test
    void portLists() {
        assertEquals(4 + 101 - 1, PortList.parse("22,80,443,8000-8100").count());
        assertEquals(65_535, PortList.parse("1-65535").count());
        for (String bad : List.of("", "0", "65536", "80-22", "22,,80", "http", "1-65535,80", "22-")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PortList.parse(bad), bad);
            assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PortList.parse("22,80-70")).getMessage().contains("80-70"));
    }

    @Test
    void groupTargetsNameTheBadPart() {
        ScannerGroupSpec spec = new ScannerGroupSpec();
        GroupTarget ok = new GroupTarget();
        ok.setSubnet("10.0.0.0/24");
        ok.setPorts("22");
        GroupTarget bad = new GroupTarget();
        bad.setSubnet("10.0.0.0/40");
        bad.setPorts("22,99999");
        bad.setRateLimit(-5);
        spec.setTargets(List.of(ok, bad));
        List<String> fields = GroupRules.check(spec).stream().map(FieldError::field).sorted().toList();
        assertEquals(List.of("spec.targets[1].ports", "spec.targets[1].rateLimit", "spec.targets[1].subnet"), fields);
    }
}
