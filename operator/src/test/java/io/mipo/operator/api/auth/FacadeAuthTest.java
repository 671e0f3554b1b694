package io.mipo.operator.api.auth;

import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributes;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Authentication (TokenReview) and authorisation (SubjectAccessReview) of the facade: what each
 * call asks, and that a "no" from the API server means 401/403 with nothing written.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class FacadeAuthTest {
    private static final String BASE = "/api/config/scanners";
    private static final String NS = "default";
    private static final String PROBLEM = "application/problem+json";

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    @Inject
    io.mipo.operator.api.config.ScannerIndex index;

    @BeforeEach
    void setUp() {
        FakeKubeAuth.install(server);
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
        // Reads on the event loop answer 503 CACHE_NOT_READY until the facade's cache has listed once
        // (readiness keeps real clients away until then); the tests here start with reads.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(index::isSynced);
    }

    private static RequestSpecification as(String token) {
        return RestAssured.given().header("Authorization", "Bearer " + token);
    }

    private static String adminToken(String prefix) {
        String user = FakeKubeAuth.newUser(prefix);
        FakeKubeAuth.allow(user, "*");
        return FakeKubeAuth.token(user);
    }

    private static String createScanner(String token, String name) {
        return as(token).contentType(ContentType.JSON).body(Map.of("name", name)).post(BASE)
                .then().statusCode(201).extract().path("scanner.id");
    }

    private static String uniqueName(String prefix) {
        return prefix + "-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    }

    @Test
    void missingMalformedOrRejectedTokensAre401AndWriteNothing() {
        String name = uniqueName("Anon");
        RestAssured.given().contentType(ContentType.JSON).body(Map.of("name", name)).post(BASE)
                .then().statusCode(401).contentType(PROBLEM).header("WWW-Authenticate", containsString("Bearer"))
                .body("code", equalTo("UNAUTHENTICATED"));
        RestAssured.given().header("Authorization", "Basic dXNlcjpwYXNz").get(BASE).then().statusCode(401).contentType(PROBLEM);
        RestAssured.given().header("Authorization", "Bearer ").get(BASE).then().statusCode(401).contentType(PROBLEM);
        String rejected = FakeKubeAuth.unknownToken();
        as(rejected).contentType(ContentType.JSON).body(Map.of("name", name)).post(BASE)
                .then().statusCode(401).contentType(PROBLEM).body("code", equalTo("UNAUTHENTICATED"))
                .body(not(containsString(rejected)));
        as(rejected).get(BASE).then().statusCode(401);
        assertNull(client.resources(Scanner.class).inNamespace(NS).withName(name.toLowerCase()).get(), "an unauthenticated create wrote");
    }

    @Test
    void aDeniedAccessReviewIs403AndWritesNothing() {
        String admin = adminToken("root");
        String id = createScanner(admin, uniqueName("Guarded"));
        Scanner before = client.resources(Scanner.class).inNamespace(NS).withName(id).get();

        String user = FakeKubeAuth.newUser("viewer");
        FakeKubeAuth.allow(user, "list scanners", "get scanners");
        String viewer = FakeKubeAuth.token(user);

        as(viewer).get(BASE).then().statusCode(200);
        as(viewer).get(BASE + "/" + id).then().statusCode(200);
        as(viewer).contentType(ContentType.JSON).body(Map.of("name", uniqueName("Nope"))).post(BASE)
                .then().statusCode(403).contentType(PROBLEM).body("code", equalTo("FORBIDDEN"))
                .body("detail", containsString(user)).body("detail", containsString("create"));
        as(viewer).contentType(ContentType.JSON).body(Map.of("rateLimit", 1)).put(BASE + "/" + id).then().statusCode(403);
        as(viewer).contentType(ContentType.JSON).body(Map.of("bindingMode", "ip")).patch(BASE + "/" + id).then().statusCode(403);
        as(viewer).delete(BASE + "/" + id).then().statusCode(403);
        as(viewer).post(BASE + "/" + id + "/disable").then().statusCode(403);
        as(viewer).post(BASE + "/" + id + "/enable").then().statusCode(403);
        as(viewer).post(BASE + "/" + id + "/regenerate-token").then().statusCode(403);
        as(viewer).post(BASE + "/" + id + "/release-binding").then().statusCode(403);
        as(viewer).get(BASE + "/" + id + "/binding").then().statusCode(403);

        Scanner after = client.resources(Scanner.class).inNamespace(NS).withName(id).get();
        assertNotNull(after, "a denied DELETE deleted the scanner");
        assertEquals(before.getMetadata().getGeneration(), after.getMetadata().getGeneration(),
                "a denied call wrote the spec:\n" + TestResources.describe(after));
        assertEquals(before.getMetadata().getAnnotations(), after.getMetadata().getAnnotations(),
                "a denied call wrote the scanner:\n" + TestResources.describe(after));
        assertNull(client.resources(ScannerBinding.class).inNamespace(NS).withName(id).get(), "a denied PATCH wrote a binding");
        assertNotNull(client.secrets().inNamespace(NS).withName(id + "-provisioning").get(), "a denied call revoked the token");
    }

    @Test
    void eachCallAsksForItsVerbResourceSubresourceNamespaceAndName() {
        String admin = adminToken("auditor");
        String id = createScanner(admin, uniqueName("Asked"));
        record Expect(String method, String path, String verb, String resource, String subresource, String name) {
        }
        List<Expect> calls = List.of(
                new Expect("GET", BASE, "list", "scanners", null, null),
                new Expect("GET", BASE + "/filter-values", "list", "scanners", null, null),
                new Expect("GET", BASE + "/binary-hash", "list", "scanners", null, null),
                new Expect("GET", BASE + "/install-script-preview", "list", "scanners", null, null),
                new Expect("GET", BASE + "/source-code", "list", "scanners", null, null),
                new Expect("GET", BASE + "/" + id, "get", "scanners", null, id),
                new Expect("PUT", BASE + "/" + id, "update", "scanners", null, id),
                new Expect("PATCH", BASE + "/" + id, "update", "scannerbindings", null, id),
                new Expect("GET", BASE + "/" + id + "/binding", "get", "scannerbindings", null, id),
                new Expect("POST", BASE + "/" + id + "/release-binding", "update", "scannerbindings", null, id),
                new Expect("POST", BASE + "/" + id + "/disable", "update", "scanners", null, id),
                new Expect("POST", BASE + "/" + id + "/enable", "update", "scanners", null, id),
                new Expect("POST", BASE + "/" + id + "/regenerate-token", "create", "scanners", "regenerate-token", id),
                new Expect("DELETE", BASE + "/" + id, "delete", "scanners", null, id),
                new Expect("POST", BASE, "create", "scanners", null, null),
                new Expect("GET", "/api/scanners", "list", "scanners", null, null));
        for (Expect e : calls) {
            // A token per call, so no cached decision hides the question.
            String user = FakeKubeAuth.newUser("probe");
            String token = FakeKubeAuth.token(user);
            int asked = FakeKubeAuth.accessAsked().size();
            RequestSpecification r = as(token).contentType(ContentType.JSON);
            if (e.method().equals("PUT") || e.method().equals("PATCH") || e.method().equals("POST") && e.path().equals(BASE)) {
                r = r.body(e.method().equals("PATCH") ? Map.of("bindingMode", "ip") : Map.of("name", "x"));
            }
            r.request(e.method(), e.path()).then().statusCode(403).contentType(PROBLEM);
            List<ResourceAttributes> now = FakeKubeAuth.accessAsked();
            assertEquals(asked + 1, now.size(), e + ": expected exactly one SubjectAccessReview");
            ResourceAttributes a = now.get(now.size() - 1);
            String seen = a.getVerb() + " " + a.getGroup() + " " + a.getResource() + " " + a.getSubresource() + " " + a.getNamespace() + " " + a.getName();
            assertEquals(e.verb(), a.getVerb(), e + " asked " + seen);
            assertEquals("mipo.io", a.getGroup(), e + " asked " + seen);
            assertEquals(e.resource(), a.getResource(), e + " asked " + seen);
            assertEquals(e.subresource(), a.getSubresource(), e + " asked " + seen);
            assertEquals(NS, a.getNamespace(), e + " asked " + seen);
            assertEquals(e.name(), a.getName(), e + " asked " + seen);
        }
        assertNotNull(client.resources(Scanner.class).inNamespace(NS).withName(id).get(), "a denied call deleted the scanner");
    }

    @Test
    void creatingWithABindingAlsoNeedsCreateOnScannerBindings() {
        String user = FakeKubeAuth.newUser("scanner-admin");
        FakeKubeAuth.allow(user, "create scanners", "list scanners", "get scanners");
        String token = FakeKubeAuth.token(user);
        String name = uniqueName("NoBind");
        as(token).contentType(ContentType.JSON).body(Map.of("name", name, "bindingMode", "ip", "bindingValue", "192.0.2.1")).post(BASE)
                .then().statusCode(403).contentType(PROBLEM).body("detail", containsString("scannerbindings"));
        assertNull(client.resources(Scanner.class).inNamespace(NS).withName(name.toLowerCase()).get());
        as(token).contentType(ContentType.JSON).body(Map.of("name", name)).post(BASE).then().statusCode(201)
                .body("scanner.createdBy", equalTo(user));
    }

    @Test
    void decisionsAreCachedBriefly() {
        String user = FakeKubeAuth.newUser("cached");
        FakeKubeAuth.allow(user, "list scanners");
        String token = FakeKubeAuth.token(user);
        int reviews = FakeKubeAuth.tokenReviews();
        int asked = FakeKubeAuth.accessAsked().size();
        for (int i = 0; i < 5; i++) {
            as(token).get(BASE).then().statusCode(200);
        }
        assertTrue(FakeKubeAuth.tokenReviews() - reviews <= 1, "token reviewed " + (FakeKubeAuth.tokenReviews() - reviews) + " times");
        assertTrue(FakeKubeAuth.accessAsked().size() - asked <= 1, "access reviewed " + (FakeKubeAuth.accessAsked().size() - asked) + " times");
    }

    @Test
    void aCallUnderApiWithoutAnAccessRuleIsRefused() {
        RestAssured.given().get("/api/test-only/unguarded").then().statusCode(401);
        as(adminToken("any")).get("/api/test-only/unguarded").then().statusCode(403).contentType(PROBLEM)
                .body("code", equalTo("NO_ACCESS_RULE")).body(not(containsString("should never be served")));
    }
}
