package io.mipo.operator.api.config;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.api.auth.FakeKubeAuth;
import io.mipo.operator.kube.Labels;
import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.DeploymentMode;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static io.mipo.operator.api.config.Facade.BASE;
import static io.mipo.operator.api.config.Facade.NS;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The write calls and single-scanner reads of /api/config/scanners, each with its error statuses. */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class ScannerResourceTest {
    private static final String PROBLEM = "application/problem+json";

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    Facade.Caller alice;

    @BeforeEach
    void setUp() {
        FakeKubeAuth.install(server);
        alice = Facade.admin("alice");
    }

    // ---- POST (create) ----

    @Test
    void createAnswers201WithScannerTokenAndCommandAndWritesTheScanner() {
        String name = Facade.uniqueName("Edge");
        Response r = Facade.create(alice, Map.of("name", name, "description", "rack 4", "rateLimit", 250));
        r.then().statusCode(201)
                .header("Location", containsString(BASE + "/" + name.toLowerCase()))
                .header("ETag", notNullValue())
                .body("scanner.id", equalTo(name.toLowerCase()))
                .body("scanner.name", equalTo(name))
                .body("scanner.description", equalTo("rack 4"))
                .body("scanner.rateLimit", equalTo(250))
                .body("scanner.status", equalTo("Pending"))
                .body("scanner.createdBy", equalTo(alice.user()))
                .body("scanner.deploymentMode", equalTo("External"))
                .body("scanner.binding.mode", equalTo("none"))
                .body("scanner.groups.size()", is(0))
                .body("token", matchesPattern(Facade.TOKEN_REGEX))
                .body("installCommand", containsString("/scanner/install"))
                .body("installCommand", containsString("MIPO_TOKEN="));
        String token = r.path("token");
        String command = r.path("installCommand");
        assertTrue(command.contains(token), command.replace(token, "mipo_pt_…"));
        assertTrue(!command.contains("install?") && command.indexOf(token) > command.indexOf("| "),
                "the token must not be part of a URL: " + command.replace(token, "mipo_pt_…"));
        Instant expires = Instant.parse(r.path("tokenExpiresAt"));
        assertTrue(expires.isAfter(Instant.now().plus(Duration.ofHours(23))), "expiry " + expires);

        // The facade's write is a real Scanner that fabric8/kubectl sees.
        Scanner s = Facade.read(client, name.toLowerCase());
        assertNotNull(s, "no Scanner " + name.toLowerCase() + " in the API server");
        assertEquals(name, s.getSpec().getDisplayName(), TestResources.describe(s));
        assertEquals("rack 4", s.getSpec().getDescription());
        assertEquals(250, s.getSpec().getRateLimit());
        assertEquals(DeploymentMode.External, s.getSpec().getDeployment().getMode());
        assertEquals(alice.user(), s.getMetadata().getAnnotations().get(Labels.CREATED_BY), TestResources.describe(s));
        assertTrue(r.header("ETag").matches("\"[0-9]+\""), "ETag " + r.header("ETag"));
        // ...and reading it right away through the facade works (read your own writes).
        alice.req().get(BASE + "/" + s.getMetadata().getName()).then().statusCode(200).body("name", equalTo(name));
    }

    @Test
    void createWithBindingCreatesTheScannerBinding() {
        String name = Facade.uniqueName("Bound");
        Facade.create(alice, Map.of("name", name, "bindingMode", "ip", "bindingValue", "203.0.113.7"))
                .then().statusCode(201)
                .body("scanner.binding.mode", equalTo("ip"))
                .body("scanner.binding.value", equalTo("203.0.113.7"))
                .body("scanner.binding.enforcement", equalTo("Enforce"));
        ScannerBinding b = client.resources(ScannerBinding.class).inNamespace(NS).withName(name.toLowerCase()).get();
        assertNotNull(b, "no ScannerBinding was created");
        assertEquals(BindingMode.ip, b.getSpec().getMode(), TestResources.describe(b));
        assertEquals("203.0.113.7", b.getSpec().getValue());
    }

    @Test
    void createDaemonSetScannerHasNoToken() {
        String name = Facade.uniqueName("Ds");
        Facade.create(alice, Map.of("name", name, "deploymentMode", "DaemonSet"))
                .then().statusCode(201)
                .body("scanner.deploymentMode", equalTo("DaemonSet"))
                .body("token", nullValue())
                .body("installCommand", nullValue());
        alice.req().post(BASE + "/" + name.toLowerCase() + "/regenerate-token")
                .then().statusCode(409).contentType(PROBLEM).body("code", equalTo("NOT_AN_EXTERNAL_SCANNER"));
    }

    @Test
    void createDerivesAUniqueIdWhenTheLowerCasedNameIsTakenByAnotherScanner() {
        String base = Facade.uniqueName("dup");
        Facade.kubectlCreate(client, base, "Other-" + base);
        String upper = base.toUpperCase();
        Facade.create(alice, Map.of("name", upper)).then().statusCode(201).body("scanner.id", equalTo(base + "-2"));
        // Literal path names are never handed out as ids.
        String id = Facade.create(alice, Map.of("name", "filter-values")).then().statusCode(201).extract().path("scanner.id");
        assertEquals("filter-values-2", id);
    }

    @Test
    void createRejectsInvalidFieldsWithFieldErrorsAndWritesNothing() {
        String longText = "x".repeat(10_001);
        Map<String, Object> body = new HashMap<>();
        body.put("name", "bad name!");
        body.put("description", longText);
        body.put("rateLimit", 100_001);
        body.put("bindingMode", "subnet");
        body.put("bindingValue", "10.0.0.0/99");
        body.put("deploymentMode", "Kubernetes");
        Facade.create(alice, body).then().statusCode(400).contentType(PROBLEM)
                .body("code", equalTo("VALIDATION_FAILED"))
                .body("errors.field", hasItem("name"))
                .body("errors.field", hasItem("description"))
                .body("errors.field", hasItem("rateLimit"))
                .body("errors.field", hasItem("bindingValue"))
                .body("errors.field", hasItem("deploymentMode"));
        Facade.create(alice, Map.of("description", "no name")).then().statusCode(400)
                .body("errors[0].field", equalTo("name")).body("errors[0].reason", equalTo("Required"));
        Facade.create(alice, Map.of("name", Facade.uniqueName("x"), "bindingMode", "none", "bindingValue", "10.0.0.1"))
                .then().statusCode(400).body("errors.field", hasItem("bindingValue"));
        Facade.create(alice, Map.of("name", Facade.uniqueName("x"), "bindingMode", "anycast"))
                .then().statusCode(400).body("errors.field", hasItem("bindingMode"));
        assertNull(Facade.read(client, "bad name!".toLowerCase().replace(" ", "-")));
    }

    @Test
    void createRefusesFieldsAClientMayNotSet() {
        for (String field : new String[]{"id", "status", "createdBy", "resourceVersion", "disabled"}) {
            String name = Facade.uniqueName("Sneaky");
            Map<String, Object> body = new HashMap<>(Map.of("name", name));
            body.put(field, "x");
            Facade.create(alice, body).then().statusCode(400).contentType(PROBLEM)
                    .body("code", equalTo("UNKNOWN_FIELD"))
                    .body("errors[0].field", equalTo(field));
            assertNull(Facade.read(client, name.toLowerCase()), "a rejected create wrote " + name);
        }
    }

    @Test
    void createRejectsMalformedJsonWrongTypesAndEmptyBodies() {
        alice.req().contentType(ContentType.JSON).body("{\"name\": \"Broken\",").post(BASE)
                .then().statusCode(400).contentType(PROBLEM).body("code", equalTo("MALFORMED_JSON"));
        alice.req().contentType(ContentType.JSON).body("{\"name\": \"Typed\", \"rateLimit\": \"fast\"}").post(BASE)
                .then().statusCode(400).contentType(PROBLEM).body("code", equalTo("MALFORMED_JSON"))
                .body("errors[0].field", equalTo("rateLimit"));
        alice.req().contentType(ContentType.JSON).body("{\"name\": \"Frac\", \"rateLimit\": 1.5}").post(BASE)
                .then().statusCode(400).contentType(PROBLEM).body("errors[0].field", equalTo("rateLimit"));
        alice.req().contentType(ContentType.JSON).body("").post(BASE)
                .then().statusCode(400).contentType(PROBLEM);
        alice.req().contentType(ContentType.JSON).body("[1,2]").post(BASE)
                .then().statusCode(400).contentType(PROBLEM);
        assertNull(Facade.read(client, "broken"));
        assertNull(Facade.read(client, "typed"));
        assertNull(Facade.read(client, "frac"));
    }

    @Test
    void createAnswers409WhenTheNameIsTakenCaseInsensitively() {
        String name = Facade.uniqueName("Taken");
        Facade.createOk(alice, name);
        Facade.create(alice, Map.of("name", name.toUpperCase())).then().statusCode(409).contentType(PROBLEM)
                .body("code", equalTo("NAME_TAKEN")).body("errors[0].field", equalTo("name"));
        assertNull(Facade.read(client, name.toLowerCase() + "-2"), "a second scanner was written");
    }

    @Test
    void createAnswers413ForLargeBodiesAnd415ForOtherMediaTypes() {
        String name = Facade.uniqueName("Big");
        String huge = "{\"name\":\"" + name + "\",\"description\":\"" + "y".repeat(BodyLimit.MAX_BYTES) + "\"}";
        alice.req().contentType(ContentType.JSON).body(huge).post(BASE)
                .then().statusCode(413).contentType(PROBLEM).body("code", equalTo("BODY_TOO_LARGE"));
        alice.req().contentType(ContentType.TEXT).body("name=" + name).post(BASE)
                .then().statusCode(415).contentType(PROBLEM).body("code", equalTo("UNSUPPORTED_MEDIA_TYPE"));
        assertNull(Facade.read(client, name.toLowerCase()));
    }

    @Test
    void createRollsBackTheScannerWhenTheTokenCannotBeIssued() {
        String name = Facade.uniqueName("Rollback");
        // 403 as when the operator's RBAC lacks Secrets (a 5xx would be retried by the client and succeed).
        server.expect().post().withPath("/api/v1/namespaces/" + NS + "/secrets")
                .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden").withMessage("secrets is forbidden").build()).once();
        Response r = Facade.create(alice, Map.of("name", name, "bindingMode", "ip"));
        r.then().contentType(PROBLEM);
        assertTrue(r.statusCode() >= 500, "expected a server error, got " + r.statusCode() + " " + r.asString());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertNull(Facade.read(client, name.toLowerCase()), "the half-created scanner is still there");
            assertNull(client.resources(ScannerBinding.class).inNamespace(NS).withName(name.toLowerCase()).get(),
                    "the half-created binding is still there");
        });
        alice.req().get(BASE + "/" + name.toLowerCase()).then().statusCode(404);
    }

    // ---- GET /{id} ----

    @Test
    void getAnswersTheScannerWithAnETagAnd404ForUnknownIds() {
        String name = Facade.uniqueName("Get");
        String id = Facade.createOk(alice, name);
        Response r = alice.req().get(BASE + "/" + id);
        r.then().statusCode(200).body("id", equalTo(id)).body("name", equalTo(name))
                .body("createdAt", notNullValue()).body("assignments.size()", is(0));
        assertTrue(r.header("ETag").matches("\"[0-9]+\""), "ETag " + r.header("ETag"));
        alice.req().get(BASE + "/no-such-scanner").then().statusCode(404).contentType(PROBLEM).body("code", equalTo("NOT_FOUND"));
    }

    @Test
    void aScannerCreatedWithKubectlShowsInTheFacadeWithoutCreatedBy() {
        String id = Facade.uniqueName("kubectl");
        Facade.kubectlCreate(client, id, null);
        Response r = Facade.awaitFacade(alice, id, x -> x.statusCode() == 200);
        r.then().body("name", equalTo(id)).body("createdBy", nullValue()).body("binding.mode", equalTo("none"))
                .body("rateLimit", equalTo(0)).body("deploymentMode", equalTo("External"));
        // It can be edited through the facade like any other.
        alice.json(Map.of("rateLimit", 10)).put(BASE + "/" + id).then().statusCode(200).body("rateLimit", equalTo(10));
    }

    // ---- PUT ----

    @Test
    void putUpdatesNameDescriptionAndRateAndRecordsTheModifier() {
        String id = Facade.createOk(alice, Facade.uniqueName("Put"));
        Facade.Caller bob = Facade.admin("bob");
        String newName = Facade.uniqueName("Renamed");
        Response r = bob.json(Map.of("name", newName, "description", "moved", "rateLimit", 99)).put(BASE + "/" + id);
        r.then().statusCode(200).body("id", equalTo(id)).body("name", equalTo(newName))
                .body("description", equalTo("moved")).body("rateLimit", equalTo(99)).body("createdBy", equalTo(alice.user()));
        Scanner s = Facade.read(client, id);
        assertEquals(newName, s.getSpec().getDisplayName());
        assertEquals(99, s.getSpec().getRateLimit());
        assertEquals(bob.user(), s.getMetadata().getAnnotations().get(Labels.LAST_MODIFIED_BY), TestResources.describe(s));
        assertTrue(r.header("ETag").matches("\"[0-9]+\""), "ETag " + r.header("ETag"));
        // Fields left out stay as they are.
        bob.json(Map.of("rateLimit", 5)).put(BASE + "/" + id).then().statusCode(200)
                .body("name", equalTo(newName)).body("description", equalTo("moved")).body("rateLimit", equalTo(5));
    }

    @Test
    void putErrors() {
        String taken = Facade.uniqueName("Holder");
        Facade.createOk(alice, taken);
        String id = Facade.createOk(alice, Facade.uniqueName("Victim"));
        String before = Facade.writableState(Facade.read(client, id));

        alice.json(Map.of("rateLimit", -1)).put(BASE + "/" + id).then().statusCode(400).body("errors[0].field", equalTo("rateLimit"));
        alice.json(Map.of("name", "")).put(BASE + "/" + id).then().statusCode(400).body("errors.field", hasItem("name"));
        alice.json(Map.of("status", "Active")).put(BASE + "/" + id).then().statusCode(400).body("code", equalTo("UNKNOWN_FIELD"));
        alice.req().contentType(ContentType.JSON).body("{").put(BASE + "/" + id).then().statusCode(400).body("code", equalTo("MALFORMED_JSON"));
        alice.json(Map.of("name", taken.toLowerCase())).put(BASE + "/" + id).then().statusCode(409).body("code", equalTo("NAME_TAKEN"));
        alice.json(Map.of("rateLimit", 1)).put(BASE + "/no-such-scanner").then().statusCode(404).contentType(PROBLEM);
        alice.req().contentType(ContentType.XML).body("<x/>").put(BASE + "/" + id).then().statusCode(415);
        assertEquals(before, Facade.writableState(Facade.read(client, id)), "a rejected PUT wrote the scanner");
    }

    @Test
    void putWithAStaleIfMatchAnswers412AndWritesNothing() {
        String id = Facade.createOk(alice, Facade.uniqueName("Etag"));
        String etag = Facade.settledETag(client, alice, id);
        alice.json(Map.of("rateLimit", 1)).header("If-Match", etag).put(BASE + "/" + id).then().statusCode(200);
        Scanner after = Facade.read(client, id);
        // The first write changed the ETag: the old one is stale now.
        alice.json(Map.of("rateLimit", 2)).header("If-Match", etag).put(BASE + "/" + id)
                .then().statusCode(412).contentType(PROBLEM).body("code", equalTo("PRECONDITION_FAILED"));
        alice.req().header("If-Match", etag).delete(BASE + "/" + id).then().statusCode(412);
        alice.json(Map.of("bindingMode", "ip")).header("If-Match", etag).patch(BASE + "/" + id).then().statusCode(412);
        Scanner still = Facade.read(client, id);
        assertEquals(Facade.writableState(after), Facade.writableState(still), "a 412 wrote something");
        assertEquals(1, still.getSpec().getRateLimit());
        assertNull(client.resources(ScannerBinding.class).inNamespace(NS).withName(id).get(), "a 412 PATCH wrote a binding");
        // The current ETag works; a weak one never does.
        String current = Facade.settledETag(client, alice, id);
        alice.json(Map.of("rateLimit", 3)).header("If-Match", "W/" + current).put(BASE + "/" + id).then().statusCode(412);
        alice.json(Map.of("rateLimit", 3)).header("If-Match", current).put(BASE + "/" + id).then().statusCode(200).body("rateLimit", equalTo(3));
    }

    @Test
    void putAnswers409WhenSomeoneElseWritesInBetween() {
        String id = Facade.createOk(alice, Facade.uniqueName("Race"));
        Facade.settledETag(client, alice, id);
        Scanner before = Facade.read(client, id);
        // The API server refuses our write as stale, as it does when another writer got in first.
        server.expect().put().withPath("/apis/mipo.io/v1alpha1/namespaces/" + NS + "/scanners/" + id)
                .andReturn(409, new StatusBuilder().withCode(409).withReason("Conflict").withMessage("the object has been modified").build())
                .once();
        alice.json(Map.of("rateLimit", 7)).header("If-Match", "\"" + before.getMetadata().getResourceVersion() + "\"")
                .put(BASE + "/" + id).then().statusCode(409).contentType(PROBLEM).body("code", equalTo("WRITE_CONFLICT"));
        assertNotEquals(7, Facade.read(client, id).getSpec().getRateLimit());
    }

    // ---- PATCH (binding) ----

    @Test
    void patchChangesAndRemovesTheBinding() {
        String id = Facade.createOk(alice, Facade.uniqueName("Patch"));
        alice.json(Map.of("bindingMode", "subnet", "bindingValue", "198.51.100.0/24", "enforcement", "Audit"))
                .patch(BASE + "/" + id).then().statusCode(200)
                .body("id", equalTo(id))
                .body("binding.mode", equalTo("subnet")).body("binding.value", equalTo("198.51.100.0/24"))
                .body("binding.enforcement", equalTo("Audit"));
        ScannerBinding b = client.resources(ScannerBinding.class).inNamespace(NS).withName(id).get();
        assertEquals(BindingMode.subnet, b.getSpec().getMode(), TestResources.describe(b));
        assertEquals("Audit", b.getSpec().getEnforcement().name());
        // merge-patch+json is accepted as well
        alice.req().contentType("application/merge-patch+json").body("{\"bindingMode\":\"none\"}").patch(BASE + "/" + id)
                .then().statusCode(200).body("binding.mode", equalTo("none"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertNull(client.resources(ScannerBinding.class).inNamespace(NS).withName(id).get()));
    }

    @Test
    void patchErrors() {
        String id = Facade.createOk(alice, Facade.uniqueName("PatchErr"));
        alice.json(Map.of("bindingMode", "ip", "bindingValue", "300.1.1.1")).patch(BASE + "/" + id)
                .then().statusCode(400).body("errors[0].field", equalTo("bindingValue"));
        alice.json(Map.of("bindingValue", "10.0.0.1")).patch(BASE + "/" + id)
                .then().statusCode(400).body("errors[0].field", equalTo("bindingMode"));
        alice.json(Map.of("bindingMode", "ip", "enforcement", "Loud")).patch(BASE + "/" + id)
                .then().statusCode(400).body("errors[0].field", equalTo("enforcement"));
        alice.json(Map.of("bindingMode", "ip", "name", "x")).patch(BASE + "/" + id)
                .then().statusCode(400).body("code", equalTo("UNKNOWN_FIELD"));
        alice.json(Map.of("bindingMode", "ip")).patch(BASE + "/no-such-scanner").then().statusCode(404);
        assertNull(client.resources(ScannerBinding.class).inNamespace(NS).withName(id).get(), "a rejected PATCH wrote a binding");
    }

    // ---- binding details and release ----

    @Test
    void bindingDetailsAndRelease() {
        String id = Facade.create(alice, Map.of("name", Facade.uniqueName("Rel"), "bindingMode", "ip", "bindingValue", "192.0.2.10"))
                .then().statusCode(201).extract().path("scanner.id");
        alice.req().get(BASE + "/" + id + "/binding").then().statusCode(200)
                .body("mode", equalTo("ip")).body("value", equalTo("192.0.2.10")).body("mismatchCount", equalTo(0));
        alice.req().post(BASE + "/" + id + "/release-binding").then().statusCode(200).body("mode", equalTo("ip"));
        ScannerBinding b = client.resources(ScannerBinding.class).inNamespace(NS).withName(id).get();
        assertTrue(b.getSpec().getValue() == null || b.getSpec().getValue().isEmpty(), TestResources.describe(b));
        alice.req().get(BASE + "/no-such-scanner/binding").then().statusCode(404).contentType(PROBLEM);
        alice.req().post(BASE + "/no-such-scanner/release-binding").then().statusCode(404).contentType(PROBLEM);
    }

    // ---- disable / enable ----

    @Test
    void disableAndEnableAreIdempotent() {
        String id = Facade.createOk(alice, Facade.uniqueName("Toggle"));
        alice.req().post(BASE + "/" + id + "/disable").then().statusCode(200).body("status", equalTo("Disabled"));
        Scanner once = Facade.read(client, id);
        assertTrue(once.getSpec().getDisabled(), TestResources.describe(once));
        alice.req().post(BASE + "/" + id + "/disable").then().statusCode(200).body("status", equalTo("Disabled"));
        assertEquals(once.getSpec().getDisabled(), Facade.read(client, id).getSpec().getDisabled());
        assertEquals(once.getMetadata().getGeneration(), Facade.read(client, id).getMetadata().getGeneration(),
                "disabling twice wrote the spec twice");
        alice.req().post(BASE + "/" + id + "/enable").then().statusCode(200).body("status", not(equalTo("Disabled")));
        alice.req().post(BASE + "/" + id + "/enable").then().statusCode(200);
        assertEquals(Boolean.FALSE, Facade.read(client, id).getSpec().getDisabled());
        // The reconciler agrees.
        TestResources.awaitStatus(client, NS, id, s -> s.getStatus() != null && s.getStatus().getPhase() != null
                && s.getStatus().getPhase().name().equals("Pending"));
        alice.req().post(BASE + "/no-such-scanner/disable").then().statusCode(404);
        alice.req().post(BASE + "/no-such-scanner/enable").then().statusCode(404);
    }

    // ---- regenerate-token ----

    @Test
    void regenerateTokenIssuesADifferentToken() {
        Response created = Facade.create(alice, Map.of("name", Facade.uniqueName("Regen")));
        String id = created.path("scanner.id");
        String first = created.path("token");
        Facade.Caller carol = Facade.admin("carol");
        Response r = carol.req().post(BASE + "/" + id + "/regenerate-token");
        r.then().statusCode(200).body("token", matchesPattern(Facade.TOKEN_REGEX))
                .body("installCommand", containsString("MIPO_TOKEN=")).body("tokenExpiresAt", notNullValue());
        assertNotEquals(first, r.path("token"));
        assertEquals(carol.user(), Facade.read(client, id).getMetadata().getAnnotations().get(Labels.LAST_MODIFIED_BY));
        alice.req().post(BASE + "/no-such-scanner/regenerate-token").then().statusCode(404);
    }

    // ---- DELETE ----

    @Test
    void deleteAnswers204AndTheScannerIsGone() {
        String id = Facade.createOk(alice, Facade.uniqueName("Del"));
        assertNotNull(client.secrets().inNamespace(NS).withName(id + "-provisioning").get(), "no provisioning Secret to revoke");
        alice.req().delete(BASE + "/" + id).then().statusCode(204);
        // Gone for the facade at once, even while the finalizer runs.
        alice.req().get(BASE + "/" + id).then().statusCode(404);
        alice.req().delete(BASE + "/" + id).then().statusCode(404);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertNull(Facade.read(client, id)));
        assertNull(client.secrets().inNamespace(NS).withName(id + "-provisioning").get(), "the provisioning token was not revoked");
    }

    @Test
    void aScannerDeletedWithKubectlDisappearsFromTheFacade() {
        String id = Facade.createOk(alice, Facade.uniqueName("KDel"));
        client.resources(Scanner.class).inNamespace(NS).withName(id).delete();
        Facade.awaitFacade(alice, id, r -> r.statusCode() == 404);
    }

    // ---- literal paths ----

    @Test
    void literalPathsAreNeverTakenForIds() {
        // Even a scanner literally named like a route (made with kubectl) does not shadow it.
        for (String literal : new String[]{"binary-hash", "install-script-preview", "source-code", "filter-values"}) {
            if (Facade.read(client, literal) == null) {
                Facade.kubectlCreate(client, literal, Facade.uniqueName("Literal"));
            }
        }
        alice.req().get(BASE + "/filter-values").then().statusCode(200).body("status", notNullValue()).body("id", nullValue());
        alice.req().get(BASE + "/binary-hash").then().statusCode(200).body("artifacts", notNullValue()).body("id", nullValue());
        alice.req().get(BASE + "/install-script-preview").then().statusCode(200).contentType(containsString("text/plain"))
                .body(startsWith("#!/bin/sh"));
        alice.req().get(BASE + "/source-code").then().statusCode(200).contentType("application/gzip");
        // Writes to a literal path are not writes to a scanner of that name.
        alice.json(Map.of("rateLimit", 5)).put(BASE + "/binary-hash").then().statusCode(405).contentType(PROBLEM);
        alice.req().delete(BASE + "/source-code").then().statusCode(405).contentType(PROBLEM);
        alice.json(Map.of("bindingMode", "ip")).patch(BASE + "/install-script-preview").then().statusCode(405);
        alice.req().delete(BASE + "/filter-values").then().statusCode(405);
        assertNotNull(Facade.read(client, "source-code"));
        assertNotNull(Facade.read(client, "filter-values"));
        assertEquals(0, Facade.read(client, "binary-hash").getSpec().getRateLimit() == null ? 0 : Facade.read(client, "binary-hash").getSpec().getRateLimit());
    }

    // ---- agent distribution (needs the scanner-image build in scanner-image/target, as the reactor build makes it) ----

    private static java.util.Properties builtBundles() throws java.io.IOException {
        java.util.Properties p = new java.util.Properties();
        try (var in = java.nio.file.Files.newInputStream(TestResources.projectRoot().resolve("scanner-image/target/bundles.properties"))) {
            p.load(in);
        }
        return p;
    }

    @Test
    void binaryHashReportsTheBuiltBundles() throws Exception {
        java.util.Properties built = builtBundles();
        String sha = built.getProperty("bundle.linux-amd64.sha256");
        alice.req().get(BASE + "/binary-hash").then().statusCode(200)
                .body("version", equalTo(built.getProperty("version")))
                .body("sha256", equalTo(sha))
                .body("artifacts.find { it.os == 'linux' && it.arch == 'amd64' }.sha256", equalTo(sha))
                .body("artifacts.find { it.os == 'linux' && it.arch == 'amd64' }.size",
                        equalTo(Integer.parseInt(built.getProperty("bundle.linux-amd64.size"))));
    }

    @Test
    void installScriptPreviewEmbedsTheHashAndOnlyAPlaceholderToken() throws Exception {
        String sha = builtBundles().getProperty("bundle.linux-amd64.sha256");
        String script = alice.req().get(BASE + "/install-script-preview").then().statusCode(200)
                .contentType(containsString("text/plain")).extract().asString();
        assertTrue(script.startsWith("#!/bin/sh"), script.substring(0, Math.min(80, script.length())));
        assertTrue(script.contains(sha), "the bundle hash is not embedded");
        assertTrue(script.contains(io.mipo.operator.distribution.AgentDistribution.PLACEHOLDER_TOKEN), "no placeholder token");
        assertTrue(!script.matches("(?s).*mipo_pt_[0-9A-Za-z]{38}.*"), "a real token in the preview");
        assertTrue(!script.matches("(?s).*@@[A-Z0-9_]+@@.*"), "a template placeholder was left");
    }

    @Test
    void sourceCodeServesTheArchiveAndItsListing() throws Exception {
        byte[] tarball = alice.req().get(BASE + "/source-code").then().statusCode(200).contentType("application/gzip")
                .header("Content-Disposition", containsString("attachment")).extract().asByteArray();
        byte[] onDisk = java.nio.file.Files.readAllBytes(TestResources.projectRoot().resolve("scanner-image/target/mipo-scanner-source.tar.gz"));
        assertTrue(java.util.Arrays.equals(onDisk, tarball), "the served archive differs from the built one");
        java.nio.file.Path main = TestResources.projectRoot().resolve("scanner-image/src/main/java/io/mipo/scanner/Main.java");
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(java.nio.file.Files.readAllBytes(main)));
        alice.req().get(BASE + "/source-code?format=json").then().statusCode(200).contentType(containsString("application/json"))
                .body("find { it.path.endsWith('io/mipo/scanner/Main.java') }.sha256", equalTo(sha));
        alice.req().get(BASE + "/source-code?format=zip").then().statusCode(400).contentType(PROBLEM)
                .body("errors[0].field", equalTo("format"));
    }

    @Test
    void problemsNeverEchoTokens() {
        Response created = Facade.create(alice, Map.of("name", Facade.uniqueName("Echo")));
        String token = created.path("token");
        alice.req().contentType(ContentType.JSON).body("{\"name\": \"" + token + "\"}").post(BASE)
                .then().statusCode(400).body(not(containsString(token)));
        alice.req().contentType(ContentType.JSON).body("{\"name\": \"x\", \"token\": \"" + token + "\"}").post(BASE)
                .then().statusCode(400).body(not(containsString(token)));
        alice.req().contentType(ContentType.JSON).body("{\"name\": \"" + token + "\"").post(BASE)
                .then().statusCode(400).body(not(containsString(token)));
    }

    @Test
    void unknownPathsUnderTheFacadeAnswerProblem404() {
        alice.req().get(BASE + "/x/y/z").then().statusCode(404).contentType(PROBLEM);
        alice.req().get(BASE + "/" + "a".repeat(10)).then().statusCode(404).contentType(PROBLEM).body("detail", startsWith("scanner"));
    }

    @Test
    void everyListedScannerHasAView() {
        Facade.createOk(alice, Facade.uniqueName("Any"));
        alice.req().get(BASE + "?pageSize=200").then().statusCode(200)
                .body("items.id", everyItem(notNullValue())).body("items.status", everyItem(notNullValue()));
    }
}
