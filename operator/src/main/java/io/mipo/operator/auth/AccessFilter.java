package io.mipo.operator.auth;

import io.mipo.operator.api.ApiException;
import io.mipo.operator.api.ProblemMappers;
import io.mipo.operator.config.MipoConfig;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.lang.reflect.Method;
import java.util.Locale;

/**
 * Authenticates and authorises every call under /api (DESIGN §8): the bearer token goes to a
 * TokenReview (or matches the static admin token), then the {@link RequiresAccess} of the matched
 * resource method goes to a SubjectAccessReview in the facade's namespace, with the object's name
 * when the path has an {@code {id}}. Fails closed: a method under /api without
 * {@code @RequiresAccess} is refused with 403, and an API server that cannot answer means 503.
 * Runs on the worker thread of the (blocking) resource method, so the reviews may block.
 */
public class AccessFilter {
    private static final String BEARER = "bearer ";

    @Inject
    AccessReviewer reviewer;

    @Inject
    RequestUser user;

    @Inject
    MipoConfig config;

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Response check(ContainerRequestContext ctx, ResourceInfo resource) {
        String path = ctx.getUriInfo().getPath();
        if (!isApiPath(path)) {
            return null;
        }
        try {
            authorise(ctx, resource);
            return null;
        } catch (ApiException e) {
            Response.ResponseBuilder r = Response.fromResponse(ProblemMappers.toResponse(e, path));
            if (e.status() == 401) {
                r.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"mipo\"");
            }
            return r.build();
        }
    }

    static boolean isApiPath(String path) {
        return path.equals("/api") || path.startsWith("/api/");
    }

    private void authorise(ContainerRequestContext ctx, ResourceInfo resource) {
        String token = bearerToken(ctx.getHeaderString(HttpHeaders.AUTHORIZATION));
        String namespace = config.api().namespace();
        String digest = StaticToken.sha256Hex(token);
        if (reviewer.isStaticToken(token)) {
            user.authenticated(AccessReviewer.staticAdmin(), namespace, digest, true);
        } else {
            Identity identity = reviewer.authenticate(token, digest)
                    .orElseThrow(() -> new ApiException(401, "UNAUTHENTICATED", "Unauthorized",
                            "the bearer token is not valid"));
            user.authenticated(identity, namespace, digest, false);
        }

        Method method = resource == null ? null : resource.getResourceMethod();
        RequiresAccess rule = method == null ? null : method.getAnnotation(RequiresAccess.class);
        if (rule == null) {
            throw new ApiException(403, "NO_ACCESS_RULE", "Forbidden",
                    "this call declares no access rule and is refused");
        }
        if (user.staticAdmin()) {
            return;
        }
        String name = ctx.getUriInfo().getPathParameters().getFirst("id");
        AccessRequest request = new AccessRequest(rule.verb(), rule.resource(), rule.subresource(), namespace, name);
        if (!reviewer.allowed(user.identity(), digest, request)) {
            throw AccessReviewer.forbidden(user.name(), request);
        }
    }

    static String bearerToken(String header) {
        if (header == null || header.isBlank()) {
            throw new ApiException(401, "UNAUTHENTICATED", "Unauthorized",
                    "send Authorization: Bearer <token> (a Kubernetes token, or the static admin token)");
        }
        String h = header.trim();
        if (h.length() <= BEARER.length() || !h.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            throw new ApiException(401, "UNAUTHENTICATED", "Unauthorized",
                    "the Authorization header must use the Bearer scheme");
        }
        String token = h.substring(BEARER.length()).trim();
        if (token.isEmpty()) {
            throw new ApiException(401, "UNAUTHENTICATED", "Unauthorized", "the bearer token is empty");
        }
        return token;
    }
}
