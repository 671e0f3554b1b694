package io.mipo.operator.net;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IP/CIDR matching against an independent reference: plain BigInteger arithmetic on the address
 * numbers (a network holds x when both agree on the top prefix bits), never the byte masks the
 * implementation uses.
 */
class CidrPropertiesTest {

    /** An address and a second one that shares a random number of leading bits with it (so matches are common). */
    record Pair(byte[] a, byte[] x, int prefix) {
        @Override
        public String toString() {
            return "a=" + fmt(a) + " x=" + fmt(x) + " prefix=" + prefix;
        }
    }

    @Provide
    Arbitrary<Pair> v4Pairs() {
        return pairs(4);
    }

    @Provide
    Arbitrary<Pair> v6Pairs() {
        return pairs(16);
    }

    @Provide
    Arbitrary<Pair> anyPairs() {
        return Arbitraries.oneOf(pairs(4), pairs(16));
    }

    private static Arbitrary<Pair> pairs(int len) {
        int width = len * 8;
        Arbitrary<byte[]> addr = Arbitraries.bytes().array(byte[].class).ofSize(len);
        Arbitrary<Integer> prefix = Arbitraries.integers().between(0, width);
        Arbitrary<Integer> shared = Arbitraries.integers().between(0, width);
        return Combinators.combine(addr, addr, prefix, shared).as((a, noise, p, s) -> {
            // x = first s bits of a, the rest from noise
            BigInteger keep = BigInteger.ONE.shiftLeft(width).subtract(BigInteger.ONE)
                    .xor(BigInteger.ONE.shiftLeft(width - s).subtract(BigInteger.ONE));
            BigInteger x = num(a).and(keep).or(num(noise).andNot(keep));
            return new Pair(a, bytes(x, len), p);
        });
    }

    static boolean referenceContains(byte[] net, int prefix, byte[] x) {
        if (net.length != x.length) {
            return false;
        }
        int shift = net.length * 8 - prefix;
        return num(net).shiftRight(shift).equals(num(x).shiftRight(shift));
    }

    static byte[] referenceNetwork(byte[] a, int prefix) {
        int width = a.length * 8;
        BigInteger hostMask = BigInteger.ONE.shiftLeft(width - prefix).subtract(BigInteger.ONE);
        return bytes(num(a).andNot(hostMask), a.length);
    }

    @Property(tries = 2000)
    void containsAgreesWithTheReference(@ForAll("anyPairs") Pair p) {
        Cidr c = Cidr.containing(addr(p.a()), p.prefix());
        assertEquals(referenceContains(p.a(), p.prefix(), p.x()), c.contains(addr(p.x())), p + " in " + c);
        assertTrue(c.contains(addr(p.a())), p.toString());
    }

    @Property(tries = 1000)
    void parsedTextIsNormalisedToTheNetworkAddress(@ForAll("anyPairs") Pair p) {
        String text = IpAddresses.format(addr(p.a())) + "/" + p.prefix();
        Cidr c = Cidr.parse(text).orElseThrow(() -> new AssertionError("did not parse " + text));
        assertTrue(Arrays.equals(referenceNetwork(p.a(), p.prefix()), c.network().getAddress()), text + " -> " + c);
        assertEquals(p.prefix(), c.prefixLength());
        assertEquals(c, Cidr.parse(c.toString()).orElseThrow(), "round trip of " + c);
    }

    @Property(tries = 1000)
    void lastAddressIsTheNetworkWithAllHostBitsSet(@ForAll("anyPairs") Pair p) {
        Cidr c = Cidr.containing(addr(p.a()), p.prefix());
        int width = p.a().length * 8;
        BigInteger expected = num(referenceNetwork(p.a(), p.prefix()))
                .or(BigInteger.ONE.shiftLeft(width - p.prefix()).subtract(BigInteger.ONE));
        assertEquals(expected, IpAddresses.toNumber(c.lastAddress()), c.toString());
        assertTrue(c.contains(c.lastAddress()));
    }

