package io.mipo.operator.api.auth;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributes;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.kubernetes.client.KubernetesServer;

import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the mock API server answer TokenReviews and SubjectAccessReviews like a real one, from a
 * policy the test sets: which (generated) token belongs to which user, and which verbs on which
 * resources each user may use. Every review the operator sends is recorded, so tests can assert
 * what was asked. Usable by any @QuarkusTest of the facade:
 * {@code FakeKubeAuth.install(server); String t = FakeKubeAuth.token("alice"); FakeKubeAuth.allow("alice", "*");}
 */
public final class FakeKubeAuth {
    private static final String TOKEN_REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews";
    private static final String ACCESS_REVIEWS = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicInteger USERS = new AtomicInteger();

    private static final Map<String, String> USER_BY_TOKEN = new ConcurrentHashMap<>();
    /** user → allowed "verb resource[/subresource]" entries; "*" allows everything. */
    private static final Map<String, Set<String>> GRANTS = new ConcurrentHashMap<>();
    private static final List<ResourceAttributes> ACCESS_ASKED = new CopyOnWriteArrayList<>();
    private static final AtomicInteger TOKEN_REVIEW_COUNT = new AtomicInteger();
    private static volatile KubernetesServer installedOn;

    private FakeKubeAuth() {
    }

    /** Installs the review answers on this mock server (once; later calls are no-ops). */
    public static synchronized void install(KubernetesServer server) {
        if (installedOn == server) {
            return;
        }
        server.expect().post().withPath(TOKEN_REVIEWS).andReply(201, req -> {
            TOKEN_REVIEW_COUNT.incrementAndGet();
            TokenReview review = Serialization.unmarshal(req.getBody().readUtf8(), TokenReview.class);
            String user = USER_BY_TOKEN.get(review.getSpec().getToken());
            review.setStatus(user == null
                    ? new TokenReviewStatusBuilder().withAuthenticated(false).withError("token not recognised").build()
                    : new TokenReviewStatusBuilder().withAuthenticated(true)
                    .withNewUser().withUsername(user).withUid("uid-" + user).withGroups("system:authenticated").endUser().build());
            return review;
        }).always();
        server.expect().post().withPath(ACCESS_REVIEWS).andReply(201, req -> {
            SubjectAccessReview review = Serialization.unmarshal(req.getBody().readUtf8(), SubjectAccessReview.class);
            ResourceAttributes a = review.getSpec().getResourceAttributes();
            ACCESS_ASKED.add(a);
            Set<String> grants = GRANTS.getOrDefault(review.getSpec().getUser(), Set.of());
            String what = a.getVerb() + " " + a.getResource() + (a.getSubresource() == null ? "" : "/" + a.getSubresource());
            boolean allowed = "mipo.io".equals(a.getGroup()) && (grants.contains("*") || grants.contains(what));
            review.setStatus(new SubjectAccessReviewStatusBuilder().withAllowed(allowed)
                    .withReason(allowed ? "granted by test policy" : "not granted by test policy").build());
            return review;
        }).always();
        installedOn = server;
    }

    /** A fresh user name, unique within the test run. */
    public static String newUser(String prefix) {
        return prefix + "-" + USERS.incrementAndGet();
    }

    /** A newly generated bearer token that the TokenReview attributes to {@code user}. */
    public static String token(String user) {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        String token = "test-" + java.util.HexFormat.of().formatHex(b);
        USER_BY_TOKEN.put(token, user);
        return token;
    }

    /** A token no TokenReview accepts. */
    public static String unknownToken() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return "unknown-" + java.util.HexFormat.of().formatHex(b);
    }

    /** Grants "verb resource[/subresource]" entries, or "*" for everything. */
    public static void allow(String user, String... grants) {
        GRANTS.computeIfAbsent(user, u -> ConcurrentHashMap.newKeySet()).addAll(List.of(grants));
    }

    public static void revokeAll(String user) {
        GRANTS.remove(user);
    }

    /** The resource attributes of every SubjectAccessReview asked so far, oldest first. */
    public static List<ResourceAttributes> accessAsked() {
        return List.copyOf(ACCESS_ASKED);
    }

    public static int tokenReviews() {
        return TOKEN_REVIEW_COUNT.get();
    }
}
