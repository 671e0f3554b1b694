package io.mipo.operator.api.auth;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.mipo.operator.api.ApiException;
import io.mipo.operator.config.MipoConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Asks the Kubernetes API who a bearer token belongs to (TokenReview) and whether that user may
 * do something (SubjectAccessReview), so the UI and kubectl obey one set of RBAC rules. Answers,
 * yes and no alike, are cached for {@code mipo.auth.cache-ttl} (at most {@link #MAX_CACHE_TTL}),
 * keyed by the token's SHA-256, never the token. When the API server cannot answer, access is
 * refused (503), never granted.
 */
@ApplicationScoped
public class AccessReviewer {
    public static final String STATIC_ADMIN = "mipo-admin";
    /** "A few seconds, never longer": a revoked RoleBinding must bite quickly. */
    static final Duration MAX_CACHE_TTL = Duration.ofSeconds(10);
    private static final int MAX_CACHE_ENTRIES = 10_000;
    private static final Logger LOG = Logger.getLogger(AccessReviewer.class);

    private record Decision(String tokenDigest, AccessRequest request) {
    }

    private final KubernetesClient client;
    private final boolean standalone;
    private final Optional<StaticToken> staticToken;
    private final ExpiringCache<String, Optional<Identity>> identities;
    private final ExpiringCache<Decision, Boolean> decisions;

    @Inject
    public AccessReviewer(KubernetesClient client, MipoConfig config) {
        this(client, config, Clock.systemUTC());
    }

    AccessReviewer(KubernetesClient client, MipoConfig config, Clock clock) {
        this.client = client;
        this.standalone = config.standalone();
        this.staticToken = config.auth().staticToken().filter(t -> !t.isBlank()).map(StaticToken::new);
        Duration ttl = config.auth().cacheTtl();
        if (ttl.isNegative()) {
            ttl = Duration.ZERO;
        }
        if (ttl.compareTo(MAX_CACHE_TTL) > 0) {
            LOG.warnf("mipo.auth.cache-ttl=%s is longer than allowed; using %s", ttl, MAX_CACHE_TTL);
            ttl = MAX_CACHE_TTL;
        }
        this.identities = new ExpiringCache<>(ttl, MAX_CACHE_ENTRIES, clock);
        this.decisions = new ExpiringCache<>(ttl, MAX_CACHE_ENTRIES, clock);
    }

    /** Whether the token is the configured static admin token (constant-time comparison). */
    boolean isStaticToken(String token) {
        return staticToken.isPresent() && staticToken.get().matches(token);
    }

    /** The cached answer of {@link #authenticate}, if there is a live one; never calls the API server. */
    Optional<Optional<Identity>> cachedIdentity(String tokenDigest) {
        return standalone ? Optional.of(Optional.empty()) : identities.get(tokenDigest);
    }

    /** The cached answer of {@link #allowed}, if there is a live one; never calls the API server. */
    Optional<Boolean> cachedDecision(String tokenDigest, AccessRequest request) {
        return decisions.get(new Decision(tokenDigest, request));
    }

    /**
     * The identity behind the token, or empty when the API server says it is not valid.
     *
     * @throws ApiException 503 when the TokenReview could not be made
     */
    Optional<Identity> authenticate(String token, String tokenDigest) {
        if (standalone) {
            // The embedded API server cannot review tokens: only the static admin token is valid.
            return Optional.empty();
        }
        Optional<Optional<Identity>> cached = identities.get(tokenDigest);
        if (cached.isPresent()) {
            return cached.get();
        }
        TokenReview review = new TokenReviewBuilder().withNewSpec().withToken(token).endSpec().build();
        TokenReview answer;
        try {
            answer = client.authentication().v1().tokenReviews().create(review);
        } catch (KubernetesClientException e) {
            LOG.warnf("TokenReview failed (HTTP %d); refusing the request", e.getCode());
            throw unavailable("the Kubernetes API could not review the bearer token");
        }
        Optional<Identity> identity = Optional.empty();
        if (answer != null && answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAuthenticated())
                && answer.getStatus().getUser() != null && answer.getStatus().getUser().getUsername() != null) {
            UserInfo u = answer.getStatus().getUser();
            identity = Optional.of(new Identity(u.getUsername(), u.getUid(), u.getGroups(), u.getExtra()));
        }
        identities.put(tokenDigest, identity);
        return identity;
    }

    /**
     * Whether the identity may do what is asked.
     *
     * @throws ApiException 503 when the SubjectAccessReview could not be made
     */
    boolean allowed(Identity identity, String tokenDigest, AccessRequest request) {
        Decision key = new Decision(tokenDigest, request);
        Optional<Boolean> cached = decisions.get(key);
        if (cached.isPresent()) {
            return cached.get();
        }
        SubjectAccessReview review = new SubjectAccessReviewBuilder()
                .withNewSpec()
                .withUser(identity.name())
                .withUid(identity.uid())
                .withGroups(identity.groups().isEmpty() ? null : identity.groups())
                .withExtra(identity.extra().isEmpty() ? null : identity.extra())
                .withNewResourceAttributes()
                .withGroup(AccessRequest.GROUP)
                .withResource(request.resource())
                .withSubresource(request.subresource().isEmpty() ? null : request.subresource())
                .withVerb(request.verb())
                .withNamespace(request.namespace())
                .withName(request.name().isEmpty() ? null : request.name())
                .endResourceAttributes()
                .endSpec()
                .build();
        SubjectAccessReview answer;
        try {
            answer = client.authorization().v1().subjectAccessReview().create(review);
        } catch (KubernetesClientException e) {
            LOG.warnf("SubjectAccessReview failed (HTTP %d); refusing the request", e.getCode());
            throw unavailable("the Kubernetes API could not review the request's permissions");
        }
        boolean allowed = answer != null && answer.getStatus() != null
                && Boolean.TRUE.equals(answer.getStatus().getAllowed())
                && !Boolean.TRUE.equals(answer.getStatus().getDenied());
        decisions.put(key, allowed);
        if (!allowed) {
            LOG.debugf("denied: %s may not %s", identity.name(), request.describe());
        }
        return allowed;
    }

    /**
     * For checks beyond the one the resource method declares (e.g. creating a scanner together
     * with its binding needs {@code create scannerbindings} too).
     *
     * @throws ApiException 403 when not allowed
     */
    public void require(RequestUser user, String verb, String resource, String subresource, String name) {
        if (user.staticAdmin()) {
            return;
        }
        AccessRequest request = new AccessRequest(verb, resource, subresource, user.namespace(), name);
        if (!allowed(user.identity(), user.tokenDigest(), request)) {
            throw forbidden(user.name(), request);
        }
    }

    static ApiException forbidden(String user, AccessRequest request) {
        return new ApiException(403, "FORBIDDEN", "Forbidden",
                "user '" + user + "' may not " + request.describe());
    }

    static ApiException unavailable(String detail) {
        return new ApiException(503, "AUTH_UNAVAILABLE", "Service unavailable", detail);
    }

    static Identity staticAdmin() {
        return new Identity(STATIC_ADMIN, null, List.of("system:masters"), null);
    }
}
