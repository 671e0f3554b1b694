package io.mipo.operator.api;

import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With mipo.management.port set (as the chart does), /q/* is served on that port only (threat 4). */
@QuarkusTest
@TestProfile(ManagementListenerTest.Profile.class)
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class ManagementListenerTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mipo.management.port", "0", "mipo.management.host", "127.0.0.1");
        }
    }

    @Inject
    ManagementListener management;

    @Test
    void qPathsAreRefusedOnThePublicPortAndServedOnTheManagementPort() {
        for (String path : new String[] {"/q/metrics", "/q/health/ready", "/q/openapi", "/q/health", "/q/"}) {
            assertEquals(404, RestAssured.get(path).statusCode(), "public port answered " + path);
            assertEquals(404, RestAssured.given().header(ManagementListener.HEADER, "guess").get(path).statusCode(),
                    "a guessed management header opened " + path);
        }
        int port = management.actualPort();
        assertTrue(port > 0, "management listener not started");
        var metrics = RestAssured.given().port(port).get("/q/metrics");
        assertEquals(200, metrics.statusCode(), metrics.asString());
        assertTrue(metrics.asString().contains("mipo_token_reviews_total"), "metrics served on the management port:\n"
                + metrics.asString().lines().filter(l -> l.startsWith("mipo_")).limit(20).toList());
        assertEquals(200, RestAssured.given().port(port).get("/q/health/live").statusCode());
        assertEquals(200, RestAssured.given().port(port).get("/q/openapi").statusCode());
        assertEquals(404, RestAssured.given().port(port).get("/api/config/scanners").statusCode(), "management serves /q/* only");
        assertEquals(401, RestAssured.get("/api/config/scanners").statusCode(), "the public APIs stay on the public port");
    }
}
