package io.mipo.operator.api.config;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.api.auth.FakeKubeAuth;
import io.mipo.operator.group.GroupTestProfile;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerGroup;
import io.mipo.operator.model.ScannerGroupSpec;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The groups API (docs/api.md) through success and errors, with membership kept as labels on the Scanners. */
@QuarkusTest
@TestProfile(GroupTestProfile.class)
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class GroupApiTest {
    private static final String BASE = "/api/config/scanner-groups";
    private static final AtomicInteger RUN = new AtomicInteger();

    @Inject
    KubernetesClient client;

    @KubernetesTestServer
    KubernetesServer server;

    String ns;
    String p;

    @BeforeEach
    void names() {
        ns = apiNamespace();
        p = "g" + RUN.incrementAndGet() + Long.toHexString(System.nanoTime() & 0xfff);
    }

    @Test
    void createShowsMembersAsLabelsAndRatesFollow() {
        scanner(p + "-a", null);
        scanner(p + "-b", null);
        Response r = api().body(Map.of("name", p + "-Edge", "description", "public edge",
                        "scanners", List.of(p + "-a", p + "-b", p + "-a"),
                        "targets", List.of(Map.of("subnet", "10.0.0.5/24", "ports", "443, 22", "rateLimit", 600))))
                .post(BASE);
        assertEquals(201, r.statusCode(), r.asString());
        String id = (p + "-edge");
        JsonPath j = r.jsonPath();
        assertEquals(id, j.getString("id"));
        assertEquals(p + "-Edge", j.getString("name"));
        assertEquals(List.of(p + "-a", p + "-b"), j.getList("scanners"), "duplicates are dropped");
        assertEquals("10.0.0.0/24", j.getString("targets[0].subnet"));
        assertEquals("443,22", j.getString("targets[0].ports"));
        assertEquals(2, j.getInt("memberCount"));
        assertEquals("Ready", j.getString("status"));
        assertTrue(j.getBoolean("managedMembership"));
        assertNotNull(j.getString("createdBy"));
        assertNotNull(r.header("ETag"), "writes answer the new ETag");
        assertTrue(r.header("Location").endsWith(BASE + "/" + id), r.header("Location"));

        // kubectl users see the same membership: a label on each member, a selector on the group.
        for (String s : List.of(p + "-a", p + "-b")) {
            assertEquals("true", labels(s).get("mipo.io/group." + id), s + ": " + labels(s));
        }
        ScannerGroup g = client.resources(ScannerGroup.class).inNamespace(ns).withName(id).get();
        assertEquals(Map.of("mipo.io/group." + id, "true"), g.getSpec().getSelector().getMatchLabels());
        assertEquals(j.getString("createdBy"), g.getMetadata().getAnnotations().get("mipo.io/created-by"));

        // The reconcilers take it from there: 600 pps over 2 members.
        awaitRate(p + "-a", 300.0);
        awaitRate(p + "-b", 300.0);
        JsonPath d = awaitDetails(id, x -> x.getList("targets[0].members").size() == 2);
        assertEquals(300.0, d.getDouble("targets[0].perMemberRate"));
        assertEquals(600, d.getInt("targets[0].rateLimit"));
        assertEquals(300.0, d.getDouble("targets[0].members[0].maxProbesPerSecond"));
        assertEquals("subnet", d.getString("targets[0].members[0].limitedBy"));
        assertEquals(List.of(p + "-a", p + "-b"), d.getList("members.id"));
        assertEquals("Pending", d.getString("members[0].status"));

        JsonPath one = api().get(BASE + "/" + id).then().statusCode(200).extract().jsonPath();
        assertEquals(List.of(p + "-a", p + "-b"), one.getList("scanners"));
        delete(id);
    }

    @Test
    void updateReplacesMembersAndTargetsAndDeleteRemovesTheLabels() {
        scanner(p + "-a", null);
        scanner(p + "-b", null);
        scanner(p + "-c", null);
        String id = create(p + "-team", List.of(p + "-a", p + "-b"), List.of(Map.of("subnet", "192.0.2.0/24", "ports", "22", "rateLimit", 10)));
        awaitRate(p + "-a", 5.0);
        String etag = api().get(BASE + "/" + id).header("ETag");

        Response r = api().header("If-Match", etag)
                .body(Map.of("name", p + "-Team2", "scanners", List.of(p + "-b", p + "-c"),
                        "targets", List.of(Map.of("subnet", "192.0.2.0/24", "ports", "22,80", "rateLimit", 10, "portListRateLimit", 4))))
                .put(BASE + "/" + id);
        assertEquals(200, r.statusCode(), r.asString());
        assertEquals(p + "-Team2", r.jsonPath().getString("name"));
        assertEquals(id, r.jsonPath().getString("id"), "the id never changes");
        assertEquals(List.of(p + "-b", p + "-c"), r.jsonPath().getList("scanners"));
        assertNull(labels(p + "-a").get("mipo.io/group." + id), "a left the group: " + labels(p + "-a"));
        assertEquals("true", labels(p + "-c").get("mipo.io/group." + id));
        TestResources.awaitStatus(client, ns, p + "-a", s -> s.getStatus() != null && s.getStatus().getAssignments() == null);
        awaitRate(p + "-c", 4.0);

        // The old ETag is stale now.
        Response stale = api().header("If-Match", etag).body(Map.of("description", "x")).put(BASE + "/" + id);
        assertProblem(stale, 412, "PRECONDITION_FAILED");

        // A description-only edit leaves members and targets alone.
        JsonPath edited = api().body(Map.of("description", "second")).put(BASE + "/" + id).then().statusCode(200).extract().jsonPath();
        assertEquals("second", edited.getString("description"));
        assertEquals(List.of(p + "-b", p + "-c"), edited.getList("scanners"));
        assertEquals("22,80", edited.getString("targets[0].ports"));

        assertEquals(204, api().delete(BASE + "/" + id).statusCode());
        assertNull(client.resources(ScannerGroup.class).inNamespace(ns).withName(id).get());
        for (String s : List.of(p + "-b", p + "-c")) {
            assertNull(labels(s).get("mipo.io/group." + id), s + ": " + labels(s));
            TestResources.awaitStatus(client, ns, s, x -> x.getStatus() != null && x.getStatus().getAssignments() == null);
        }
        assertProblem(api().get(BASE + "/" + id), 404, "NOT_FOUND");
        assertProblem(api().delete(BASE + "/" + id), 404, "NOT_FOUND");
        assertProblem(api().body(Map.of("description", "x")).put(BASE + "/" + id), 404, "NOT_FOUND");
        assertProblem(api().get(BASE + "/" + id + "/details"), 404, "NOT_FOUND");
    }

    @Test
    void badRequestsAreRefusedWithTheFieldNamedAndNothingWritten() {
        scanner(p + "-a", null);
        assertField(api().body(Map.of("name", p + "-x", "scanners", List.of())).post(BASE), "scanners", "NoMembers");
        assertField(api().body(Map.of("name", p + "-x")).post(BASE), "scanners", "NoMembers");
        assertField(api().body(Map.of("scanners", List.of(p + "-a"))).post(BASE), "name", "Required");
        assertField(api().body(Map.of("name", "bad name!", "scanners", List.of(p + "-a"))).post(BASE), "name", "InvalidDisplayName");
        assertField(api().body(Map.of("name", p + "-" + "x".repeat(60), "scanners", List.of(p + "-a"))).post(BASE), "name", null);
        assertField(api().body(Map.of("name", p + "-x", "scanners", List.of(p + "-a", p + "-nope"))).post(BASE), "scanners[1]", "UnknownScanner");
        Response ports = api().body(Map.of("name", p + "-x", "scanners", List.of(p + "-a"),
                "targets", List.of(Map.of("subnet", "10.0.0.0/8", "ports", "22,9000-8000")))).post(BASE);
        assertField(ports, "targets[0].ports", "InvalidPorts");
        assertTrue(ports.jsonPath().getString("errors[0].message").contains("9000-8000"), ports.asString());
        assertField(api().body(Map.of("name", p + "-x", "scanners", List.of(p + "-a"),
                "targets", List.of(Map.of("subnet", "10.0.0.0/33")))).post(BASE), "targets[0].subnet", "InvalidSubnet");
        assertField(api().body(Map.of("name", p + "-x", "scanners", List.of(p + "-a"),
                "targets", List.of(Map.of("subnet", "10.0.0.0/8", "rateLimit", 100_001)))).post(BASE), "targets[0].rateLimit", "RateLimitOutOfRange");
        Response malformed = api().body("{\"name\": ").post(BASE);
        assertEquals(400, malformed.statusCode(), malformed.asString());
        assertEquals("application/problem+json", malformed.contentType().split(";")[0], malformed.asString());
        assertEquals(415, given().contentType(ContentType.TEXT).body("x").post(BASE).statusCode());

        // Nothing of the refused groups was written.
        assertNull(client.resources(ScannerGroup.class).inNamespace(ns).withName(p + "-x").get());
        assertTrue(labels(p + "-a").keySet().stream().noneMatch(k -> k.startsWith("mipo.io/group.")), labels(p + "-a").toString());

        // Names are unique case-insensitively: 409, and the first group is untouched.
        String id = create(p + "-Dup", List.of(p + "-a"), null);
        assertProblem(api().body(Map.of("name", p + "-DUP", "scanners", List.of(p + "-a"))).post(BASE), 409, "NAME_TAKEN");
        String other = create(p + "-Other", List.of(p + "-a"), null);
        assertProblem(api().body(Map.of("name", p + "-dup")).put(BASE + "/" + other), 409, "NAME_TAKEN");
        assertField(api().body(Map.of("scanners", List.of())).put(BASE + "/" + other), "scanners", "NoMembers");
        assertEquals(List.of(p + "-a"), api().get(BASE + "/" + id).jsonPath().getList("scanners"));
        delete(id);
        delete(other);
    }

    @Test
    void groupsMadeWithKubectlSelectorsKeepTheirSelector() {
        scanner(p + "-k", Map.of("site", p));
        ScannerGroup g = new ScannerGroup();
        g.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(p + "-kube").build());
        ScannerGroupSpec spec = new ScannerGroupSpec();
        spec.setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("site", p)).build());
        g.setSpec(spec);
        client.resource(g).create();

        JsonPath v = await().atMost(Duration.ofSeconds(20)).until(() -> api().get(BASE + "/" + p + "-kube"),
                x -> x.statusCode() == 200 && x.jsonPath().getList("scanners").size() == 1).jsonPath();
        assertFalse(v.getBoolean("managedMembership"));
        assertEquals(List.of(p + "-k"), v.getList("scanners"));
        assertProblem(api().body(Map.of("scanners", List.of(p + "-k"))).put(BASE + "/" + p + "-kube"), 409, "MEMBERSHIP_BY_SELECTOR");
        // Other fields may still be edited.
        assertEquals(200, api().body(Map.of("description", "from the UI")).put(BASE + "/" + p + "-kube").statusCode());
        assertEquals(Map.of("site", p), client.resources(ScannerGroup.class).inNamespace(ns).withName(p + "-kube").get()
                .getSpec().getSelector().getMatchLabels());
        delete(p + "-kube");
    }

    @Test
    void listFiltersSortsPagesAndCountsFilterValues() {
        scanner(p + "-a", null);
        scanner(p + "-b", null);
        String one = create(p + "-Alpha", List.of(p + "-a"), null);
        String two = create(p + "-Beta", List.of(p + "-a", p + "-b"), null);
        String three = create(p + "-Gamma", List.of(p + "-b"), List.of(Map.of("subnet", "10.0.0.0/8")));
        await().atMost(Duration.ofSeconds(20)).until(() -> api().queryParam("q", p).get(BASE).jsonPath().getInt("total") == 3
                && api().queryParam("scanner", p + "-b").get(BASE).jsonPath().getInt("total") == 2);

        JsonPath byMembers = api().queryParam("q", p).queryParam("sort", "memberCount").queryParam("order", "desc").get(BASE).jsonPath();
        assertEquals(two, byMembers.getString("items[0].id"), byMembers.prettify());
        JsonPath page2 = api().queryParam("q", p).queryParam("pageSize", "2").queryParam("page", "2").get(BASE).jsonPath();
        assertEquals(3, page2.getInt("total"));
        assertEquals(List.of(three), page2.getList("items.id"));
        assertEquals(List.of(one), api().queryParam("q", p + "-alp").get(BASE).jsonPath().getList("items.id"));
        assertEquals(List.of(one, two), api().queryParam("q", p).queryParam("scanner", p + "-a," + p + "-nobody")
                .queryParam("scanner", p + "-zzz").get(BASE).jsonPath().getList("items.id"), "filters of one kind are OR-ed");

        JsonPath fv = api().get(BASE + "/filter-values").then().statusCode(200).extract().jsonPath();
        assertEquals(2, fv.getInt("scanner.find { it.value == '" + p + "-a' }.count"), fv.prettify());
        assertEquals(2, fv.getInt("scanner.find { it.value == '" + p + "-b' }.count"), fv.prettify());
        assertTrue(fv.getInt("status.find { it.value == 'Ready' }.count") >= 3, fv.prettify());

        assertField(api().queryParam("sort", "color").get(BASE), "sort", "UnknownSort");
        assertField(api().queryParam("pageSize", "0").get(BASE), "pageSize", "OutOfRange");
        assertField(api().queryParam("status", "Happy").get(BASE), "status", "UnknownStatus");
        delete(one);
        delete(two);
        delete(three);
    }

    @Test
    void theGroupCapIsEnforced() {
        scanner(p + "-a", null);
        int existing = client.resources(ScannerGroup.class).inNamespace(ns).list().getItems().size();
        List<String> made = new ArrayList<>();
        for (int i = existing; i < GroupTestProfile.MAX_GROUPS; i++) {
            made.add(create(p + "-cap" + i, List.of(p + "-a"), null));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> api().get(BASE).jsonPath().getInt("total") >= GroupTestProfile.MAX_GROUPS);
        assertProblem(api().body(Map.of("name", p + "-one-too-many", "scanners", List.of(p + "-a"))).post(BASE), 409, "GROUP_LIMIT_REACHED");
        assertNull(client.resources(ScannerGroup.class).inNamespace(ns).withName(p + "-one-too-many").get());
        made.forEach(this::delete);
    }

    @Test
    void accessFollowsKubernetesRulesOnScannerGroups() {
        FakeKubeAuth.install(server);
        scanner(p + "-a", null);
        Response anonymous = given().contentType(ContentType.JSON).body(Map.of("name", p + "-anon", "scanners", List.of(p + "-a"))).post(BASE);
        assertProblem(anonymous, 401, "UNAUTHENTICATED");
        assertProblem(given().get(BASE), 401, "UNAUTHENTICATED");

        String viewer = FakeKubeAuth.newUser("viewer");
        FakeKubeAuth.allow(viewer, "list scannergroups", "get scannergroups");
        String viewerToken = FakeKubeAuth.token(viewer);
        assertEquals(200, as(viewerToken).get(BASE).statusCode());
        Response refused = as(viewerToken).body(Map.of("name", p + "-viewer", "scanners", List.of(p + "-a"))).post(BASE);
        assertProblem(refused, 403, "FORBIDDEN");
        assertNull(client.resources(ScannerGroup.class).inNamespace(ns).withName(p + "-viewer").get(), "a refused call writes nothing");
        assertTrue(labels(p + "-a").isEmpty(), labels(p + "-a").toString());
        assertTrue(FakeKubeAuth.accessAsked().stream().anyMatch(a -> "create".equals(a.getVerb())
                && "scannergroups".equals(a.getResource()) && "mipo.io".equals(a.getGroup()) && ns.equals(a.getNamespace())),
                "the SubjectAccessReview asks for create on scannergroups.mipo.io: " + FakeKubeAuth.accessAsked());

        // Someone allowed to create groups becomes their createdBy.
        String editor = FakeKubeAuth.newUser("editor");
        FakeKubeAuth.allow(editor, "create scannergroups", "get scannergroups", "delete scannergroups");
        Response made = as(FakeKubeAuth.token(editor)).body(Map.of("name", p + "-Editors", "scanners", List.of(p + "-a"))).post(BASE);
        assertEquals(201, made.statusCode(), made.asString());
        assertEquals(editor, made.jsonPath().getString("createdBy"));
        assertEquals(editor, client.resources(ScannerGroup.class).inNamespace(ns).withName(p + "-editors").get()
                .getMetadata().getAnnotations().get("mipo.io/created-by"));
        assertProblem(as(viewerToken).delete(BASE + "/" + p + "-editors"), 403, "FORBIDDEN");
        assertEquals(204, as(FakeKubeAuth.token(editor)).delete(BASE + "/" + p + "-editors").statusCode());
    }

    @Test
    void requestBodiesAreReadStrictly() {
        scanner(p + "-a", null);
        Response unknown = api().body(Map.of("name", p + "-x", "scanners", List.of(p + "-a"), "colour", "blue")).post(BASE);
        assertProblem(unknown, 400, "UNKNOWN_FIELD");
        assertTrue(unknown.asString().contains("colour"), unknown.asString());
        Response nested = api().body(Map.of("name", p + "-x", "scanners", List.of(p + "-a"),
                "targets", List.of(Map.of("subnet", "10.0.0.0/8", "rate", 5)))).post(BASE);
        assertEquals(400, nested.statusCode(), nested.asString());
        Response fraction = api().body(Map.of("name", p + "-x", "scanners", List.of(p + "-a"),
                "targets", List.of(Map.of("subnet", "10.0.0.0/8", "rateLimit", 2.5)))).post(BASE);
        assertEquals(400, fraction.statusCode(), fraction.asString());
        assertNull(client.resources(ScannerGroup.class).inNamespace(ns).withName(p + "-x").get());
    }

    // ---- helpers ----

    private static RequestSpecification as(String token) {
        return given().contentType(ContentType.JSON).accept(ContentType.JSON).header("Authorization", "Bearer " + token);
    }

    private String apiNamespace() {
        return "default";
    }

    private RequestSpecification api() {
        return given().contentType(ContentType.JSON).accept(ContentType.JSON)
                .header("Authorization", "Bearer " + GroupTestProfile.ADMIN_TOKEN);
    }

    private String create(String name, List<String> scanners, List<Map<String, Object>> targets) {
        Map<String, Object> body = new HashMap<>(Map.of("name", name, "scanners", scanners));
        if (targets != null) {
            body.put("targets", targets);
        }
        Response r = api().body(body).post(BASE);
        assertEquals(201, r.statusCode(), r.asString());
        return r.jsonPath().getString("id");
    }

    private void delete(String id) {
        Response r = api().delete(BASE + "/" + id);
        assertEquals(204, r.statusCode(), r.asString());
    }

    private void scanner(String name, Map<String, String> labels) {
        Scanner s = TestResources.scanner(ns, name, null);
        if (labels != null) {
            s.getMetadata().setLabels(labels);
        }
        client.resource(s).create();
    }

    private Map<String, String> labels(String scanner) {
        Map<String, String> l = client.resources(Scanner.class).inNamespace(ns).withName(scanner).get().getMetadata().getLabels();
        return l == null ? Map.of() : l;
    }

    private void awaitRate(String scanner, double rate) {
        TestResources.awaitStatus(client, ns, scanner, s -> s.getStatus() != null && s.getStatus().getAssignments() != null
                && s.getStatus().getAssignments().size() == 1 && s.getStatus().getAssignments().get(0).getMaxProbesPerSecond() == rate);
    }

    private JsonPath awaitDetails(String id, java.util.function.Predicate<JsonPath> until) {
        List<String> seen = new ArrayList<>();
        try {
            return await().atMost(Duration.ofSeconds(20)).until(() -> {
                Response r = api().get(BASE + "/" + id + "/details");
                seen.add(r.asString());
                return r.jsonPath();
            }, until);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("details never matched; last: " + (seen.isEmpty() ? "none" : seen.get(seen.size() - 1)), e);
        }
    }

    private static void assertProblem(Response r, int status, String code) {
        assertEquals(status, r.statusCode(), r.asString());
        assertEquals("application/problem+json", r.contentType().split(";")[0], r.asString());
        if (code != null) {
            assertEquals(code, r.jsonPath().getString("code"), r.asString());
        }
    }

    private static void assertField(Response r, String field, String reason) {
        assertProblem(r, 400, "VALIDATION_FAILED");
        List<Map<String, String>> errors = r.jsonPath().getList("errors");
        assertTrue(errors != null && errors.stream().anyMatch(e -> field.equals(e.get("field")) && (reason == null || reason.equals(e.get("reason")))),
                "expected an error on " + field + (reason == null ? "" : " (" + reason + ")") + ": " + r.asString());
    }
}
