package io.mipo.operator.api.config;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.api.auth.FakeKubeAuth;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerSpec;
import io.mipo.operator.testing.TestResources;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/** Helpers for facade tests: authenticated requests, unique names, and reads through fabric8. */
final class Facade {
    static final String NS = "default";
    static final String BASE = "/api/config/scanners";
    static final String TOKEN_REGEX = "^mipo_pt_[0-9A-Za-z]{38}$";
    private static final AtomicInteger NAMES = new AtomicInteger();

    static {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    private Facade() {
    }

    /** A user allowed everything, with a fresh token. */
    record Caller(String user, String token) {
        RequestSpecification req() {
            return RestAssured.given().header("Authorization", "Bearer " + token);
        }

        RequestSpecification json(Object body) {
            return req().contentType(ContentType.JSON).body(body);
        }
    }

    static Caller admin(String prefix) {
        String user = FakeKubeAuth.newUser(prefix);
        FakeKubeAuth.allow(user, "*");
        return new Caller(user, FakeKubeAuth.token(user));
    }

    static Caller withGrants(String prefix, String... grants) {
        String user = FakeKubeAuth.newUser(prefix);
        FakeKubeAuth.allow(user, grants);
        return new Caller(user, FakeKubeAuth.token(user));
    }

    /** A display name unique in this test run: letters, digits, hyphens. */
    static String uniqueName(String base) {
        return base + "-" + NAMES.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 100_000, 36);
    }

    static Response create(Caller c, Map<String, Object> body) {
        return c.json(body).post(BASE);
    }

    static String createOk(Caller c, String name) {
        return create(c, Map.of("name", name)).then().statusCode(201).extract().path("scanner.id");
    }

    static Scanner read(KubernetesClient client, String id) {
        return client.resources(Scanner.class).inNamespace(NS).withName(id).get();
    }

    /** Creates a scanner as a kubectl user would: straight through the Kubernetes API. */
    static Scanner kubectlCreate(KubernetesClient client, String id, String displayName) {
        Scanner s = new Scanner();
        s.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName(id).build());
        ScannerSpec spec = new ScannerSpec();
        spec.setDisplayName(displayName);
        s.setSpec(spec);
        return client.resource(s).create();
    }

    /** Waits until the facade's GET of the scanner satisfies the predicate (the cache follows the watch). */
    static Response awaitFacade(Caller c, String id, Predicate<Response> until) {
        Response[] last = new Response[1];
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                last[0] = c.req().get(BASE + "/" + id);
                return until.test(last[0]);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("the facade never showed the expected state of " + id + "; last answer: "
                    + (last[0] == null ? "<none>" : last[0].statusCode() + " " + last[0].asString()), e);
        }
        return last[0];
    }

    /**
     * What a facade write may change: spec (via generation), annotations, labels. Not the
     * resourceVersion, which the reconciler's status writes move on their own.
     */
    static String writableState(Scanner s) {
        return s == null ? "<absent>" : "generation=" + s.getMetadata().getGeneration() + " annotations=" + s.getMetadata().getAnnotations()
                + " labels=" + s.getMetadata().getLabels() + " spec=" + io.fabric8.kubernetes.client.utils.Serialization.asJson(s.getSpec());
    }

    /** The scanner once the reconciler is done with it and the facade's cache shows its latest version. */
    static String settledETag(KubernetesClient client, Caller c, String id) {
        Scanner s = awaitReconciled(client, id);
        return awaitFacade(c, id, r -> ("\"" + read(client, id).getMetadata().getResourceVersion() + "\"").equals(r.header("ETag")))
                .header("ETag");
    }

    static Scanner awaitReconciled(KubernetesClient client, String id) {
        return TestResources.awaitStatus(client, NS, id, s -> s.getStatus() != null && s.getStatus().getPhase() != null
                && s.getMetadata().getGeneration().equals(s.getStatus().getObservedGeneration()));
    }
}
