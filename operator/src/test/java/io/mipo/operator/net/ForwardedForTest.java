package io.mipo.operator.net;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ForwardedForTest {
    private static final TrustedProxies PROXIES = TrustedProxies.parse(List.of("10.0.0.0/8", "2001:db8:ffff::/48", "192.0.2.1"));

    private static InetAddress ip(String s) {
        return IpAddresses.parse(s).orElseThrow(() -> new AssertionError("not an address: " + s));
    }

    private static String client(String peer, String... headers) {
        return IpAddresses.format(ForwardedFor.clientAddress(ip(peer), List.of(headers), PROXIES));
    }

    @Test
    void aSpoofedHeaderFromAnUntrustedPeerIsIgnored() {
        assertEquals("198.51.100.9", client("198.51.100.9", "203.0.113.7"));
        assertEquals("198.51.100.9", client("198.51.100.9", "10.0.0.1, 203.0.113.7"));
        assertEquals("2001:db8:1::5", client("2001:db8:1::5", "203.0.113.7"));
    }

    @Test
    void noHeaderMeansThePeer() {
        assertEquals("10.1.2.3", ForwardedFor.clientAddress(ip("10.1.2.3"), List.of(), PROXIES).getHostAddress());
        assertEquals("10.1.2.3", IpAddresses.format(ForwardedFor.clientAddress(ip("10.1.2.3"), null, PROXIES)));
    }

    @Test
    void aTrustedProxyNamesTheClient() {
        assertEquals("203.0.113.7", client("10.0.0.1", "203.0.113.7"));
        assertEquals("2001:db8:5::7", client("2001:db8:ffff::1", "2001:db8:5::7"));
    }

    @Test
    void aChainOfTrustedProxiesIsWalkedRightToLeftAndStopsAtTheFirstUntrustedHop() {
        // client -> 10.9.9.9 (trusted) -> 192.0.2.1 (trusted) -> 10.0.0.1 (peer)
        assertEquals("203.0.113.7", client("10.0.0.1", "203.0.113.7, 10.9.9.9, 192.0.2.1"));
        // What the client wrote itself (left of the first untrusted hop) is never believed.
        assertEquals("203.0.113.7", client("10.0.0.1", "6.6.6.6, 10.1.1.1, 203.0.113.7, 10.9.9.9"));
    }

    @Test
    void severalHeadersCountAsOneList() {
        assertEquals("203.0.113.7", client("10.0.0.1", "1.1.1.1, 203.0.113.7", "10.2.2.2"));
        assertEquals("198.51.100.1", client("10.0.0.1", "203.0.113.7", "198.51.100.1"));
    }

    @Test
    void garbageStopsTheWalkAtTheLastVerifiableHop() {
        // The trusted proxy 10.0.0.1 appended garbage: the client is unknown, the proxy is what we can vouch for.
        assertEquals("10.0.0.1", client("10.0.0.1", "not-an-ip"));
        assertEquals("10.0.0.1", client("10.0.0.1", "unknown"));
        assertEquals("10.0.0.1", client("10.0.0.1", ""));
        assertEquals("10.0.0.1", client("10.0.0.1", "203.0.113.7, "));
        assertEquals("10.9.9.9", client("10.0.0.1", "203.0.113.7, <script>, 10.9.9.9"));
        assertEquals("10.0.0.1", client("10.0.0.1", "203.0.113.7; rm -rf /"));
        assertEquals("10.0.0.1", client("10.0.0.1", "999.1.1.1"));
        assertEquals("10.0.0.1", client("10.0.0.1", "example.com"));
        assertEquals("10.0.0.1", client("10.0.0.1", "x".repeat(5000)));
    }

    @Test
    void portsAndBracketsAreUnderstood() {
        assertEquals("203.0.113.7", client("10.0.0.1", "203.0.113.7:51234"));
        assertEquals("2001:db8:5::7", client("10.0.0.1", "[2001:db8:5::7]:443"));
        assertEquals("2001:db8:5::7", client("10.0.0.1", "[2001:db8:5::7]"));
        assertEquals("10.0.0.1", client("10.0.0.1", "203.0.113.7:99999"));
        assertEquals("10.0.0.1", client("10.0.0.1", "[2001:db8:5::7]x"));
    }

    @Test
    void ipv4MappedAddressesBecomeIpv4OnBothSides() {
        // The peer arrives as ::ffff:10.0.0.1 on a dual-stack socket; it is the trusted 10.0.0.1.
        assertEquals("203.0.113.7", client("::ffff:10.0.0.1", "::ffff:203.0.113.7"));
        assertTrue(ForwardedFor.clientAddress(ip("::ffff:198.51.100.9"), List.of(), PROXIES) instanceof java.net.Inet4Address);
    }

    @Test
    void aChainOfOnlyTrustedHopsGivesTheLeftmost() {
        assertEquals("10.7.7.7", client("10.0.0.1", "10.7.7.7, 10.8.8.8"));
    }

    @Test
    void anOverlongChainIsReadOnlyAsFarAsTheHopLimit() {
        List<String> hops = new ArrayList<>();
        hops.add("203.0.113.7");
        hops.addAll(Collections.nCopies(ForwardedFor.MAX_HOPS + 5, "10.0.0.2"));
        // The real client is beyond the limit: the walk ends on the last trusted hop it read.
        assertEquals("10.0.0.2", client("10.0.0.1", String.join(",", hops)));
    }

    @Test
    void trustedProxySettingRejectsTyposLoudly() {
        var e = assertThrows(IllegalArgumentException.class, () -> TrustedProxies.parse(List.of("10.0.0.0/33")));
        assertTrue(e.getMessage().contains("10.0.0.0/33"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TrustedProxies.parse(List.of("proxy.internal")));
        assertEquals(0, TrustedProxies.parse(List.of(" ", "")).networks().size());
    }
}
