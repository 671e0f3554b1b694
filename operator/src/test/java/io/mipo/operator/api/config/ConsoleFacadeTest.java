package io.mipo.operator.api.config;

import io.mipo.operator.api.auth.FakeKubeAuth;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.mipo.operator.api.config.Facade.BASE;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the web console needs from the facade: lists it can poll cheaply (an ETag of the answer,
 * 304 for If-None-Match while nothing changed), sorting by each of its columns, and the console's
 * files served with a strict Content-Security-Policy.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class ConsoleFacadeTest {
    @KubernetesTestServer
    KubernetesServer server;

    Facade.Caller erin;

    @BeforeEach
    void setUp() {
        FakeKubeAuth.install(server);
        erin = Facade.admin("erin");
    }

    @Test
    void theScannerListAnswers304WhileNothingChangedAndANewETagAfterAChange() {
        String p = Facade.uniqueName("R");
        Facade.createOk(erin, p + "-a");
        String query = BASE + "?createdBy=" + erin.user();
        Response first = erin.req().get(query);
        first.then().statusCode(200).body("total", equalTo(1));
        String etag = first.header("ETag");
        assertTrue(etag != null && etag.startsWith("\""), "a strong ETag on the list: " + etag);
        assertEquals(etag, erin.req().get(query).header("ETag"), "the same answer has the same ETag");

        Response unchanged = erin.req().header("If-None-Match", etag).get(query);
        assertEquals(304, unchanged.statusCode(), "If-None-Match with the current ETag: " + unchanged.asString());
        assertEquals("", unchanged.asString(), "a 304 has no body");
        assertEquals(etag, unchanged.header("ETag"), "the 304 names the ETag");
        assertEquals(200, erin.req().header("If-None-Match", "\"other\"").get(query).statusCode(), "another ETag");
        assertEquals(304, erin.req().header("If-None-Match", "W/" + etag).get(query).statusCode(), "weak comparison");

        // another page of the same list is another answer
        assertNotEquals(etag, erin.req().get(query + "&pageSize=7").header("ETag"), "the ETag of another page size");

        // a change the list shows (a new scanner) gives 200 and a new ETag
        Facade.createOk(erin, p + "-b");
        await().untilAsserted(() -> {
            Response changed = erin.req().header("If-None-Match", etag).get(query);
            assertEquals(200, changed.statusCode(), "after a change");
            changed.then().body("total", equalTo(2));
            assertNotEquals(etag, changed.header("ETag"));
        });

        // the health list and the filter values revalidate the same way
        for (String path : List.of("/api/scanners", BASE + "/filter-values", "/api/config/scanner-groups")) {
            String tag = erin.req().get(path).then().statusCode(200).extract().header("ETag");
            assertEquals(304, erin.req().header("If-None-Match", tag).get(path).statusCode(), path + " with If-None-Match");
        }
        // errors are not made conditional
        erin.req().header("If-None-Match", "*").get(BASE + "?sort=colour").then().statusCode(400);
    }

    @Test
    void theListSortsByEveryColumnOfTheConsole() {
        String p = Facade.uniqueName("S");
        String a = Facade.create(erin, Map.of("name", p + "-a", "description", "zulu")).then().statusCode(201).extract().path("scanner.id");
        String b = Facade.create(erin, Map.of("name", p + "-b", "description", "alpha", "bindingMode", "subnet",
                "bindingValue", "198.51.100.0/24")).then().statusCode(201).extract().path("scanner.id");
        String c = Facade.create(erin, Map.of("name", p + "-c", "description", "Mike", "bindingMode", "ip",
                "bindingValue", "203.0.113.7")).then().statusCode(201).extract().path("scanner.id");
        String query = BASE + "?createdBy=" + erin.user() + "&sort=";
        erin.req().get(query + "description").then().statusCode(200).body("items.id", contains(b, c, a));
        erin.req().get(query + "description&order=desc").then().body("items.id", contains(a, c, b));
        erin.req().get(query + "binding").then().body("items.id", contains(c, a, b)); // ip < none < subnet
        erin.req().get(query + "createdBy").then().body("items.id", contains(a, b, c)); // one creator: by name
        erin.req().get(query + "colour").then().statusCode(400)
                .body("errors[0].message", containsString("name, description, status, binding, createdBy, rateLimit, createdAt"));
    }

    @Test
    void theConsoleIsServedWithAStrictContentSecurityPolicy() {
        for (String path : List.of("/", "/index.html", "/console/app.js", "/console/console.css")) {
            Response r = RestAssured.given().get(path);
            assertEquals(200, r.statusCode(), path);
            String csp = r.header("Content-Security-Policy");
            assertTrue(csp != null && csp.contains("default-src 'none'") && csp.contains("script-src 'self'")
                    && csp.contains("style-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe"),
                    path + " Content-Security-Policy: " + csp);
            assertEquals("nosniff", r.header("X-Content-Type-Options"), path);
            assertEquals("DENY", r.header("X-Frame-Options"), path);
            assertEquals("no-referrer", r.header("Referrer-Policy"), path);
        }
        RestAssured.given().get("/").then().body(containsString("<script type=\"module\" src=\"console/app.js\"></script>"))
                .body(not(containsString("<script>"))).body(not(containsString("style=")));
        assertTrue(RestAssured.given().get("/console/app.js").contentType().startsWith("text/javascript"), "the modules' media type");
    }
}
