package io.mipo.operator.net;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Parses IP address literals without ever touching DNS. IPv4-mapped IPv6 addresses
 * (::ffff:203.0.113.7) come back as IPv4, so a binding to an IPv4 address matches them.
 */
public final class IpAddresses {
    private static final Pattern IPV6_CHARS = Pattern.compile("^[0-9A-Fa-f:.]+$");

    private IpAddresses() {
    }

    /** The address, or empty when {@code text} is not an IPv4 or IPv6 literal. */
    public static Optional<InetAddress> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String s = text.trim();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.isEmpty() || s.length() > 45) {
            return Optional.empty();
        }
        try {
            byte[] v4 = ipv4(s);
            if (v4 != null) {
                return Optional.of(InetAddress.getByAddress(v4));
            }
            // A string with a colon is parsed by InetAddress as an IPv6 literal, never resolved.
            if (s.indexOf(':') >= 0 && IPV6_CHARS.matcher(s).matches()) {
                InetAddress a = InetAddress.getByName(s);
                return Optional.of(unmap(a));
            }
        } catch (UnknownHostException | IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    public static boolean isValid(String text) {
        return parse(text).isPresent();
    }

    /** IPv4-mapped IPv6 (::ffff:a.b.c.d) to IPv4; anything else unchanged. */
    public static InetAddress unmap(InetAddress a) {
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            mapped &= (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
            if (mapped) {
                try {
                    return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return a;
    }

    /** Canonical text: dotted quad for IPv4, RFC 5952 compressed form for IPv6. */
    public static String format(InetAddress a) {
        if (a instanceof Inet4Address) {
            return a.getHostAddress();
        }
        return compressIpv6(a.getAddress());
    }

    /** The address as an unsigned number (32 bits for IPv4, 128 for IPv6). */
    public static BigInteger toNumber(InetAddress a) {
        return new BigInteger(1, a.getAddress());
    }

    /** The IPv4 ({@code ipv6 == false}) or IPv6 address of the given number; it must fit in 32 or 128 bits. */
    public static InetAddress fromNumber(BigInteger n, boolean ipv6) {
        int len = ipv6 ? 16 : 4;
        if (n.signum() < 0 || n.bitLength() > len * 8) {
            throw new IllegalArgumentException("not a " + (ipv6 ? "128" : "32") + "-bit address: " + n);
        }
        byte[] raw = n.toByteArray();
        byte[] b = new byte[len];
        int copy = Math.min(raw.length, len);
        System.arraycopy(raw, raw.length - copy, b, len - copy, copy);
        try {
            return ipv6 ? Inet6Address.getByAddress(null, b, -1) : InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A dotted quad's four bytes, or null: exactly four decimal numbers of 0 to 255 without leading
     * zeros. Every agent call parses its client address, so this reads the characters once instead of
     * running a regular expression and then splitting the text (IpAddressesTest compares the two).
     */
    static byte[] ipv4(String s) {
        int n = s.length();
        if (n < 7 || n > 15) {
            return null;
        }
        byte[] b = new byte[4];
        int part = 0;
        int i = 0;
        while (true) {
            int start = i;
            int value = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                value = value * 10 + (s.charAt(i) - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && s.charAt(start) == '0')) {
                return null;
            }
            b[part++] = (byte) value;
            if (part == 4) {
                return i == n ? b : null;
            }
            if (i >= n || s.charAt(i) != '.') {
                return null;
            }
            i++;
        }
    }

    private static String compressIpv6(byte[] b) {
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) {
            w[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (w[i] == 0) {
                int j = i;
                while (j < 8 && w[j] == 0) {
                    j++;
                }
                if (j - i > bestLen && j - i >= 2) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append(i == 0 ? "::" : ":");
                i += bestLen - 1;
                continue;
            }
            sb.append(Integer.toHexString(w[i]));
            if (i < 7) {
                sb.append(':');
            }
        }
        return sb.toString();
    }
}
