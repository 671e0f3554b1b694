package io.mipo.operator.api;

import io.mipo.operator.config.MipoConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The base URL agents and install commands use: {@code mipo.public-url}, or — when unset — the
 * scheme and host of the request, with a warning (once), because behind a proxy that may not be
 * an address the customer's hosts can reach.
 */
@ApplicationScoped
public class PublicUrl {
    private static final Logger LOG = Logger.getLogger(PublicUrl.class);
    private final AtomicBoolean warned = new AtomicBoolean();

    @Inject
    MipoConfig config;

    public String baseUrl(UriInfo request) {
        return baseUrl(request == null ? null : request.getBaseUri().toString());
    }

    /** @param requestBaseUrl the request's base URL, or null when there is no request */
    public String baseUrl(String requestBaseUrl) {
        if (config.publicUrl().isPresent() && !config.publicUrl().get().isBlank()) {
            return strip(config.publicUrl().get());
        }
        if (warned.compareAndSet(false, true)) {
            LOG.warn("mipo.public-url is not set: install commands use the address of the request ("
                    + (requestBaseUrl == null ? "none" : strip(requestBaseUrl))
                    + "); set mipo.public-url to the URL your scanners' hosts can reach");
        }
        return requestBaseUrl == null ? "http://localhost:8080" : strip(requestBaseUrl);
    }

    private static String strip(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
