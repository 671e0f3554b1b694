package io.mipo.operator.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * {@code Cache-Control: no-store} on every answer that can carry a provisioning token or an API
 * key (registration, scanner creation, regenerate-token), whatever its status: no proxy, browser
 * or CDN in between may keep a copy. The install script already says so itself.
 */
public class NoStoreFilter {

    /** Whether an answer to this call may carry a token or a key. */
    public static boolean carriesSecret(String method, String path) {
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return p.equals("/scanner/register")
                || ("POST".equals(method) && p.equals("/api/config/scanners"))
                || ("POST".equals(method) && p.startsWith("/api/config/scanners/") && p.endsWith("/regenerate-token"));
    }

    @ServerResponseFilter
    public void noStore(ContainerRequestContext request, ContainerResponseContext response) {
        if (carriesSecret(request.getMethod(), request.getUriInfo().getPath())) {
            response.getHeaders().putSingle(HttpHeaders.CACHE_CONTROL, "no-store");
            response.getHeaders().putSingle("Pragma", "no-cache");
        }
    }
}
