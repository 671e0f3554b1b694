package io.mipo.operator.net;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The networks whose {@code X-Forwarded-For} header the operator believes
 * ({@code mipo.http.trusted-proxies}). Each entry is a CIDR or a single address.
 */
public record TrustedProxies(List<Cidr> networks) {
    public static final TrustedProxies NONE = new TrustedProxies(List.of());

    public TrustedProxies {
        networks = List.copyOf(networks);
    }

    /**
     * @throws IllegalArgumentException naming the first entry that is neither a CIDR nor an address,
     *                                  so a typo in the setting stops start-up instead of silently
     *                                  trusting nothing (or everything)
     */
    public static TrustedProxies parse(List<String> entries) {
        List<Cidr> out = new ArrayList<>();
        if (entries != null) {
            for (String raw : entries) {
                String e = raw == null ? "" : raw.trim();
                if (e.isEmpty()) {
                    continue;
                }
                if (e.contains("/")) {
                    out.add(Cidr.parse(e).orElseThrow(() -> new IllegalArgumentException(
                            "mipo.http.trusted-proxies: '" + e + "' is not a CIDR such as 10.0.0.0/8")));
                } else {
                    out.add(Cidr.of(IpAddresses.parse(e).orElseThrow(() -> new IllegalArgumentException(
                            "mipo.http.trusted-proxies: '" + e + "' is not an IP address or CIDR"))));
                }
            }
        }
        return new TrustedProxies(out);
    }

    public boolean contains(InetAddress address) {
        for (Cidr c : networks) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
