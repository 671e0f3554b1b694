package io.mipo.operator.api.config;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.api.auth.FakeKubeAuth;
import io.mipo.operator.model.AgentInfo;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerGroup;
import io.mipo.operator.model.ScannerGroupSpec;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.mipo.operator.api.config.Facade.BASE;
import static io.mipo.operator.api.config.Facade.NS;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** GET /api/config/scanners (filters, sorting, paging), filter-values, and GET /api/scanners. */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class ScannerListTest {
    private static final String PROBLEM = "application/problem+json";

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    Facade.Caller dana;

    @Inject
    ScannerIndex index;

    @BeforeEach
    void setUp() {
        FakeKubeAuth.install(server);
        dana = Facade.admin("dana");
        // Reads on the event loop answer 503 CACHE_NOT_READY until the facade's cache has listed once
        // (readiness keeps real clients away until then); a test that starts with a read waits for it.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(index::isSynced);
    }

    /** Creates scanners as dana (each test has its own dana, so createdBy=dana isolates a test's scanners). */
    private List<String> createMine(String prefix, int... rates) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < rates.length; i++) {
            Map<String, Object> body = new HashMap<>();
            body.put("name", prefix + "-" + (char) ('c' - i));
            body.put("rateLimit", rates[i]);
            body.put("description", i == 1 ? "Needle in rack " + i : "rack " + i);
            ids.add(Facade.create(dana, body).then().statusCode(201).extract().path("scanner.id"));
        }
        return ids;
    }

    private Response list(String query) {
        return dana.req().get(BASE + "?createdBy=" + dana.user() + (query.isEmpty() ? "" : "&" + query));
    }

    @Test
    void listSortsPagesAndCounts() {
        String p = Facade.uniqueName("L");
        createMine(p, 30, 10, 20); // names p-c, p-b, p-a
        list("").then().statusCode(200).body("total", equalTo(3)).body("page", equalTo(1)).body("pageSize", equalTo(50))
                .body("items.name", contains(p + "-a", p + "-b", p + "-c"));
        list("sort=name&order=desc").then().body("items.name", contains(p + "-c", p + "-b", p + "-a"));
        list("sort=rateLimit").then().body("items.rateLimit", contains(10, 20, 30));
        list("sort=rateLimit&order=desc").then().body("items.rateLimit", contains(30, 20, 10));
        list("sort=createdAt").then().body("items.size()", is(3));
        list("sort=status").then().body("items.size()", is(3));
        list("pageSize=2").then().body("total", equalTo(3)).body("items.name", contains(p + "-a", p + "-b"));
        list("pageSize=2&page=2").then().body("total", equalTo(3)).body("page", equalTo(2)).body("items.name", contains(p + "-c"));
        list("pageSize=2&page=9").then().body("total", equalTo(3)).body("items.size()", is(0));
    }

    @Test
    void listFilters() {
        String p = Facade.uniqueName("F");
        List<String> ids = createMine(p, 1, 2, 3);
        dana.req().post(BASE + "/" + ids.get(0) + "/disable").then().statusCode(200);
        dana.json(Map.of("bindingMode", "asn", "bindingValue", "AS64500")).patch(BASE + "/" + ids.get(2)).then().statusCode(200);

        list("status=Disabled").then().body("total", equalTo(1)).body("items[0].id", equalTo(ids.get(0)));
        list("status=disabled,pending").then().body("total", equalTo(3));
        list("status=Disabled&status=Pending").then().body("total", equalTo(3));
        list("bindingMode=asn").then().body("total", equalTo(1)).body("items[0].id", equalTo(ids.get(2)));
        list("bindingMode=none").then().body("total", equalTo(2));
        list("q=NEEDLE").then().body("total", equalTo(1)).body("items[0].id", equalTo(ids.get(1)));
        list("q=" + p.toLowerCase() + "-c").then().body("total", equalTo(1));
        list("q=rack&status=Pending&bindingMode=none").then().body("total", equalTo(1)).body("items[0].id", equalTo(ids.get(1)));
        dana.req().get(BASE + "?createdBy=nobody-at-all").then().body("total", equalTo(0));
    }

    @Test
    void listFiltersByGroupAndShowsGroups() {
        String p = Facade.uniqueName("G");
        List<String> ids = createMine(p, 1, 2);
        String group = Facade.uniqueName("grp").toLowerCase();
        ScannerGroup g = new ScannerGroup();
        g.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName(group).build());
        ScannerGroupSpec spec = new ScannerGroupSpec();
        spec.setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("mipo.io/group." + group, "true")).build());
        g.setSpec(spec);
        client.resource(g).create();
        TestResources.modify(client, Scanner.class, NS, ids.get(0), s -> s.getMetadata().setLabels(Map.of("mipo.io/group." + group, "true")));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                list("group=" + group).then().body("total", equalTo(1)).body("items[0].id", equalTo(ids.get(0)))
                        .body("items[0].groups", contains(group)));
        dana.req().get(BASE + "/filter-values").then().statusCode(200)
                .body("group.find { it.value == '" + group + "' }.count", equalTo(1));
    }

    @Test
    void listRejectsBadParameters() {
        for (String q : new String[]{"sort=colour", "order=sideways", "page=0", "page=abc", "pageSize=0", "pageSize=201",
                "status=Sleeping", "bindingMode=dns"}) {
            String field = q.substring(0, q.indexOf('='));
            dana.req().get(BASE + "?" + q).then().statusCode(400).contentType(PROBLEM)
                    .body("code", equalTo("VALIDATION_FAILED")).body("errors[0].field", equalTo(field));
        }
        dana.req().get(BASE + "?pageSize=200").then().statusCode(200);
    }

    @Test
    void filterValuesCountEachDistinctValue() {
        String p = Facade.uniqueName("V");
        JsonPath before = dana.req().get(BASE + "/filter-values").then().statusCode(200).extract().jsonPath();
        List<String> ids = createMine(p, 1, 2, 3);
        dana.req().post(BASE + "/" + ids.get(0) + "/disable").then().statusCode(200);
        dana.json(Map.of("bindingMode", "subnet")).patch(BASE + "/" + ids.get(1)).then().statusCode(200);
        JsonPath after = dana.req().get(BASE + "/filter-values").then().statusCode(200).extract().jsonPath();

        assertEquals(3, count(after, "createdBy", dana.user()), after.prettify());
        assertEquals(count(before, "status", "Disabled") + 1, count(after, "status", "Disabled"), after.prettify());
        assertEquals(count(before, "bindingMode", "subnet") + 1, count(after, "bindingMode", "subnet"), after.prettify());
        // Every count agrees with the list itself.
        for (Map<String, Object> vc : after.<Map<String, Object>>getList("status")) {
            dana.req().get(BASE + "?pageSize=1&status=" + vc.get("value")).then().body("total", equalTo(vc.get("count")));
        }
    }

    private static int count(JsonPath jp, String facet, String value) {
        List<Map<String, Object>> values = jp.getList(facet);
        return values.stream().filter(v -> value.equals(v.get("value"))).mapToInt(v -> (Integer) v.get("count")).sum();
    }

    @Test
    void listIsServedFromTheCacheNotTheApiServer() throws InterruptedException {
        createMine(Facade.uniqueName("C"), 1);
        var mock = server.getKubernetesMockServer();
        while (mock.takeRequest(10, java.util.concurrent.TimeUnit.MILLISECONDS) != null) {
            // drain what was recorded so far
        }
        for (int i = 0; i < 5; i++) {
            list("").then().statusCode(200);
            dana.req().get(BASE + "/filter-values").then().statusCode(200);
        }
        List<String> reads = new ArrayList<>();
        io.fabric8.mockwebserver.http.RecordedRequest r;
        while ((r = mock.takeRequest(10, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
            if (r.getMethod().equals("GET") && r.getPath().contains("/scanner") && !r.getPath().contains("watch=")) {
                reads.add(r.getPath());
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(reads.isEmpty(),
                "list calls read from the API server instead of the cache: " + reads);
    }

    @Test
    void scannerHealthShowsAgentAddressesAndLastSeen() {
        String id = Facade.createOk(dana, Facade.uniqueName("Health"));
        Scanner s = Facade.awaitReconciled(client, id);
        AgentInfo agent = new AgentInfo();
        agent.setVersion("1.2.3");
        agent.setHostname("probe-7");
        agent.setOs("linux");
        agent.setArch("amd64");
        agent.setSourceAddress("203.0.113.50");
        agent.setInternalIp("10.1.2.3");
        s.getStatus().setAgent(agent);
        s.getStatus().setLastHeartbeatTime("2030-01-01T00:00:00Z");
        client.resource(s).updateStatus();

        Facade.awaitFacade(dana, id, r -> r.statusCode() == 200 && r.path("agent") != null)
                .then().body("agent.version", equalTo("1.2.3")).body("agent.sourceAddress", equalTo("203.0.113.50"))
                .body("lastHeartbeatAt", equalTo("2030-01-01T00:00:00Z"));
        dana.req().get("/api/scanners?pageSize=200&q=" + id).then().statusCode(200)
                .body("items.id", hasItem(id))
                .body("items.find { it.id == '" + id + "' }.externalIp", equalTo("203.0.113.50"))
                .body("items.find { it.id == '" + id + "' }.internalIp", equalTo("10.1.2.3"))
                .body("items.find { it.id == '" + id + "' }.hostname", equalTo("probe-7"))
                .body("items.find { it.id == '" + id + "' }.version", equalTo("1.2.3"))
                .body("items.find { it.id == '" + id + "' }.lastSeen", equalTo("2030-01-01T00:00:00Z"));
        dana.req().get("/api/scanners?status=Bogus").then().statusCode(400).contentType(PROBLEM);
        io.restassured.RestAssured.given().get("/api/scanners").then().statusCode(401).contentType(PROBLEM);
        Facade.Caller noList = Facade.withGrants("erin", "get scanners");
        noList.req().get("/api/scanners").then().statusCode(403).contentType(PROBLEM);
    }
}
