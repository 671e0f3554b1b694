package io.mipo.scanner.scan;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 CIDR block ({@code 10.0.0.0/24}, {@code 2001:db8::/120}; a bare address
 * means /32 or /128). Host bits are cleared. Every address of the block is scanned, so very
 * large blocks are refused: IPv4 shorter than /{@value #MIN_PREFIX_V4}, IPv6 shorter than
 * /{@value #MIN_PREFIX_V6}. Parsing never touches DNS.
 */
public final class Subnet {
    public static final int MIN_PREFIX_V4 = 8;
    public static final int MIN_PREFIX_V6 = 112;

    private final byte[] network;
    private final int prefix;

    private Subnet(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    public static Subnet parse(String cidr) {
        if (cidr == null || cidr.isBlank()) {
            throw new IllegalArgumentException("subnet is empty");
        }
        String s = cidr.trim();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        byte[] bytes = addr.indexOf(':') >= 0 ? parseV6(addr) : parseV4(addr);
        if (bytes == null) {
            throw new IllegalArgumentException("'" + cidr + "' is not an IPv4 or IPv6 subnet");
        }
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = s.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("'" + cidr + "' has a bad prefix length");
            }
            prefix = Integer.parseInt(p);
            if (prefix > bits) {
                throw new IllegalArgumentException("'" + cidr + "': prefix length above /" + bits);
            }
        }
        int min = bytes.length == 4 ? MIN_PREFIX_V4 : MIN_PREFIX_V6;
        if (prefix < min) {
            throw new IllegalArgumentException("subnet " + cidr + " is too large to scan address by address"
                    + " (the limit is /" + min + " for " + (bytes.length == 4 ? "IPv4" : "IPv6") + ")");
        }
        for (int i = 0; i < bits; i++) {
            if (i >= prefix) {
                bytes[i / 8] &= (byte) ~(0x80 >>> (i % 8));
            }
        }
        return new Subnet(bytes, prefix);
    }

    static byte[] parseV4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            b[i] = (byte) v;
        }
        return b;
    }

    /** RFC 4291 text forms: eight groups, at most one {@code ::}, an optional dotted IPv4 tail; no zone. */
    static byte[] parseV6(String s) {
        if (s.isEmpty() || s.indexOf('%') >= 0) {
            return null;
        }
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        java.util.List<Integer> head = groups(gap < 0 ? s : s.substring(0, gap), gap < 0);
        java.util.List<Integer> tail = groups(gap < 0 ? "" : s.substring(gap + 2), true);
        if (head == null || tail == null) {
            return null;
        }
        int n = head.size() + tail.size();
        if (gap < 0 ? n != 8 : n > 7) {
            return null;
        }
        int[] full = new int[8];
        for (int i = 0; i < head.size(); i++) {
            full[i] = head.get(i);
        }
        for (int i = 0; i < tail.size(); i++) {
            full[8 - tail.size() + i] = tail.get(i);
        }
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[2 * i] = (byte) (full[i] >>> 8);
            b[2 * i + 1] = (byte) full[i];
        }
        return b;
    }

    private static java.util.List<Integer> groups(String part, boolean dottedTailAllowed) {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        if (part.isEmpty()) {
            return out;
        }
        String[] items = part.split(":", -1);
        for (int i = 0; i < items.length; i++) {
            String item = items[i];
            if (dottedTailAllowed && i == items.length - 1 && item.indexOf('.') >= 0) {
                byte[] v4 = parseV4(item);
                if (v4 == null) {
                    return null;
                }
                out.add(((v4[0] & 0xff) << 8) | (v4[1] & 0xff));
                out.add(((v4[2] & 0xff) << 8) | (v4[3] & 0xff));
                continue;
            }
            if (item.isEmpty() || item.length() > 4) {
                return null;
            }
            int v = 0;
            for (int k = 0; k < item.length(); k++) {
                char c = item.charAt(k);
                int d = c < 128 ? Character.digit(c, 16) : -1;
                if (d < 0) {
                    return null;
                }
                v = v * 16 + d;
            }
            out.add(v);
        }
        return out;
    }

    public boolean isIpv6() {
        return network.length == 16;
    }

    public int prefix() {
        return prefix;
    }

    /** Number of addresses, at most 2^24 (IPv4 /8) by the size limits. */
    public long size() {
        return 1L << (network.length * 8 - prefix);
    }

    /** The i-th address of the block, 0 being the network address. */
    public InetAddress address(long index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException(index);
        }
        byte[] b = network.clone();
        long carry = index;
        for (int i = b.length - 1; i >= 0 && carry != 0; i--) {
            long sum = (b[i] & 0xff) + (carry & 0xff);
            b[i] = (byte) sum;
            carry = (carry >>> 8) + (sum >>> 8);
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for 4 or 16 bytes
        }
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            return new BigInteger(1, network) + "/" + prefix;
        }
    }
}
