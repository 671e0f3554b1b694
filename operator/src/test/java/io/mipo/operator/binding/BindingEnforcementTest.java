package io.mipo.operator.binding;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mipo.operator.api.ApiException;
import io.mipo.operator.core.Refusal;
import io.mipo.operator.core.AgentCallGuard.Call;
import io.mipo.operator.config.MipoConfig;
import io.mipo.operator.kube.Conditions;
import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.Enforcement;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.net.IpAddresses;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import static io.mipo.operator.binding.BindingFixtures.awaitBinding;
import static io.mipo.operator.binding.BindingFixtures.binding;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Enforcement, learning on first use, mismatch accounting and release, through the guard the
 * ingest API calls on every agent call, against the mock API server.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class BindingEnforcementTest {
    static final Path ASN_DB = Path.of("target/test-asn/asn.db");

    @Inject
    KubernetesClient client;

    @Inject
    SourceAddressGuard guard;

    @Inject
    BindingObservations observations;

    @Inject
    LiveAsnDatabase asn;

    @Inject
    MeterRegistry registry;

    @Inject
    MipoConfig config;

    static InetAddress ip(String s) {
        return IpAddresses.parse(s).orElseThrow();
    }

    /** A scanner and its binding, once the reconciler has seen the binding (so the guard's cache has it). */
    ScannerBinding bound(String ns, String name, BindingMode mode, String value, Enforcement enforcement) {
        client.resource(TestResources.scanner(ns, name, null)).create();
        client.resource(binding(ns, name, mode, value, enforcement)).create();
        return awaitBinding(client, ns, name, b -> b.getStatus() != null && b.getStatus().getObservedGeneration() != null);
    }

    Refusal refused(String ns, String name, String address) {
        Refusal e = assertThrows(Refusal.class, () -> guard.check(ns, name, ip(address), Call.HEARTBEAT),
                address + " should have been refused");
        assertEquals(403, ApiException.statusOf(e));
        assertEquals("IP_BINDING_VIOLATION", e.code());
        return e;
    }

    void accepted(String ns, String name, String address) {
        assertDoesNotThrow(() -> guard.check(ns, name, ip(address), Call.HEARTBEAT), address + " should have been accepted");
    }

    double mismatches(BindingMode mode, Enforcement e) {
        Counter c = registry.find(BindingObservations.METRIC).tag("mode", mode.name()).tag("enforcement", e.name()).counter();
        return c == null ? 0 : c.count();
    }

    List<Event> mismatchEvents(String ns, String name) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(ev -> BindingObservations.EVENT_REASON.equals(ev.getReason()))
                .filter(ev -> name.equals(ev.getInvolvedObject().getName()))
                .toList();
    }

    @Test
    void ipEnforceRefusesOtherAddressesCountsThemAndRecordsAnEvent() {
        String ns = TestResources.freshNamespace(client);
        bound(ns, "edge", BindingMode.ip, "203.0.113.7", Enforcement.Enforce);
        double before = mismatches(BindingMode.ip, Enforcement.Enforce);

        accepted(ns, "edge", "203.0.113.7");
        accepted(ns, "edge", "::ffff:203.0.113.7");
        Refusal e = refused(ns, "edge", "198.51.100.9");
        assertTrue(e.detail().contains("198.51.100.9"), e.detail());
        assertTrue(!e.detail().contains("203.0.113.7"), "the bound value is not told to the caller: " + e.detail());
        refused(ns, "edge", "198.51.100.10");
        refused(ns, "edge", "198.51.100.9");
        assertEquals(3, mismatches(BindingMode.ip, Enforcement.Enforce) - before, 0.0);
        String metrics = io.restassured.RestAssured.get("/q/metrics").asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("mipo_binding_mismatches_total{")
                && l.contains("mode=\"ip\"") && l.contains("enforcement=\"Enforce\"")), "no mipo_binding_mismatches_total in /q/metrics");

        ScannerBinding b = awaitBinding(client, ns, "edge", x -> x.getStatus().getMismatchCount() != null
                && x.getStatus().getMismatchCount() == 3);
        assertEquals("198.51.100.9", b.getStatus().getLastMismatch().getAddress(), TestResources.describe(b));
        assertNotNull(b.getStatus().getLastMismatch().getTime());
        assertEquals(List.of("198.51.100.9", "198.51.100.10"), b.getStatus().getRecentMismatchAddresses(), TestResources.describe(b));
        assertEquals("198.51.100.9", b.getStatus().getLastSeenAddress(), TestResources.describe(b));
        assertEquals("203.0.113.7", b.getStatus().getBoundValue());
        assertNull(b.getStatus().getLearnedAt(), "an explicit value is not learned");

        await(() -> mismatchEvents(ns, "edge").size() == 1, () -> "events: " + mismatchEvents(ns, "edge"));
        Event ev = mismatchEvents(ns, "edge").get(0);
        assertEquals("Warning", ev.getType());
        assertEquals(3, ev.getCount(), ev.getMessage());
        assertTrue(ev.getMessage().contains("198.51.100.9") && ev.getMessage().contains("Enforce"), ev.getMessage());

        // The counter survives the reconciler's rebuild (it carries observations), and a matching call
        // only updates the last-seen address.
        accepted(ns, "edge", "203.0.113.7");
        b = awaitBinding(client, ns, "edge", x -> "203.0.113.7".equals(x.getStatus().getLastSeenAddress()));
        assertEquals(3L, b.getStatus().getMismatchCount(), TestResources.describe(b));
        Scanner s = TestResources.awaitStatus(client, ns, "edge", x -> x.getStatus() != null && x.getStatus().getBinding() != null);
        assertEquals("ip 203.0.113.7", s.getStatus().getBinding(), TestResources.describe(s));
    }

    @Test
    void subnetAuditAcceptsEverythingButCountsWhatDoesNotMatch() {
        String ns = TestResources.freshNamespace(client);
        bound(ns, "audited", BindingMode.subnet, "2001:db8:1::/48", Enforcement.Audit);
        double before = mismatches(BindingMode.subnet, Enforcement.Audit);
        accepted(ns, "audited", "2001:db8:1:ffff::1");
        accepted(ns, "audited", "2001:db8:2::1");
        accepted(ns, "audited", "203.0.113.7");
        assertEquals(2, mismatches(BindingMode.subnet, Enforcement.Audit) - before, 0.0);
        ScannerBinding b = awaitBinding(client, ns, "audited", x -> Objects.equals(x.getStatus().getMismatchCount(), 2L));
        assertEquals(List.of("203.0.113.7", "2001:db8:2::1"), b.getStatus().getRecentMismatchAddresses(), TestResources.describe(b));
        Scanner s = TestResources.awaitStatus(client, ns, "audited", x -> x.getStatus() != null && x.getStatus().getBinding() != null);
        assertEquals("subnet 2001:db8:1::/48 (audit)", s.getStatus().getBinding());
    }

    @Test
    void trustOnFirstUseLearnsTheFirstAddressThenEnforcesIt() {
        String ns = TestResources.freshNamespace(client);
        bound(ns, "ip-tofu", BindingMode.ip, null, Enforcement.Enforce);
        bound(ns, "net-tofu", BindingMode.subnet, "", Enforcement.Enforce);
        ScannerBinding waiting = awaitBinding(client, ns, "ip-tofu",
                x -> "WaitingToLearn".equals(Conditions.find(x.getStatus().getConditions(), Conditions.READY).getReason()));
        assertNull(waiting.getStatus().getBoundValue());
        assertEquals("ip (learning)", TestResources.awaitStatus(client, ns, "ip-tofu",
                x -> x.getStatus() != null && x.getStatus().getBinding() != null).getStatus().getBinding());

        accepted(ns, "ip-tofu", "::ffff:203.0.113.7");
        ScannerBinding learned = client.resources(ScannerBinding.class).inNamespace(ns).withName("ip-tofu").get();
        assertEquals("203.0.113.7", learned.getStatus().getBoundValue(), "written before the call is answered: " + TestResources.describe(learned));
        assertNotNull(learned.getStatus().getLearnedAt());
        accepted(ns, "ip-tofu", "203.0.113.7");
        refused(ns, "ip-tofu", "203.0.113.8");

        accepted(ns, "net-tofu", "2001:db8:7:8:1:2:3:4");
        accepted(ns, "net-tofu", "2001:db8:7:8::99");
        refused(ns, "net-tofu", "2001:db8:7:9::1");
        assertEquals("2001:db8:7:8::/64", client.resources(ScannerBinding.class).inNamespace(ns).withName("net-tofu").get()
                .getStatus().getBoundValue());

        // Ready follows the learned value (the reconciler reacts to the status write), and so does the BINDING column.
        awaitBinding(client, ns, "ip-tofu", x -> "Bound".equals(Conditions.find(x.getStatus().getConditions(), Conditions.READY).getReason()));
        TestResources.awaitStatus(client, ns, "ip-tofu", x -> "ip 203.0.113.7".equals(x.getStatus().getBinding()));
        // kubectl edits of other fields keep the learned value.
        BindingFixtures.edit(client, ns, "ip-tofu", x -> x.getSpec().setEnforcement(Enforcement.Audit));
        ScannerBinding after = awaitBinding(client, ns, "ip-tofu", x -> x.getStatus().getObservedGeneration() != null
                && x.getStatus().getObservedGeneration().equals(x.getMetadata().getGeneration()));
        assertEquals("203.0.113.7", after.getStatus().getBoundValue(), TestResources.describe(after));
    }

    @Test
    void learningRacesPinOneValue() throws Exception {
        String ns = TestResources.freshNamespace(client);
        bound(ns, "race", BindingMode.ip, null, Enforcement.Audit);
        List<Thread> threads = new java.util.ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            String a = "198.51.100." + i;
            Thread t = new Thread(() -> guard.check(ns, "race", ip(a), Call.REGISTER));
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        observations.flush();
        ScannerBinding b = awaitBinding(client, ns, "race", x -> Objects.equals(x.getStatus().getMismatchCount(), 7L));
        assertTrue(b.getStatus().getBoundValue().startsWith("198.51.100."), TestResources.describe(b));
        assertTrue(!b.getStatus().getRecentMismatchAddresses().contains(b.getStatus().getBoundValue()), TestResources.describe(b));
    }

    @Test
    void noBindingOrModeNoneRestrictsNothing() {
        String ns = TestResources.freshNamespace(client);
        client.resource(TestResources.scanner(ns, "free", null)).create();
        accepted(ns, "free", "198.51.100.1");
        TestResources.awaitStatus(client, ns, "free", x -> x.getStatus() != null && "none".equals(x.getStatus().getBinding()));
        bound(ns, "open", BindingMode.none, null, Enforcement.Enforce);
        accepted(ns, "open", "198.51.100.1");
        ScannerBinding b = awaitBinding(client, ns, "open", x -> "198.51.100.1".equals(x.getStatus().getLastSeenAddress()));
        assertEquals("Unrestricted", Conditions.find(b.getStatus().getConditions(), Conditions.READY).getReason());
    }

    @Test
    void anInvalidSpecFailsClosed() {
        String ns = TestResources.freshNamespace(client);
        client.resource(TestResources.scanner(ns, "broken", null)).create();
        // The mock server does not run CEL rules; a real API server would refuse this, the operator still must not trust it.
        client.resource(binding(ns, "broken", BindingMode.subnet, "203.0.113.0/33", Enforcement.Enforce)).create();
        ScannerBinding b = awaitBinding(client, ns, "broken", x -> x.getStatus() != null
                && Conditions.find(x.getStatus().getConditions(), Conditions.VALID) != null);
        assertEquals("False", Conditions.find(b.getStatus().getConditions(), Conditions.VALID).getStatus(), TestResources.describe(b));
        Refusal e = refused(ns, "broken", "203.0.113.1");
        assertTrue(e.detail().contains("not valid"), e.detail());
    }

    @Test
    void aFloodFromAStolenKeyIsOneStatusWritePerFlushAndOneEvent() {
        String ns = TestResources.freshNamespace(client);
        bound(ns, "stolen", BindingMode.ip, "203.0.113.7", Enforcement.Enforce);
        awaitBinding(client, ns, "stolen", b -> "Bound".equals(Conditions.find(b.getStatus().getConditions(), Conditions.READY).getReason()));
        // Every write of this one binding (by anyone) shows up as a MODIFIED event of a watch on it.
        AtomicInteger writes = new AtomicInteger();
        try (Watch watch = client.resources(ScannerBinding.class).inNamespace(ns).withName("stolen").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, ScannerBinding resource) {
                if (action == Action.MODIFIED) {
                    writes.incrementAndGet();
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            Instant start = Instant.now();
            int calls = 0;
            while (Duration.between(start, Instant.now()).toMillis() < 3500) {
                assertThrows(Refusal.class, () -> guard.check(ns, "stolen", ip("198.51.100.66"), Call.ASSIGNMENTS));
                calls++;
            }
            Duration took = Duration.between(start, Instant.now());
            int total = calls;
            ScannerBinding b = awaitBinding(client, ns, "stolen", x -> Objects.equals(x.getStatus().getMismatchCount(), (long) total));
            long flushes = took.toMillis() / config.binding().statusFlushInterval().toMillis();
            await(() -> writes.get() >= 1, () -> "the watch saw no write");
            // One write per flush interval (plus the flush after the flood), however many calls: here thousands.
            assertTrue(writes.get() <= flushes + 2, calls + " refused calls cost " + writes.get() + " writes of the binding over "
                    + took.toMillis() + " ms (flush every " + config.binding().statusFlushInterval() + ")\n" + TestResources.describe(b));
            assertTrue(calls > 100, "only " + calls + " calls");
        }
        await(() -> !mismatchEvents(ns, "stolen").isEmpty(), () -> "no event");
        assertEquals(1, mismatchEvents(ns, "stolen").size(), "events are rate-limited: " + mismatchEvents(ns, "stolen"));
    }

    @Test
    void asnBindingsFollowTheDatabaseAndFailClosedWithoutIt() throws IOException {
        String ns = TestResources.freshNamespace(client);
        Files.createDirectories(ASN_DB.getParent());
        Files.deleteIfExists(ASN_DB);
        await(() -> !asn.current().available(), () -> asn.current().message());

        bound(ns, "by-as", BindingMode.asn, "AS15169", Enforcement.Enforce);
        ScannerBinding b = awaitBinding(client, ns, "by-as", x -> Conditions.find(x.getStatus().getConditions(),
                BindingObservationContributor.ASN_DATABASE_AVAILABLE) != null);
        var cond = Conditions.find(b.getStatus().getConditions(), BindingObservationContributor.ASN_DATABASE_AVAILABLE);
        assertEquals("False", cond.getStatus(), TestResources.describe(b));
        assertTrue(cond.getMessage().contains("fail closed"), cond.getMessage());
        assertEquals("AsnDatabaseUnavailable", Conditions.find(b.getStatus().getConditions(), Conditions.READY).getReason());
        Refusal closed = refused(ns, "by-as", "1.0.0.1");
        assertTrue(closed.detail().contains("no AS database"), closed.detail());

        // The MaxMind database appears: the condition turns True without any change to the binding.
        Files.copy(Path.of("src/test/resources/asn/GeoLite2-ASN-Test.mmdb"), ASN_DB, StandardCopyOption.REPLACE_EXISTING);
        b = awaitBinding(client, ns, "by-as", x -> Conditions.isTrue(x.getStatus().getConditions(),
                BindingObservationContributor.ASN_DATABASE_AVAILABLE));
        assertEquals("Bound", Conditions.find(b.getStatus().getConditions(), Conditions.READY).getReason(), TestResources.describe(b));
        accepted(ns, "by-as", "1.0.0.1");
        accepted(ns, "by-as", "::ffff:1.0.0.200");
        refused(ns, "by-as", "1.128.0.1");
        refused(ns, "by-as", "203.0.113.7");

        // Learning an AS on first use.
        bound(ns, "as-tofu", BindingMode.asn, null, Enforcement.Enforce);
        accepted(ns, "as-tofu", "1.130.0.9");
        assertEquals("AS1221", client.resources(ScannerBinding.class).inNamespace(ns).withName("as-tofu").get().getStatus().getBoundValue());
        refused(ns, "as-tofu", "1.0.0.1");

        // Replaced by a TSV the test writes: reloaded, with the TSV's answers.
        Files.writeString(ASN_DB, "1.0.0.0\t1.0.0.255\t64500\tZZ\tExample\n1.128.0.0\t1.159.255.255\t1221\tAU\tTelstra\n");
        Files.setLastModifiedTime(ASN_DB, FileTime.from(Instant.now().plusSeconds(60)));
        await(() -> asn.current().available() && asn.current().message().contains("ip-to-ASN"), () -> asn.current().message());
        refused(ns, "by-as", "1.0.0.1");
        accepted(ns, "as-tofu", "1.140.0.1");

        Files.delete(ASN_DB);
        awaitBinding(client, ns, "by-as", x -> "False".equals(Conditions.find(x.getStatus().getConditions(),
                BindingObservationContributor.ASN_DATABASE_AVAILABLE).getStatus()));
        refused(ns, "as-tofu", "1.140.0.1");
    }

    static void await(java.util.concurrent.Callable<Boolean> until, java.util.function.Supplier<String> explain) {
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(until);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(explain.get(), e);
        }
    }
}
