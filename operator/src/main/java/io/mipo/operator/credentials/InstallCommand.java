package io.mipo.operator.credentials;

import io.mipo.operator.config.MipoConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The one-line install command (docs/distribution.md). The token goes into the environment of the script,
 * never into a URL (proxies log URLs). The base URL is {@code mipo.public-url}; without it, the
 * request's own base URL is used, with a warning, since the address a browser reached the operator
 * by is not necessarily one the scanner host can reach.
 */
@ApplicationScoped
public class InstallCommand {
    private static final Logger LOG = Logger.getLogger(InstallCommand.class);
    /** Scheme, host (name, IPv4 or [IPv6]), optional port and path: nothing a shell would interpret. */
    private static final Pattern SAFE_URL = Pattern.compile("^https?://([A-Za-z0-9.\\-]+|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?(/[A-Za-z0-9._~\\-/]*)?$");

    @Inject
    MipoConfig config;

    @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080")
    int httpPort;

    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /** The base URL agents should use, from mipo.public-url, else the request's, else the local listener. */
    public String baseUrl(String requestBaseUrl) {
        if (config.publicUrl().isPresent() && !config.publicUrl().get().isBlank()) {
            String configured = trim(config.publicUrl().get());
            if (isSafe(configured)) {
                return configured;
            }
            warnOnce("bad-config", "mipo.public-url is not a plain http(s) URL; install commands use the request's address instead");
        }
        if (requestBaseUrl != null && isSafe(trim(requestBaseUrl))) {
            String fromRequest = trim(requestBaseUrl);
            warnOnce(fromRequest, "mipo.public-url is not set; install commands use the address of the request, "
                    + fromRequest + ", which scanner hosts may not reach. Set mipo.public-url (Helm value publicUrl).");
            return fromRequest;
        }
        String local = "http://localhost:" + httpPort;
        warnOnce(local, "mipo.public-url is not set and no request address is known; install commands use "
                + local + ". Set mipo.public-url (Helm value publicUrl).");
        return local;
    }

    public String forToken(String requestBaseUrl, String token) {
        return command(baseUrl(requestBaseUrl), token);
    }

    /** The command for a base URL already checked by {@link #baseUrl}. curl is told to refuse a downgrade from https. */
    public static String command(String baseUrl, String token) {
        String protocolPin = baseUrl.toLowerCase(Locale.ROOT).startsWith("https://") ? "--proto '=https' " : "";
        return "curl -fsSL " + protocolPin + baseUrl + "/scanner/install | sudo MIPO_TOKEN=" + token + " sh";
    }

    static boolean isSafe(String url) {
        return url != null && SAFE_URL.matcher(url).matches();
    }

    private static String trim(String url) {
        String u = url.trim();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u;
    }

    private void warnOnce(String key, String message) {
        if (warned.size() < 100 && warned.add(key)) {
            LOG.warn(message);
        }
    }
}
