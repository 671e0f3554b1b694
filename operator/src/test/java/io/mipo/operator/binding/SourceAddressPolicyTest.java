package io.mipo.operator.binding;

import io.mipo.operator.model.BindingMode;
import io.mipo.operator.net.AsnDatabase;
import io.mipo.operator.net.IpAddresses;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a binding learns on first use, and which addresses then match (pure logic). */
class SourceAddressPolicyTest {
    static Optional<AsnDatabase> asn;

    @BeforeAll
    static void open() throws IOException {
        asn = Optional.of(AsnDatabase.open(Path.of("src/test/resources/asn/GeoLite2-ASN-Test.mmdb")));
    }

    @AfterAll
    static void close() {
        asn.ifPresent(AsnDatabase::close);
    }

    private static InetAddress ip(String s) {
        return IpAddresses.parse(s).orElseThrow();
    }

    private static String learn(BindingMode mode, String address) {
        return SourceAddressPolicy.learnable(mode, ip(address), asn).value().orElse(null);
    }

    private static boolean matches(BindingMode mode, String bound, String address) {
        return SourceAddressPolicy.check(mode, bound, ip(address), asn).matches();
    }

    @Test
    void trustOnFirstUsePinsTheAddressItsSubnetOrItsAs() {
        assertEquals("203.0.113.7", learn(BindingMode.ip, "203.0.113.7"));
        assertEquals("203.0.113.7", learn(BindingMode.ip, "::ffff:203.0.113.7"), "IPv4-mapped is learned as IPv4");
        assertEquals("2001:db8::7", learn(BindingMode.ip, "2001:DB8:0:0::7"), "canonical IPv6 text");
        assertEquals("203.0.113.0/24", learn(BindingMode.subnet, "203.0.113.7"));
        assertEquals("203.0.113.0/24", learn(BindingMode.subnet, "::ffff:203.0.113.7"));
        assertEquals("2001:db8:1:2::/64", learn(BindingMode.subnet, "2001:db8:1:2:aaaa:bbbb:cccc:dddd"));
        assertEquals("AS15169", learn(BindingMode.asn, "1.0.0.1"));
        assertEquals("AS1221", learn(BindingMode.asn, "1.130.4.5"));
    }

    @Test
    void learningAnAsNeedsADatabaseThatKnowsTheAddress() {
        var none = SourceAddressPolicy.learnable(BindingMode.asn, ip("1.0.0.1"), Optional.empty());
        assertTrue(none.value().isEmpty());
        assertTrue(none.problem().contains("no AS database"), none.problem());
        var unknown = SourceAddressPolicy.learnable(BindingMode.asn, ip("203.0.113.7"), asn);
        assertTrue(unknown.value().isEmpty());
        assertTrue(unknown.problem().contains("does not know"), unknown.problem());
        assertTrue(SourceAddressPolicy.learnable(BindingMode.ip, null, asn).value().isEmpty());
    }

    @Test
    void whatWasLearnedMatchesTheAddressItWasLearnedFrom() {
        for (String a : new String[] {"203.0.113.7", "2001:db8:1:2::99", "1.0.0.200", "::ffff:1.128.9.9"}) {
            for (BindingMode m : new BindingMode[] {BindingMode.ip, BindingMode.subnet, BindingMode.asn}) {
                String learned = learn(m, a);
                if (learned != null) {
                    assertTrue(matches(m, learned, a), m + " " + learned + " must match " + a);
                }
            }
        }
    }

    @Test
    void ipBindingsMatchOnlyThatAddressInAnySpelling() {
        assertTrue(matches(BindingMode.ip, "203.0.113.7", "203.0.113.7"));
        assertTrue(matches(BindingMode.ip, "203.0.113.7", "::ffff:203.0.113.7"));
        assertTrue(matches(BindingMode.ip, "::ffff:203.0.113.7", "203.0.113.7"));
        assertTrue(matches(BindingMode.ip, "2001:0db8::0007", "2001:db8::7"));
        assertFalse(matches(BindingMode.ip, "203.0.113.7", "203.0.113.8"));
        assertFalse(matches(BindingMode.ip, "2001:db8::7", "2001:db8::8"));
    }

    @Test
    void subnetBindingsMatchTheirNetwork() {
        assertTrue(matches(BindingMode.subnet, "203.0.113.0/24", "203.0.113.255"));
        assertTrue(matches(BindingMode.subnet, "203.0.113.0/24", "::ffff:203.0.113.1"));
        assertFalse(matches(BindingMode.subnet, "203.0.113.0/24", "203.0.114.0"));
        assertTrue(matches(BindingMode.subnet, "2001:db8:1:2::/64", "2001:db8:1:2:ffff::1"));
        assertFalse(matches(BindingMode.subnet, "2001:db8:1:2::/64", "2001:db8:1:3::1"));
        assertFalse(matches(BindingMode.subnet, "::/0", "203.0.113.7"), "an IPv6 network does not hold IPv4 clients");
    }

    @Test
    void asnBindingsMatchTheAsAndFailClosedWithoutADatabase() {
        assertTrue(matches(BindingMode.asn, "AS15169", "1.0.0.3"));
        assertTrue(matches(BindingMode.asn, "15169", "1.0.0.3"));
        assertFalse(matches(BindingMode.asn, "AS15169", "1.128.0.3"));
        assertFalse(matches(BindingMode.asn, "AS15169", "203.0.113.7"), "an address the database does not know");
        var closed = SourceAddressPolicy.check(BindingMode.asn, "AS15169", ip("1.0.0.3"), Optional.empty());
        assertFalse(closed.matches());
        assertTrue(closed.problem().contains("fails closed"), closed.problem());
    }

    @Test
    void modeNoneAcceptsAnythingAndAnUnknownAddressNothing() {
        assertTrue(matches(BindingMode.none, null, "198.51.100.1"));
        assertFalse(SourceAddressPolicy.check(BindingMode.ip, "203.0.113.7", null, asn).matches());
    }
}
