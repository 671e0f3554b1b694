package io.mipo.operator.api.config;

import io.mipo.operator.api.ApiException;
import io.mipo.operator.api.ProblemMappers;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Scanner request bodies are small (the largest field, a description, has at most 10,000
 * characters), so anything over {@link #MAX_BYTES} is refused with 413 before it is parsed.
 * Bodies sent without a Content-Length are bounded by quarkus.http.limits.max-body-size (1 MiB),
 * which Vert.x enforces with a bare 413.
 */
public class BodyLimit {
    public static final int MAX_BYTES = 64 * 1024;
    private static final String PREFIX = "/api/config/scanners";

    @ServerRequestFilter(priority = Priorities.AUTHORIZATION + 100)
    public Response check(ContainerRequestContext ctx) {
        String path = ctx.getUriInfo().getPath();
        if (!path.equals(PREFIX) && !path.startsWith(PREFIX + "/")) {
            return null;
        }
        String length = ctx.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return null;
        }
        long n;
        try {
            n = Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return null;
        }
        if (n > MAX_BYTES) {
            return ProblemMappers.toResponse(new ApiException(413, "BODY_TOO_LARGE", "Payload too large",
                    "the request body has " + n + " bytes; scanner calls accept at most " + MAX_BYTES), path);
        }
        return null;
    }
}
