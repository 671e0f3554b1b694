package io.mipo.operator.distribution;

import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The install script and bundles served from what the scanner-image build produced. */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class DistributionResourceTest {

    @Inject
    BundleDistribution distribution;

    static Properties built() throws Exception {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(TestResources.projectRoot().resolve("scanner-image/target/bundles.properties"))) {
            p.load(in);
        }
        return p;
    }

    @Test
    void installScriptEmbedsTheBundleHashAndNoToken() throws Exception {
        String sha = built().getProperty("bundle.linux-amd64.sha256");
        String script = given().get("/scanner/install").then().statusCode(200)
                .contentType(containsString("text/x-shellscript"))
                .extract().asString();
        assertTrue(script.startsWith("#!/bin/sh"), script.substring(0, Math.min(80, script.length())));
        assertTrue(script.contains("SHA256_LINUX_AMD64='" + sha + "'"), "hash not embedded");
        assertFalse(script.matches("(?s).*@@[A-Z0-9_]+@@.*"), "a placeholder was left in the script");
        assertFalse(script.matches("(?s).*mipo_pt_[0-9A-Za-z]{38}.*"), "a token in the script");
    }

    @Test
    void bundleDownloadMatchesItsAdvertisedHash() throws Exception {
        Properties p = built();
        byte[] body = given().get("/scanner/binary/linux/amd64").then().statusCode(200)
                .header("X-Checksum-Sha256", equalTo(p.getProperty("bundle.linux-amd64.sha256")))
                .extract().asByteArray();
        assertEquals(Long.parseLong(p.getProperty("bundle.linux-amd64.size")), body.length);
        assertEquals(p.getProperty("bundle.linux-amd64.sha256"), BundleDistribution.sha256(body));
    }

    @Test
    void unknownPlatformIs400AndMissingBundleIs404() {
        given().get("/scanner/binary/plan9/amd64").then().statusCode(400)
                .contentType(containsString("application/problem+json"))
                .body("code", equalTo("UNKNOWN_PLATFORM"));
        given().get("/scanner/binary/linux/386").then().statusCode(404)
                .contentType(containsString("application/problem+json"))
                .body("code", equalTo("NO_BUNDLE"))
                .body("detail", containsString("linux/amd64"));
    }

    @Test
    void theArm64BundleIsListedEmbeddedAndServedWhenBuilt() throws Exception {
        Properties p = built();
        String sha = p.getProperty("bundle.linux-arm64.sha256");
        Arm64BundleTest.requireArm64(sha != null);
        String script = given().get("/scanner/install").then().statusCode(200).extract().asString();
        assertTrue(script.contains("SHA256_LINUX_ARM64='" + sha + "'"), "arm64 hash not embedded");
        assertTrue(distribution.hashes().artifacts().stream().anyMatch(a -> a.arch().equals("arm64") && a.sha256().equals(sha)),
                distribution.hashes().toString());
        byte[] body = given().get("/scanner/binary/linux/arm64").then().statusCode(200)
                .header("X-Checksum-Sha256", equalTo(sha)).extract().asByteArray();
        assertEquals(sha, BundleDistribution.sha256(body));
    }

    @Test
    void aDownloadWithAnInvalidApiKeyIsRefused() {
        given().header("Authorization", "Bearer mipo_sk_" + "x".repeat(38)).get("/scanner/binary/linux/amd64")
                .then().statusCode(401).body("code", equalTo("INVALID_API_KEY"));
    }

    @Test
    void sourceListingCoversTheAgentSources() throws Exception {
        var files = distribution.sourceFiles();
        assertTrue(files.stream().anyMatch(f -> f.path().endsWith("src/main/java/io/mipo/scanner/Main.java")), files.toString());
        Path main = TestResources.projectRoot().resolve("scanner-image/src/main/java/io/mipo/scanner/Main.java");
        String expected = BundleDistribution.sha256(Files.readAllBytes(main));
        assertEquals(expected, files.stream().filter(f -> f.path().endsWith("io/mipo/scanner/Main.java")).findFirst().orElseThrow().sha256());
    }
}
