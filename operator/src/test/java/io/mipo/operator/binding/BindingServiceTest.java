package io.mipo.operator.binding;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.api.ApiException;
import io.mipo.operator.core.Refusal;
import io.mipo.operator.core.AgentCallGuard.Call;
import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.Enforcement;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.net.IpAddresses;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.mipo.operator.api.auth.FakeKubeAuth;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Objects;

import static io.mipo.operator.binding.BindingFixtures.awaitBinding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The binding operations the REST facade calls (PATCH, GET binding, release-binding) and the scanner ACL endpoint. */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class BindingServiceTest {

    @Inject
    KubernetesClient client;

    @Inject
    BindingService service;

    @Inject
    SourceAddressGuard guard;

    @Inject
    BindingObservations observations;

    @KubernetesTestServer
    KubernetesServer server;

    /** A caller the mock API server's TokenReview and SubjectAccessReview accept. */
    io.restassured.specification.RequestSpecification caller() {
        FakeKubeAuth.install(server);
        String user = FakeKubeAuth.newUser("acl");
        FakeKubeAuth.allow(user, "*");
        return RestAssured.given().header("Authorization", "Bearer " + FakeKubeAuth.token(user));
    }

    String scanner(String ns, String name) {
        client.resource(TestResources.scanner(ns, name, null)).create();
        TestResources.awaitStatus(client, ns, name, s -> s.getStatus() != null && s.getStatus().getPhase() != null);
        return name;
    }

    ScannerBinding read(String ns, String name) {
        return client.resources(ScannerBinding.class).inNamespace(ns).withName(name).get();
    }

    void check(String ns, String name, String address) {
        guard.check(ns, name, IpAddresses.parse(address).orElseThrow(), Call.HEARTBEAT);
    }

    @Test
    void updateCreatesTheBindingKubectlUsersSee() {
        String ns = TestResources.freshNamespace(client);
        scanner(ns, "edge");
        var d = service.update(ns, "edge", BindingMode.subnet, " 203.0.113.0/24 ", null, "alice");
        assertEquals("subnet", d.mode());
        assertEquals("203.0.113.0/24", d.value());
        assertEquals("203.0.113.0/24", d.boundValue());
        assertEquals("Enforce", d.enforcement());
        ScannerBinding b = read(ns, "edge");
        assertEquals(BindingMode.subnet, b.getSpec().getMode(), TestResources.describe(b));
        assertEquals("alice", b.getMetadata().getAnnotations().get("mipo.io/last-modified-by"));
        assertEquals("Scanner", b.getMetadata().getOwnerReferences().get(0).getKind());
        assertEquals("edge", b.getMetadata().getLabels().get("mipo.io/scanner"));

        // Changing it keeps the enforcement unless given, and is a normal update of the same object.
        d = service.update(ns, "edge", BindingMode.ip, "2001:db8::7", Enforcement.Audit, "bob");
        assertEquals("Audit", d.enforcement());
        d = service.update(ns, "edge", BindingMode.ip, "2001:db8::8", null, "bob");
        assertEquals("Audit", d.enforcement());
        assertEquals("2001:db8::8", read(ns, "edge").getSpec().getValue());
        TestResources.awaitStatus(client, ns, "edge", s -> "ip 2001:db8::8 (audit)".equals(s.getStatus().getBinding()));

        // details() reads the cache: it catches up with the write.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> "2001:db8::8".equals(service.details(ns, "edge").boundValue()));
    }

    @Test
    void modeNoneRemovesTheBinding() {
        String ns = TestResources.freshNamespace(client);
        scanner(ns, "edge");
        service.update(ns, "edge", BindingMode.ip, "203.0.113.7", Enforcement.Enforce, "alice");
        var d = service.update(ns, "edge", BindingMode.none, null, null, "alice");
        assertEquals("none", d.mode());
        assertNull(read(ns, "edge"), "mode none deletes the ScannerBinding");
        TestResources.awaitStatus(client, ns, "edge", s -> "none".equals(s.getStatus().getBinding()));
        // Idempotent.
        assertEquals("none", service.update(ns, "edge", BindingMode.none, "", null, "alice").mode());
    }

    @Test
    void invalidInputWritesNothingAndNamesTheField() {
        String ns = TestResources.freshNamespace(client);
        scanner(ns, "edge");
        Refusal e = assertThrows(Refusal.class, () -> service.update(ns, "edge", BindingMode.ip, "203.0.113.0/24", null, "alice"));
        assertEquals(400, ApiException.statusOf(e));
        assertEquals("bindingValue", e.errors().get(0).field(), e.errors().toString());
        assertThrows(Refusal.class, () -> service.update(ns, "edge", BindingMode.asn, "ASX", null, "alice"));
        assertThrows(Refusal.class, () -> service.update(ns, "edge", BindingMode.none, "203.0.113.7", null, "alice"));
        Refusal noMode = assertThrows(Refusal.class, () -> service.update(ns, "edge", null, null, null, "alice"));
        assertEquals("bindingMode", noMode.errors().get(0).field());
        assertNull(read(ns, "edge"), "nothing was written");

        Refusal missing = assertThrows(Refusal.class, () -> service.update(ns, "ghost", BindingMode.ip, "203.0.113.7", null, "alice"));
        assertEquals(404, ApiException.statusOf(missing));
        assertNull(read(ns, "ghost"));
        assertEquals(404, ApiException.statusOf(assertThrows(Refusal.class, () -> service.details(ns, "ghost"))));
        assertEquals(404, ApiException.statusOf(assertThrows(Refusal.class, () -> service.release(ns, "ghost", "alice"))));
    }

    @Test
    void releaseForgetsALearnedValueAndTheCountersThenLearnsAgain() {
        String ns = TestResources.freshNamespace(client);
        scanner(ns, "mover");
        service.update(ns, "mover", BindingMode.ip, null, Enforcement.Enforce, "alice");
        awaitBinding(client, ns, "mover", b -> b.getStatus() != null && b.getStatus().getObservedGeneration() != null);
        check(ns, "mover", "203.0.113.7");
        assertThrows(Refusal.class, () -> check(ns, "mover", "198.51.100.1"));
        assertThrows(Refusal.class, () -> check(ns, "mover", "198.51.100.1"));
        observations.flush();
        awaitBinding(client, ns, "mover", b -> Objects.equals(b.getStatus().getMismatchCount(), 2L));
        var before = service.details(ns, "mover");
        assertEquals(ns.isEmpty() ? null : "ip", before.mode());

        var released = service.release(ns, "mover", "alice");
        assertEquals("ip", released.mode(), "the mode stays");
        assertNull(released.boundValue());
        assertTrue(released.learning());
        assertEquals(0, released.mismatchCount());
        assertNull(released.lastMismatch());
        ScannerBinding b = read(ns, "mover");
        assertNull(b.getStatus().getBoundValue(), TestResources.describe(b));
        assertEquals(0L, b.getStatus().getMismatchCount());

        // The scanner moved: its next call is learned, the old address is now the stranger.
        awaitBinding(client, ns, "mover", x -> x.getStatus().getObservedGeneration() != null);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> service.details(ns, "mover").learning());
        check(ns, "mover", "198.51.100.1");
        assertEquals("198.51.100.1", read(ns, "mover").getStatus().getBoundValue());
        assertThrows(Refusal.class, () -> check(ns, "mover", "203.0.113.7"));
        observations.flush();
        b = awaitBinding(client, ns, "mover", x -> Objects.equals(x.getStatus().getMismatchCount(), 1L));
        assertEquals(List.of("203.0.113.7"), b.getStatus().getRecentMismatchAddresses(), TestResources.describe(b));
    }

    @Test
    void releaseRemovesAnExplicitValueToo() {
        String ns = TestResources.freshNamespace(client);
        scanner(ns, "pinned");
        service.update(ns, "pinned", BindingMode.subnet, "203.0.113.0/24", Enforcement.Enforce, "alice");
        var released = service.release(ns, "pinned", "bob");
        assertEquals("subnet", released.mode());
        assertNull(released.value());
        ScannerBinding b = read(ns, "pinned");
        assertNull(b.getSpec().getValue(), TestResources.describe(b));
        assertEquals(BindingMode.subnet, b.getSpec().getMode());
        awaitBinding(client, ns, "pinned", x -> x.getStatus() != null && Objects.equals(x.getStatus().getObservedGeneration(), x.getMetadata().getGeneration()));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> service.details(ns, "pinned").learning());
        check(ns, "pinned", "198.51.100.77");
        assertEquals("198.51.100.0/24", read(ns, "pinned").getStatus().getBoundValue());
        // Releasing a scanner without a binding is harmless.
        scanner(ns, "free");
        assertEquals("none", service.release(ns, "free", "bob").mode());
    }

    @Test
    void aclEndpointServesEveryFormat() {
        // The ACL lists the caller's namespace (from the facade's CurrentUser); without one, every namespace.
        String callerNamespace = caller().get("/api/admin/scanner-acl").jsonPath().getString("namespace");
        String ns = callerNamespace != null ? callerNamespace : TestResources.freshNamespace(client);
        String a = "acl-a-" + Long.toHexString(System.nanoTime() & 0xffffff);
        String b2 = "acl-b-" + Long.toHexString(System.nanoTime() & 0xffffff);
        scanner(ns, a);
        scanner(ns, b2);
        service.update(ns, a, BindingMode.ip, "203.0.113.77", Enforcement.Enforce, "alice");
        service.update(ns, b2, BindingMode.subnet, "2001:db8:77::/48", Enforcement.Audit, "alice");
        awaitBinding(client, ns, b2, b -> b.getStatus() != null && b.getStatus().getObservedGeneration() != null);

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> {
            Response json = caller().get("/api/admin/scanner-acl");
            assertEquals(200, json.statusCode(), json.asString());
            assertTrue(json.contentType().startsWith("application/json"), json.contentType());
            List<String> cidrs = json.jsonPath().getList("cidrs");
            assertTrue(cidrs.contains("203.0.113.77/32") && cidrs.contains("2001:db8:77::/48"), json.asPrettyString());
        });

        Response nginx = caller().queryParam("format", "nginx").get("/api/admin/scanner-acl");
        assertEquals(200, nginx.statusCode());
        assertTrue(nginx.contentType().startsWith("text/plain"), nginx.contentType());
        assertTrue(nginx.asString().contains("allow 203.0.113.77/32;"), nginx.asString());
        assertTrue(nginx.asString().trim().endsWith("deny all;"), nginx.asString());

        String ipt = caller().queryParam("format", "iptables").get("/api/admin/scanner-acl").asString();
        assertTrue(ipt.contains("-A MIPO-SCANNERS -s 203.0.113.77/32 -m comment --comment \"mipo " + ns + "/" + a + "\" -j ACCEPT"), ipt);
        String ip6t = caller().queryParam("format", "ip6tables").get("/api/admin/scanner-acl").asString();
        assertTrue(ip6t.contains("-s 2001:db8:77::/48"), ip6t);

        Response cf = caller().queryParam("format", "cloudflare").get("/api/admin/scanner-acl");
        assertEquals(200, cf.statusCode());
        List<String> ips = cf.jsonPath().getList("ip");
        assertTrue(ips.contains("203.0.113.77") && ips.contains("2001:db8:77::/48"), cf.asString());

        Response bad = caller().queryParam("format", "pf").get("/api/admin/scanner-acl");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.contentType().startsWith("application/problem+json"), bad.contentType());
        assertEquals("format", bad.jsonPath().getString("errors[0].field"), bad.asString());
    }

    @Test
    void detailsShowTheWholePicture() {
        String ns = TestResources.freshNamespace(client);
        scanner(ns, "shown");
        var none = service.details(ns, "shown");
        assertEquals("none", none.mode());
        assertFalse(none.learning());
        service.update(ns, "shown", BindingMode.ip, null, Enforcement.Audit, "alice");
        awaitBinding(client, ns, "shown", b -> b.getStatus() != null && b.getStatus().getObservedGeneration() != null);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> service.details(ns, "shown").learning());
        check(ns, "shown", "203.0.113.9");
        check(ns, "shown", "198.51.100.3");
        observations.flush();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> service.details(ns, "shown").mismatchCount() == 1);
        var d = service.details(ns, "shown");
        assertEquals("203.0.113.9", d.boundValue());
        assertNull(d.value(), "learned, not explicit");
        assertNotNull(d.learnedAt());
        assertEquals("198.51.100.3", d.lastMismatch().address());
        assertEquals(List.of("198.51.100.3"), d.recentMismatchAddresses());
        assertEquals("198.51.100.3", d.lastSeenAddress());
        assertEquals("Audit", d.enforcement());
    }
}
