package io.mipo.operator.api.config;

import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/openapi.yaml is the generated OpenAPI document, committed. This test fails when the code's
 * document drifts from it. Regenerate with
 * {@code mvn -o -B test -pl operator -Dtest=OpenApiDocumentTest -DupdateOpenApi=true}.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class OpenApiDocumentTest {

    @Test
    void theCommittedDocumentMatchesTheCode() throws IOException {
        String generated = RestAssured.given().get("/q/openapi?format=yaml").then().statusCode(200).extract().asString();
        Path committed = TestResources.projectRoot().resolve("docs").resolve("openapi.yaml");
        if (Boolean.getBoolean("updateOpenApi")) {
            Files.writeString(committed, generated);
        }
        assertTrue(Files.exists(committed), committed + " is missing; regenerate it with -DupdateOpenApi=true");
        String onDisk = Files.readString(committed);
        if (!onDisk.equals(generated)) {
            Path fresh = Path.of("target", "openapi-generated.yaml");
            Files.writeString(fresh, generated);
            assertEquals(onDisk, generated, "docs/openapi.yaml is out of date (the generated one is in " + fresh.toAbsolutePath()
                    + "); regenerate: mvn -o -B test -pl operator -Dtest=OpenApiDocumentTest -DupdateOpenApi=true");
        }
        for (String path : new String[]{"/api/config/scanners:", "/api/config/scanners/{id}:", "/api/config/scanners/{id}/regenerate-token:",
                "/api/config/scanners/filter-values:", "/api/scanners:"}) {
            assertTrue(generated.contains(path), "the document lacks " + path);
        }
        assertTrue(!generated.contains("/api/test-only"), "a test-only resource leaked into the document");
    }
}