    @Property(tries = 1000)
    void ipv4MappedIpv6AddressesMatchLikeTheirIpv4Address(@ForAll("v4Pairs") Pair p) throws UnknownHostException {
        Cidr v4 = Cidr.containing(addr(p.a()), p.prefix());
        InetAddress mapped = mapped(p.x());
        assertEquals(v4.contains(addr(p.x())), v4.contains(mapped), p.toString());
        // The same network written in IPv4-mapped IPv6 notation is the IPv4 network.
        String text = "::ffff:" + IpAddresses.format(addr(p.a())) + "/" + (96 + p.prefix());
        assertEquals(v4, Cidr.parse(text).orElseThrow(() -> new AssertionError(text)), text);
        // A mapped address parses as IPv4.
        assertEquals(addr(p.x()), IpAddresses.parse("::ffff:" + IpAddresses.format(addr(p.x()))).orElseThrow());
    }

    @Property(tries = 500)
    void anIpv6NetworkNeverHoldsAnIpv4Address(@ForAll("v6Pairs") Pair p, @ForAll byte a, @ForAll byte b) {
        Cidr v6 = Cidr.containing(addr(p.a()), p.prefix());
        InetAddress v4 = addr(new byte[] {a, b, p.x()[0], p.x()[1]});
        assertFalse(v6.contains(v4), v6 + " must not hold " + v4);
    }

    @Property(tries = 1000)
    void formattedAddressesParseBackToTheSameAddress(@ForAll("anyPairs") Pair p) throws UnknownHostException {
        InetAddress a = addr(p.x());
        String text = IpAddresses.format(a);
        assertEquals(a, IpAddresses.parse(text).orElseThrow(() -> new AssertionError(text)));
        // The JDK's own literal parser agrees (the text is a literal, so this resolves nothing).
        assertTrue(Arrays.equals(a.getAddress(), IpAddresses.unmap(InetAddress.getByName(text)).getAddress()), text);
        assertEquals(text.toLowerCase(), text);
        assertFalse(text.contains(":::"), text);
    }

    @Property(tries = 1000)
    void rangesAreCoveredExactlyByMaximalAlignedBlocks(@ForAll("anyPairs") Pair p,
                                                       @ForAll @IntRange(min = 0, max = 40) int spanBits) {
        int width = p.a().length * 8;
        BigInteger start = num(p.a());
        BigInteger max = BigInteger.ONE.shiftLeft(width).subtract(BigInteger.ONE);
        BigInteger span = num(p.x()).mod(BigInteger.ONE.shiftLeft(Math.min(spanBits, width)));
        BigInteger end = start.add(span).min(max);
        List<Cidr> blocks = Cidr.coveringRange(addr(bytes(start, p.a().length)), addr(bytes(end, p.a().length)));

        BigInteger next = start;
        for (int i = 0; i < blocks.size(); i++) {
            Cidr c = blocks.get(i);
            BigInteger size = BigInteger.ONE.shiftLeft(width - c.prefixLength());
            BigInteger first = IpAddresses.toNumber(c.network());
            assertEquals(next, first, "blocks must be contiguous: " + blocks);
            assertEquals(BigInteger.ZERO, first.mod(size), c + " is not aligned");
            // Maximal: the block twice as large starting here would be unaligned or overshoot the range.
            if (c.prefixLength() > 0) {
                BigInteger doubled = size.shiftLeft(1);
                boolean aligned = first.mod(doubled).signum() == 0;
                boolean fits = first.add(doubled).subtract(BigInteger.ONE).compareTo(end) <= 0;
                assertFalse(aligned && fits, c + " could have been larger in " + blocks);
            }
            next = first.add(size);
        }
        assertEquals(end.add(BigInteger.ONE), next, "blocks must end at the range's end: " + blocks);
    }

    // ---- helpers (reference arithmetic) ----

    static BigInteger num(byte[] b) {
        return new BigInteger(1, b);
    }

    static byte[] bytes(BigInteger n, int len) {
        byte[] raw = n.toByteArray();
        byte[] out = new byte[len];
        int copy = Math.min(raw.length, len);
        System.arraycopy(raw, raw.length - copy, out, len - copy, copy);
        return out;
    }

    static InetAddress addr(byte[] b) {
        try {
            return b.length == 16 ? java.net.Inet6Address.getByAddress(null, b, -1) : InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static InetAddress mapped(byte[] v4) throws UnknownHostException {
        byte[] b = new byte[16];
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
        System.arraycopy(v4, 0, b, 12, 4);
        return java.net.Inet6Address.getByAddress(null, b, -1);
    }

    static String fmt(byte[] b) {
        return IpAddresses.format(addr(b));
    }
}
