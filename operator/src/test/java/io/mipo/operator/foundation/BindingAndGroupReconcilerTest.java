package io.mipo.operator.foundation;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.kube.Conditions;
import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.model.ScannerBindingSpec;
import io.mipo.operator.model.ScannerGroup;
import io.mipo.operator.model.ScannerGroupSpec;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class BindingAndGroupReconcilerTest {

    @Inject
    KubernetesClient client;

    @Test
    void bindingSaysWhenItsScannerIsMissingAndRecoversWhenItAppears() {
        String ns = TestResources.freshNamespace(client);
        client.resource(binding(ns, "lonely", BindingMode.ip, "203.0.113.7")).create();
        ScannerBinding b = awaitBinding(ns, "lonely", x -> ready(x) != null && "ScannerNotFound".equals(ready(x).getReason()));
        assertEquals("False", ready(b).getStatus());

        client.resource(TestResources.scanner(ns, "lonely", null)).create();
        b = awaitBinding(ns, "lonely", x -> ready(x) != null && "True".equals(ready(x).getStatus()));
        assertEquals("203.0.113.7", b.getStatus().getBoundValue());
    }

    @Test
    void bindingValueThatDoesNotFitItsModeIsInvalid() {
        String ns = TestResources.freshNamespace(client);
        client.resource(TestResources.scanner(ns, "s1", null)).create();
        client.resource(binding(ns, "s1", BindingMode.subnet, "203.0.113.7")).create();
        ScannerBinding b = awaitBinding(ns, "s1", x -> Conditions.find(x.getStatus().getConditions(), Conditions.VALID) != null);
        Condition valid = Conditions.find(b.getStatus().getConditions(), Conditions.VALID);
        assertEquals("False", valid.getStatus(), TestResources.describe(b));
        assertEquals("InvalidSubnet", valid.getReason(), TestResources.describe(b));
        assertNull(b.getStatus().getBoundValue(), "an invalid value must not be put in force");
    }

    @Test
    void deletingTheScannerDeletesItsBinding() {
        String ns = TestResources.freshNamespace(client);
        client.resource(TestResources.scanner(ns, "s2", null)).create();
        client.resource(binding(ns, "s2", BindingMode.ip, null)).create();
        TestResources.awaitStatus(client, ns, "s2", x -> x.getMetadata().getFinalizers() != null && !x.getMetadata().getFinalizers().isEmpty());
        client.resources(Scanner.class).inNamespace(ns).withName("s2").delete();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertNull(client.resources(Scanner.class).inNamespace(ns).withName("s2").get());
            assertNull(client.resources(ScannerBinding.class).inNamespace(ns).withName("s2").get());
        });
    }

    @Test
    void groupFollowsLabelsAndDisabledFlagOfItsMembers() {
        String ns = TestResources.freshNamespace(client);
        for (String n : List.of("a", "b", "c")) {
            Scanner s = TestResources.scanner(ns, n, null);
            s.getMetadata().setLabels(Map.of("vantage", n.equals("c") ? "america" : "europe"));
            client.resource(s).create();
        }
        ScannerGroup g = new ScannerGroup();
        g.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName("eu").build());
        ScannerGroupSpec spec = new ScannerGroupSpec();
        spec.setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("vantage", "europe")).build());
        g.setSpec(spec);
        client.resource(g).create();

        ScannerGroup seen = awaitGroup(ns, "eu", x -> Integer.valueOf(2).equals(x.getStatus().getMemberCount()));
        assertEquals(List.of("a", "b"), seen.getStatus().getMembers());
        assertEquals(2, seen.getStatus().getEnabledMembers());

        // c joins by label
        TestResources.modify(client, Scanner.class, ns, "c", c -> {
            c.getMetadata().setLabels(Map.of("vantage", "europe"));
        });
        seen = awaitGroup(ns, "eu", x -> Integer.valueOf(3).equals(x.getStatus().getMemberCount()));
        assertEquals(List.of("a", "b", "c"), seen.getStatus().getMembers());

        // a is disabled: still a member, no longer enabled
        TestResources.modify(client, Scanner.class, ns, "a", a -> {
            a.getSpec().setDisabled(true);
        });
        seen = awaitGroup(ns, "eu", x -> Integer.valueOf(2).equals(x.getStatus().getEnabledMembers()));
        assertEquals(3, seen.getStatus().getMemberCount());

        // b leaves by label
        TestResources.modify(client, Scanner.class, ns, "b", b -> {
            b.getMetadata().setLabels(Map.of("vantage", "asia"));
        });
        seen = awaitGroup(ns, "eu", x -> Integer.valueOf(2).equals(x.getStatus().getMemberCount()));
        assertEquals(List.of("a", "c"), seen.getStatus().getMembers());
    }

    private static Condition ready(ScannerBinding b) {
        return b.getStatus() == null ? null : Conditions.find(b.getStatus().getConditions(), Conditions.READY);
    }

    private static ScannerBinding binding(String ns, String name, BindingMode mode, String value) {
        ScannerBinding b = new ScannerBinding();
        b.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).build());
        ScannerBindingSpec spec = new ScannerBindingSpec();
        spec.setMode(mode);
        spec.setValue(value);
        b.setSpec(spec);
        return b;
    }

    private ScannerBinding awaitBinding(String ns, String name, Predicate<ScannerBinding> until) {
        return awaitResource(ScannerBinding.class, ns, name, x -> x.getStatus() != null && until.test(x));
    }

    private ScannerGroup awaitGroup(String ns, String name, Predicate<ScannerGroup> until) {
        return awaitResource(ScannerGroup.class, ns, name, x -> x.getStatus() != null && until.test(x));
    }

    private <T extends io.fabric8.kubernetes.api.model.HasMetadata> T awaitResource(Class<T> type, String ns, String name, Predicate<T> until) {
        AtomicReference<T> last = new AtomicReference<>();
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                T r = client.resources(type).inNamespace(ns).withName(name).get();
                last.set(r);
                return r != null && until.test(r);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(type.getSimpleName() + " " + ns + "/" + name + " never reached the expected state; last seen:\n"
                    + TestResources.describe(last.get()), e);
        }
        return last.get();
    }
}
