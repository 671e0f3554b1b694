package io.mipo.operator.net;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** An IPv4 or IPv6 network in CIDR notation. The network address is normalised (host bits cleared). */
public record Cidr(InetAddress network, int prefixLength) {

    /** IPv4 before IPv6, then by network address, then wider before narrower. */
    public static final Comparator<Cidr> ORDER = Comparator.comparing((Cidr c) -> !c.isIpv4())
            .thenComparing(c -> IpAddresses.toNumber(c.network()))
            .thenComparingInt(Cidr::prefixLength);

    public static Optional<Cidr> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String s = text.trim();
        int slash = s.indexOf('/');
        if (slash <= 0 || slash == s.length() - 1 || s.length() - slash > 4) {
            return Optional.empty();
        }
        String bits = s.substring(slash + 1);
        if (!bits.chars().allMatch(Character::isDigit) || (bits.length() > 1 && bits.charAt(0) == '0')) {
            return Optional.empty();
        }
        Optional<InetAddress> addr = IpAddresses.parse(s.substring(0, slash));
        if (addr.isEmpty()) {
            return Optional.empty();
        }
        int prefix = Integer.parseInt(bits);
        int max = addr.get() instanceof Inet4Address ? 32 : 128;
        // An IPv4-mapped IPv6 network written with an IPv6 prefix (::ffff:10.0.0.0/104) becomes IPv4.
        if (max == 32 && s.substring(0, slash).contains(":")) {
            prefix -= 96;
            if (prefix < 0) {
                return Optional.empty();
            }
        }
        if (prefix > max) {
            return Optional.empty();
        }
        return Optional.of(new Cidr(mask(addr.get(), prefix), prefix));
    }

    public static boolean isValid(String text) {
        return parse(text).isPresent();
    }

    /** The network of the given prefix length that contains {@code address}. */
    public static Cidr containing(InetAddress address, int prefixLength) {
        InetAddress a = IpAddresses.unmap(address);
        return new Cidr(mask(a, prefixLength), prefixLength);
    }

    public boolean contains(InetAddress address) {
        InetAddress a = IpAddresses.unmap(address);
        byte[] net = network.getAddress();
        byte[] x = a.getAddress();
        if (net.length != x.length) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (net[i] != x[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int m = (0xff << (8 - rest)) & 0xff;
        return (net[full] & m) == (x[full] & m);
    }

    /** The single-address network of {@code address} (/32 or /128). */
    public static Cidr of(InetAddress address) {
        InetAddress a = IpAddresses.unmap(address);
        return new Cidr(a, a instanceof Inet4Address ? 32 : 128);
    }

    /**
     * The fewest networks that together cover exactly the addresses from {@code first} to
     * {@code last} (inclusive, same family), in ascending order.
     */
    public static List<Cidr> coveringRange(InetAddress first, InetAddress last) {
        InetAddress a = IpAddresses.unmap(first);
        InetAddress b = IpAddresses.unmap(last);
        boolean ipv6 = !(a instanceof Inet4Address);
        if (ipv6 != !(b instanceof Inet4Address)) {
            throw new IllegalArgumentException("a range cannot mix IPv4 and IPv6: " + first + " - " + last);
        }
        int width = ipv6 ? 128 : 32;
        BigInteger start = IpAddresses.toNumber(a);
        BigInteger end = IpAddresses.toNumber(b);
        if (start.compareTo(end) > 0) {
            throw new IllegalArgumentException("range start after its end: " + first + " - " + last);
        }
        List<Cidr> out = new ArrayList<>();
        while (start.compareTo(end) <= 0) {
            // The largest block aligned at start (its trailing zero bits) that does not pass the end.
            int hostBits = start.signum() == 0 ? width : start.getLowestSetBit();
            BigInteger remaining = end.subtract(start).add(BigInteger.ONE);
            while (hostBits > 0 && BigInteger.ONE.shiftLeft(hostBits).compareTo(remaining) > 0) {
                hostBits--;
            }
            out.add(new Cidr(IpAddresses.fromNumber(start, ipv6), width - hostBits));
            start = start.add(BigInteger.ONE.shiftLeft(hostBits));
        }
        return out;
    }

    /** The first address of the network (the network address itself). */
    public InetAddress firstAddress() {
        return network;
    }

    /** The last address of the network (all host bits set). */
    public InetAddress lastAddress() {
        int width = isIpv4() ? 32 : 128;
        BigInteger hostMask = BigInteger.ONE.shiftLeft(width - prefixLength).subtract(BigInteger.ONE);
        return IpAddresses.fromNumber(IpAddresses.toNumber(network).or(hostMask), !isIpv4());
    }

    /** True when every address of {@code other} is in this network. */
    public boolean covers(Cidr other) {
        return isIpv4() == other.isIpv4() && prefixLength <= other.prefixLength && contains(other.network);
    }

    public boolean isIpv4() {
        return network instanceof Inet4Address;
    }

    /** Number of addresses, saturated at Long.MAX_VALUE. */
    public long size() {
        int hostBits = (isIpv4() ? 32 : 128) - prefixLength;
        return hostBits >= 63 ? Long.MAX_VALUE : 1L << hostBits;
    }

    @Override
    public String toString() {
        return IpAddresses.format(network) + "/" + prefixLength;
    }

    private static InetAddress mask(InetAddress a, int prefix) {
        byte[] b = a.getAddress();
        for (int i = 0; i < b.length; i++) {
            int bitsHere = Math.max(0, Math.min(8, prefix - 8 * i));
            int m = bitsHere == 0 ? 0 : (0xff << (8 - bitsHere)) & 0xff;
            b[i] = (byte) (b[i] & m);
        }
        try {
            // Inet6Address explicitly: InetAddress.getByAddress would turn a masked ::ffff:x.x.x.x into IPv4.
            return b.length == 16 ? Inet6Address.getByAddress(null, b, -1) : InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
