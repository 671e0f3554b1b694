package io.mipo.operator.binding;

import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.Enforcement;
import io.mipo.operator.net.AsnDatabase;
import io.mipo.operator.net.Cidr;
import io.mipo.operator.validation.BindingRules;
import io.mipo.operator.validation.FieldError;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A subnet binding never allows a whole address family, and neither does the firewall export (threat 7). */
class SubnetWidthTest {

    @Test
    void subnetsWiderThanTheMinimumPrefixAreRefused() {
        for (String wide : new String[] {"0.0.0.0/0", "0.0.0.0/1", "10.0.0.0/7", "::/0", "2000::/3", "2001:db8::/31"}) {
            List<FieldError> errors = BindingRules.check("bindingValue", BindingMode.subnet, wide);
            assertEquals(1, errors.size(), wide + ": " + errors);
            assertEquals("SubnetTooWide", errors.get(0).reason(), wide + ": " + errors);
        }
        for (String ok : new String[] {"10.0.0.0/8", "203.0.113.0/24", "2001:db8::/32", "2001:db8:1::/48"}) {
            assertEquals(List.of(), BindingRules.check("bindingValue", BindingMode.subnet, ok), ok);
        }
    }

    @Test
    void theExportsNeverNameANetworkWiderThanABindingMay() {
        AsnDatabase huge = new AsnDatabase() {
            @Override
            public OptionalLong asnOf(InetAddress address) {
                return OptionalLong.of(64500);
            }

            @Override
            public Map<Long, List<Cidr>> prefixesOf(Set<Long> asns) {
                return Map.of(64500L, List.of(Cidr.parse("0.0.0.0/0").orElseThrow(), Cidr.parse("198.51.100.0/24").orElseThrow()));
            }

            @Override
            public String description() {
                return "a database listing the whole Internet";
            }
        };
        ScannerAcl acl = ScannerAcl.build("ns", "2026-01-01T00:00:00Z", List.of(
                        ScannerAclFormatsTest.binding("ns", "everything", BindingMode.subnet, "0.0.0.0/0", Enforcement.Enforce, null),
                        ScannerAclFormatsTest.binding("ns", "as", BindingMode.asn, "AS64500", Enforcement.Enforce, null)),
                new LiveAsnDatabase.Availability(Optional.of(huge), "Loaded", "test"));
        assertEquals(List.of("198.51.100.0/24"), acl.cidrs(), "exported: " + acl);
        for (String out : List.of(AclFormat.nginx(acl), AclFormat.iptables(acl, false), AclFormat.cloudflare(acl).toString())) {
            assertFalse(out.contains("0.0.0.0/0") || out.contains("\"0.0.0.0\""), "an export allows the whole IPv4 Internet:\n" + out);
            assertTrue(out.contains("198.51.100"), out);
        }
    }
}
