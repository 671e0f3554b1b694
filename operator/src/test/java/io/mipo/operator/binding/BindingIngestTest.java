package io.mipo.operator.binding;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.credentials.CredentialFixtures;
import io.mipo.operator.credentials.CredentialService;
import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.Enforcement;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import static io.mipo.operator.binding.BindingFixtures.awaitBinding;
import static io.mipo.operator.binding.BindingFixtures.binding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bindings through the real ingest API: agents register and heartbeat over HTTP on 127.0.0.1, and
 * speak from other addresses through X-Forwarded-For, which the test configuration trusts from
 * localhost (as the operator would from its ingress controller).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class BindingIngestTest {

    @Inject
    KubernetesClient client;

    @Inject
    CredentialService credentials;

    @Inject
    BindingObservations observations;

    @Inject
    LiveAsnDatabase asn;

    /** A scanner with a provisioning token and a binding the reconciler has seen; returns the token. */
    String provision(String ns, String name, BindingMode mode, String value, Enforcement enforcement) {
        String token = CredentialFixtures.createWithToken(client, credentials, ns, name).token();
        client.resource(binding(ns, name, mode, value, enforcement)).create();
        awaitBinding(client, ns, name, b -> b.getStatus() != null && b.getStatus().getObservedGeneration() != null);
        return token;
    }

    static Response register(String token, String from) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token", token);
        body.put("hostname", "edge-host");
        body.put("version", "1.4.2");
        body.put("os", "linux");
        body.put("arch", "amd64");
        return RestAssured.given().contentType(ContentType.JSON).header("X-Forwarded-For", from).body(body)
                .post("/scanner/register");
    }

    static Response heartbeat(String apiKey, String from) {
        return RestAssured.given().contentType(ContentType.JSON).header("X-Forwarded-For", from)
                .header("Authorization", "Bearer " + apiKey).body(Map.of("state", "idle")).post("/scanner/heartbeat");
    }

    static String registered(String token, String from) {
        Response r = register(token, from);
        assertEquals(200, r.statusCode(), "register from " + from + ": " + r.asString());
        return r.jsonPath().getString("apiKey");
    }

    static void ok(Response r, String what) {
        assertEquals(200, r.statusCode(), what + ": " + r.asString());
    }

    static void violation(Response r, String what) {
        assertEquals(403, r.statusCode(), what + ": " + r.asString());
        assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
        assertEquals("IP_BINDING_VIOLATION", r.jsonPath().getString("code"), r.asString());
    }

    ScannerBinding awaitMismatches(String ns, String name, long count) {
        observations.flush();
        return awaitBinding(client, ns, name, b -> Objects.equals(b.getStatus().getMismatchCount(), count));
    }

    @Test
    void ipEnforceAndAudit() {
        String ns = TestResources.freshNamespace(client);
        String enforced = provision(ns, "ip-enforce", BindingMode.ip, "203.0.113.7", Enforcement.Enforce);
        String audited = provision(ns, "ip-audit", BindingMode.ip, "203.0.113.8", Enforcement.Audit);

        // A registration from the wrong address is refused and does not use up the token.
        violation(register(enforced, "198.51.100.9"), "register from a stranger");
        String key = registered(enforced, "203.0.113.7");
        ok(heartbeat(key, "203.0.113.7"), "heartbeat from the bound address");
        ok(heartbeat(key, "::ffff:203.0.113.7"), "heartbeat from the bound address, IPv4-mapped");
        violation(heartbeat(key, "198.51.100.9"), "heartbeat from a stranger");
        ScannerBinding b = awaitMismatches(ns, "ip-enforce", 2);
        assertEquals("198.51.100.9", b.getStatus().getLastMismatch().getAddress(), TestResources.describe(b));

        String auditKey = registered(audited, "198.51.100.10");
        ok(heartbeat(auditKey, "198.51.100.11"), "Audit accepts a stranger");
        b = awaitMismatches(ns, "ip-audit", 2);
        assertEquals(java.util.List.of("198.51.100.11", "198.51.100.10"), b.getStatus().getRecentMismatchAddresses(), TestResources.describe(b));
    }

    @Test
    void subnetLearnedOnRegistrationThenEnforced() {
        String ns = TestResources.freshNamespace(client);
        String token = provision(ns, "net-tofu", BindingMode.subnet, null, Enforcement.Enforce);
        String key = registered(token, "2001:db8:5:6::1");
        ScannerBinding b = client.resources(ScannerBinding.class).inNamespace(ns).withName("net-tofu").get();
        assertEquals("2001:db8:5:6::/64", b.getStatus().getBoundValue(), TestResources.describe(b));
        ok(heartbeat(key, "2001:db8:5:6:ffff::2"), "same /64");
        violation(heartbeat(key, "2001:db8:5:7::1"), "another /64");
        Scanner s = TestResources.awaitStatus(client, ns, "net-tofu", x -> x.getStatus() != null
                && "subnet 2001:db8:5:6::/64".equals(x.getStatus().getBinding()));
        assertNotNull(s);
        awaitMismatches(ns, "net-tofu", 1);

        String audited = provision(ns, "net-audit", BindingMode.subnet, "192.0.2.0/24", Enforcement.Audit);
        String auditKey = registered(audited, "192.0.2.200");
        ok(heartbeat(auditKey, "192.0.3.1"), "Audit accepts another subnet");
        awaitMismatches(ns, "net-audit", 1);
    }

    @Test
    void asnEnforceAndAuditWithTheMaxMindTestDatabase() throws IOException {
        Files.createDirectories(BindingEnforcementTest.ASN_DB.getParent());
        Files.copy(Path.of("src/test/resources/asn/GeoLite2-ASN-Test.mmdb"), BindingEnforcementTest.ASN_DB, StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(BindingEnforcementTest.ASN_DB, java.nio.file.attribute.FileTime.from(java.time.Instant.now()));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> asn.current().available());
        String ns = TestResources.freshNamespace(client);

        String enforced = provision(ns, "as-enforce", BindingMode.asn, "AS15169", Enforcement.Enforce);
        String key = registered(enforced, "1.0.0.1");
        ok(heartbeat(key, "1.0.0.254"), "same AS");
        violation(heartbeat(key, "1.128.0.1"), "AS1221");
        violation(heartbeat(key, "203.0.113.7"), "in no AS");
        awaitMismatches(ns, "as-enforce", 2);

        String learning = provision(ns, "as-audit", BindingMode.asn, null, Enforcement.Audit);
        String auditKey = registered(learning, "1.130.0.1");
        assertEquals("AS1221", client.resources(ScannerBinding.class).inNamespace(ns).withName("as-audit").get().getStatus().getBoundValue());
        ok(heartbeat(auditKey, "1.0.0.1"), "Audit accepts another AS");
        awaitMismatches(ns, "as-audit", 1);
    }

    @Test
    void noneAcceptsAnyAddress() {
        String ns = TestResources.freshNamespace(client);
        String token = provision(ns, "open", BindingMode.none, null, Enforcement.Enforce);
        String key = registered(token, "198.51.100.1");
        ok(heartbeat(key, "2001:db8::1"), "mode none");
        awaitBinding(client, ns, "open", b -> "2001:db8::1".equals(b.getStatus().getLastSeenAddress()));
    }

    @Test
    void onlyTheTrustedPartOfXForwardedForCounts() {
        String ns = TestResources.freshNamespace(client);
        String token = provision(ns, "xff", BindingMode.ip, "203.0.113.7", Enforcement.Enforce);
        String key = registered(token, "203.0.113.7");
        // The agent at 198.51.100.9 claims to be 203.0.113.7; the proxy (localhost, trusted) appends the truth.
        violation(heartbeat(key, "203.0.113.7, 198.51.100.9"), "a forged left part");
        // A chain of trusted proxies is skipped.
        ok(heartbeat(key, "203.0.113.7, 127.0.0.1, ::1"), "chain of trusted proxies");
        // Garbage from the proxy: the client is unknown and the binding fails closed.
        violation(heartbeat(key, "unknown"), "garbage");
    }
}
