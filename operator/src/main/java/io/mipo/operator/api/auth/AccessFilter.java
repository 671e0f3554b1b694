package io.mipo.operator.api.auth;

import io.mipo.operator.api.ApiException;
import io.mipo.operator.api.ProblemMappers;
import io.mipo.operator.config.MipoConfig;
import io.quarkus.arc.ClientProxy;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.lang.reflect.Method;
import java.util.Locale;
import java.util.Optional;

/**
 * Authenticates and authorises every call under /api (docs/api.md): the bearer token goes to a
 * TokenReview (or matches the static admin token), then the {@link RequiresAccess} of the matched
 * resource method goes to a SubjectAccessReview in the facade's namespace, with the object's name
 * when the path has an {@code {id}}. Fails closed: a method under /api without
 * {@code @RequiresAccess} is refused with 403, and an API server that cannot answer means 503.
 *
 * <p>Read calls run on the event loop. There the filter answers from the review cache only; when a
 * review must be asked, it moves to a worker thread for that request (reviews are blocking HTTP
 * calls). Blocking calls already run on a worker thread and review in place.
 */
public class AccessFilter {
    private static final String BEARER = "bearer ";

    @Inject
    AccessReviewer reviewer;

    @Inject
    RequestUser user;

    @Inject
    MipoConfig config;

    /** A review would have to call the API server, which the event loop must not wait for. */
    private static final class WouldBlock extends RuntimeException {
        WouldBlock() {
            super(null, null, false, false);
        }
    }

    private record Call(String path, String authorization, String id, Method method) {
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Uni<Response> check(ContainerRequestContext ctx, ResourceInfo resource) {
        String path = ctx.getUriInfo().getPath();
        if (!isApiPath(path)) {
            return Uni.createFrom().nullItem();
        }
        Call call = new Call(path, ctx.getHeaderString(HttpHeaders.AUTHORIZATION),
                ctx.getUriInfo().getPathParameters().getFirst("id"),
                resource == null ? null : resource.getResourceMethod());
        // The request's own instance: the answer may be computed on another thread.
        RequestUser target = ClientProxy.unwrap(user);
        boolean onEventLoop = io.vertx.core.Context.isOnEventLoopThread();
        try {
            return Uni.createFrom().item(decide(call, target, !onEventLoop));
        } catch (WouldBlock e) {
            return Uni.createFrom().item(() -> decide(call, target, true))
                    .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        }
    }

    static boolean isApiPath(String path) {
        return path.equals("/api") || path.startsWith("/api/");
    }

    /** Null to let the call through, or the problem response that refuses it. */
    private Response decide(Call call, RequestUser target, boolean mayBlock) {
        try {
            authorise(call, target, mayBlock);
            return null;
        } catch (ApiException e) {
            Response.ResponseBuilder r = Response.fromResponse(ProblemMappers.toResponse(e, call.path()));
            if (e.status() == 401) {
                r.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"mipo\"");
            }
            return r.build();
        }
    }

    private void authorise(Call call, RequestUser target, boolean mayBlock) {
        String token = bearerToken(call.authorization());
        String namespace = config.api().namespace();
        String digest = StaticToken.sha256Hex(token);
        if (reviewer.isStaticToken(token)) {
            target.authenticated(AccessReviewer.staticAdmin(), namespace, digest, true);
        } else {
            Optional<Identity> identity = mayBlock ? reviewer.authenticate(token, digest)
                    : reviewer.cachedIdentity(digest).orElseThrow(WouldBlock::new);
            target.authenticated(identity.orElseThrow(() -> new ApiException(401, "UNAUTHENTICATED", "Unauthorized",
                    "the bearer token is not valid")), namespace, digest, false);
        }

        RequiresAccess rule = call.method() == null ? null : call.method().getAnnotation(RequiresAccess.class);
        if (rule == null) {
            throw new ApiException(403, "NO_ACCESS_RULE", "Forbidden",
                    "this call declares no access rule and is refused");
        }
        if (target.staticAdmin()) {
            return;
        }
        AccessRequest request = new AccessRequest(rule.verb(), rule.resource(), rule.subresource(), namespace, call.id());
        boolean allowed = mayBlock ? reviewer.allowed(target.identity(), digest, request)
                : reviewer.cachedDecision(digest, request).orElseThrow(WouldBlock::new);
        if (!allowed) {
            throw AccessReviewer.forbidden(target.name(), request);
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
