package io.mipo.operator.api.config;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.kube.Labels;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Standalone-style settings: a static admin token (the embedded API server cannot review tokens)
 * and a small scanner cap. A profile of its own, so it restarts Quarkus once.
 */
@QuarkusTest
@TestProfile(FacadeStandaloneLimitsTest.Profile.class)
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class FacadeStandaloneLimitsTest {
    static final int CAP = 3;
    private static final String BASE = "/api/config/scanners";

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            byte[] b = new byte[24];
            new SecureRandom().nextBytes(b);
            return Map.of("mipo.auth.static-token", HexFormat.of().formatHex(b),
                    "mipo.limits.max-scanners", String.valueOf(CAP),
                    "mipo.api.namespace", "mipo-standalone");
        }
    }

    @ConfigProperty(name = "mipo.auth.static-token")
    String staticToken;

    @Inject
    KubernetesClient client;

    @Test
    void theStaticTokenIsTheAdminAndOtherTokensAreRefused() {
        RestAssured.given().header("Authorization", "Bearer " + staticToken).contentType(ContentType.JSON)
                .body(Map.of("name", "Admin-Made")).post(BASE)
                .then().statusCode(201).body("scanner.createdBy", equalTo("mipo-admin"));
        Scanner s = client.resources(Scanner.class).inNamespace("mipo-standalone").withName("admin-made").get();
        assertEquals("mipo-admin", s.getMetadata().getAnnotations().get(Labels.CREATED_BY), TestResources.describe(s));
        // The embedded (CRUD mock) API server cannot review tokens (it answers 422): any other token
        // is refused, never let through. (With mipo.standalone=true no review is even asked: 401.)
        for (String other : new String[]{staticToken + "x", staticToken.substring(1)}) {
            var r = RestAssured.given().header("Authorization", "Bearer " + other).get(BASE);
            r.then().contentType("application/problem+json");
            String code = r.path("code");
            org.junit.jupiter.api.Assertions.assertTrue(
                    (r.statusCode() == 401 && "UNAUTHENTICATED".equals(code)) || (r.statusCode() == 503 && "AUTH_UNAVAILABLE".equals(code)),
                    "a wrong token was not refused: " + r.statusCode() + " " + r.asString());
        }
    }

    @Test
    void creatingPastTheCapIs409AndWritesNothing() {
        var admin = RestAssured.given().header("Authorization", "Bearer " + staticToken);
        int existing = admin.get(BASE).then().statusCode(200).extract().path("total");
        for (int i = existing; i < CAP; i++) {
            RestAssured.given().header("Authorization", "Bearer " + staticToken).contentType(ContentType.JSON)
                    .body(Map.of("name", "Capped-" + i)).post(BASE).then().statusCode(201);
        }
        RestAssured.given().header("Authorization", "Bearer " + staticToken).contentType(ContentType.JSON)
                .body(Map.of("name", "One-Too-Many")).post(BASE)
                .then().statusCode(409).contentType("application/problem+json")
                .body("code", equalTo("SCANNER_LIMIT_REACHED")).body("detail", containsString("at most " + CAP));
        assertNull(client.resources(Scanner.class).inNamespace("mipo-standalone").withName("one-too-many").get());
        // Deleting one frees a place.
        String victim = RestAssured.given().header("Authorization", "Bearer " + staticToken).get(BASE)
                .then().extract().path("items[0].id");
        RestAssured.given().header("Authorization", "Bearer " + staticToken).delete(BASE + "/" + victim).then().statusCode(204);
        RestAssured.given().header("Authorization", "Bearer " + staticToken).contentType(ContentType.JSON)
                .body(Map.of("name", "One-Too-Many")).post(BASE).then().statusCode(201);
    }
}
