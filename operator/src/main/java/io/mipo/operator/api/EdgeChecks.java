package io.mipo.operator.api;

import io.mipo.operator.config.MipoConfig;

import io.mipo.operator.net.Cidr;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Settings that would make the Internet-facing edge unsafe stop the operator at start-up, before
 * it serves anything (docs/security.md, "Threat model"):
 * <ul>
 * <li>outside standalone mode, {@code mipo.public-url} is required (install commands never take the
 *     scheme or host of a request, which behind a TLS-terminating proxy is plain http);</li>
 * <li>an {@code http://} public URL for a host other than loopback, unless
 *     {@code mipo.public-url.allow-insecure=true};</li>
 * <li>{@code quarkus.http.proxy.proxy-address-forwarding=true}: Quarkus would then replace the peer
 *     address with any client's X-Forwarded-For, bypassing {@code mipo.http.trusted-proxies}.</li>
 * </ul>
 * Trusted proxy ranges wider than /16 (IPv4) or /48 (IPv6) are allowed but warned about: every
 * address in them may speak for any client.
 */
@Singleton
public class EdgeChecks {
    private static final Logger LOG = Logger.getLogger(EdgeChecks.class);
    public static final String PROXY_FORWARDING = "quarkus.http.proxy.proxy-address-forwarding";

    @Inject
    MipoConfig config;

    void check(@Observes @Priority(1) StartupEvent event) {
        io.mipo.operator.validation.BindingRules.minimumPrefixes(config.binding().minPrefixIpv4(), config.binding().minPrefixIpv6());
        boolean forwarding = ConfigProvider.getConfig().getOptionalValue(PROXY_FORWARDING, Boolean.class).orElse(false);
        List<String> refusals = refusals(config, forwarding, LaunchMode.current());
        for (String w : warnings(config)) {
            LOG.warn(w);
        }
        if (!refusals.isEmpty()) {
            refusals.forEach(LOG::error);
            throw new IllegalStateException("unsafe configuration, not starting: " + String.join("; ", refusals));
        }
    }

    /** What makes this configuration unsafe to serve with; empty when it is fine. */
    public static List<String> refusals(MipoConfig config, boolean proxyAddressForwarding, LaunchMode mode) {
        List<String> refusals = new ArrayList<>();
        Optional<String> url = config.publicUrl().map(String::trim).filter(s -> !s.isEmpty());
        if (url.isEmpty()) {
            if (!config.standalone() && mode == LaunchMode.NORMAL) {
                refusals.add("mipo.public-url is required outside standalone mode (Helm value publicUrl): install commands "
                        + "must name the https:// address scanner hosts reach, never the address of a request");
            }
        } else if (!insecureAllowed(url.get(), config.publicUrlAllowInsecure())) {
            refusals.add("mipo.public-url " + url.get() + " is plain http for a host other than loopback: install commands "
                    + "would be sent and fetched in clear; use https://, or set mipo.public-url.allow-insecure=true");
        }
        if (proxyAddressForwarding) {
            refusals.add(PROXY_FORWARDING + "=true lets any client choose its address with X-Forwarded-For and bypasses "
                    + "mipo.http.trusted-proxies; remove it and list your proxies in mipo.http.trusted-proxies");
        }
        return refusals;
    }

    /** Trusted proxy ranges wider than /16 (IPv4) or /48 (IPv6). */
    public static List<String> warnings(MipoConfig config) {
        List<String> warnings = new ArrayList<>();
        for (String entry : config.http().trustedProxies().orElse(List.of())) {
            Optional<Cidr> c = Cidr.parse(entry.trim());
            if (c.isPresent() && c.get().prefixLength() < (c.get().isIpv4() ? 16 : 48)) {
                warnings.add("mipo.http.trusted-proxies contains " + c.get() + ": every address in it may set any client "
                        + "address with X-Forwarded-For (and so pass source-address bindings). List your ingress "
                        + "controller's or load balancer's own addresses instead.");
            }
        }
        return warnings;
    }

    /** Whether the URL is https, or http to a loopback host, or http explicitly allowed. */
    static boolean insecureAllowed(String url, boolean allowInsecure) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("https://") || allowInsecure) {
            return true;
        }
        return isLoopback(url);
    }

    static boolean isLoopback(String url) {
        try {
            String host = URI.create(url).getHost();
            if (host == null) {
                return false;
            }
            if (host.equalsIgnoreCase("localhost")) {
                return true;
            }
            String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            // only literals: a name is never resolved
            if (!bare.matches("[0-9.]+") && !bare.contains(":")) {
                return false;
            }
            return InetAddress.getByName(bare).isLoopbackAddress();
        } catch (IllegalArgumentException | UnknownHostException e) {
            return false;
        }
    }
}
