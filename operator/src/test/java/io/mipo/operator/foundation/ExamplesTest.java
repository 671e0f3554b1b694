package io.mipo.operator.foundation;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.kube.Conditions;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.model.ScannerGroup;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Applies every manifest under examples/ to the API server and checks what the operator made of it. */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class ExamplesTest {

    @Inject
    KubernetesClient client;

    @TestFactory
    Stream<DynamicTest> everyExampleIsAcceptedAndReconciled() throws IOException {
        Path dir = TestResources.projectRoot().resolve("examples");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no examples in " + dir);
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> applyAndCheck(f)));
    }

    private void applyAndCheck(Path file) throws IOException {
        String ns = TestResources.freshNamespace(client);
        List<HasMetadata> items;
        try (InputStream in = Files.newInputStream(file)) {
            items = client.load(in).items();
        }
        assertFalse(items.isEmpty(), file + " holds no object");
        // A binding names a scanner of the same name: the single-binding example needs its scanner.
        if (items.stream().anyMatch(i -> i instanceof ScannerBinding) && items.stream().noneMatch(i -> i instanceof Scanner)) {
            for (HasMetadata i : items) {
                client.resource(TestResources.scanner(ns, i.getMetadata().getName(), null)).create();
            }
        }
        for (HasMetadata item : items) {
            item.getMetadata().setNamespace(ns);
            client.resource(item).create();
        }
        for (HasMetadata item : items) {
            String name = item.getMetadata().getName();
            if (item instanceof Scanner s) {
                Phase expected = Boolean.TRUE.equals(s.getSpec().getDisabled()) ? Phase.Disabled : Phase.Pending;
                TestResources.awaitStatus(client, ns, name, x -> x.getStatus() != null
                        && x.getStatus().getPhase() == expected
                        && Conditions.isTrue(x.getStatus().getConditions(), Conditions.VALID));
            } else if (item instanceof ScannerBinding) {
                awaitReady(ScannerBinding.class, ns, name);
            } else if (item instanceof ScannerGroup) {
                awaitReady(ScannerGroup.class, ns, name);
                long expectedMembers = items.stream().filter(i -> i instanceof Scanner).count();
                if (expectedMembers > 0) {
                    await().atMost(Duration.ofSeconds(20)).until(() -> {
                        ScannerGroup now = client.resources(ScannerGroup.class).inNamespace(ns).withName(name).get();
                        return now.getStatus().getMemberCount() != null && now.getStatus().getMemberCount() > 0;
                    });
                }
            }
        }
    }

    private <T extends HasMetadata> T awaitReady(Class<T> type, String ns, String name) {
        AtomicReference<T> last = new AtomicReference<>();
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                T r = client.resources(type).inNamespace(ns).withName(name).get();
                last.set(r);
                Object status = r == null ? null : type.getMethod("getStatus").invoke(r);
                if (status == null) {
                    return false;
                }
                @SuppressWarnings("unchecked")
                List<io.fabric8.kubernetes.api.model.Condition> conds =
                        (List<io.fabric8.kubernetes.api.model.Condition>) status.getClass().getMethod("getConditions").invoke(status);
                return Conditions.isTrue(conds, Conditions.VALID) && Conditions.find(conds, Conditions.READY) != null;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(type.getSimpleName() + " " + ns + "/" + name + " was not reconciled; last seen:\n"
                    + TestResources.describe(last.get()), e);
        }
        return last.get();
    }
}
