package io.mipo.operator.net;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The client address of a request that may have passed through reverse proxies. Only proxies the
 * operator trusts may speak for the client: {@code X-Forwarded-For} is read right to left (each
 * proxy appends the address it received the request from), skipping hops that are themselves
 * trusted proxies, and the first hop that is not a trusted proxy is the client. Anything to its
 * left was written by the client itself and can be forged, so it is never read. A request whose
 * socket peer is not a trusted proxy has its header ignored entirely.
 */
public final class ForwardedFor {
    /** More hops than any real proxy chain; a longer header is read only this far from the right. */
    public static final int MAX_HOPS = 32;

    private ForwardedFor() {
    }

    /**
     * @param peer           the address of the socket peer (never null)
     * @param headerValues   every X-Forwarded-For header of the request, in the order received
     *                       (several headers count as one comma-separated list); may be empty
     * @param trustedProxies networks whose X-Forwarded-For is believed
     * @return the client address, IPv4-mapped IPv6 addresses turned into IPv4
     */
    public static InetAddress clientAddress(InetAddress peer, List<String> headerValues, TrustedProxies trustedProxies) {
        InetAddress current = IpAddresses.unmap(peer);
        if (!trustedProxies.contains(current) || headerValues == null || headerValues.isEmpty()) {
            return current;
        }
        List<String> hops = new ArrayList<>();
        for (String value : headerValues) {
            if (value != null) {
                for (String part : value.split(",", -1)) {
                    hops.add(part);
                }
            }
        }
        int read = 0;
        for (int i = hops.size() - 1; i >= 0 && read < MAX_HOPS; i--, read++) {
            Optional<InetAddress> parsed = parseHop(hops.get(i).trim());
            if (parsed.isEmpty()) {
                // Garbage, "unknown" or an empty element: the trusted proxy that appended it did not
                // name the client, and nothing to its left can be verified. Stop at the last hop we
                // can vouch for (a trusted proxy, which a binding will not match: fail closed).
                return current;
            }
            current = parsed.get();
            if (!trustedProxies.contains(current)) {
                return current;
            }
        }
        // Every hop was a trusted proxy: the leftmost one we read is the closest thing to a client.
        return current;
    }

    /** One element of the header: an address, optionally with a port (203.0.113.7:4711, [2001:db8::1]:443). */
    static Optional<InetAddress> parseHop(String hop) {
        String s = hop;
        if (s.isEmpty() || s.length() > 64) {
            return Optional.empty();
        }
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                return Optional.empty();
            }
            String rest = s.substring(close + 1);
            if (!rest.isEmpty() && !isPort(rest)) {
                return Optional.empty();
            }
            return IpAddresses.parse(s.substring(1, close)).map(IpAddresses::unmap);
        }
        int colon = s.indexOf(':');
        if (colon > 0 && colon == s.lastIndexOf(':')) {
            // Exactly one colon: IPv4 with a port (an IPv6 literal has at least two colons).
            if (!isPort(s.substring(colon))) {
                return Optional.empty();
            }
            s = s.substring(0, colon);
            return IpAddresses.parse(s).filter(a -> a instanceof java.net.Inet4Address);
        }
        return IpAddresses.parse(s).map(IpAddresses::unmap);
    }

    private static boolean isPort(String colonAndDigits) {
        if (colonAndDigits.length() < 2 || colonAndDigits.length() > 6 || colonAndDigits.charAt(0) != ':') {
            return false;
        }
        for (int i = 1; i < colonAndDigits.length(); i++) {
            if (!Character.isDigit(colonAndDigits.charAt(i))) {
                return false;
            }
        }
        return Integer.parseInt(colonAndDigits.substring(1)) <= 65535;
    }
}
