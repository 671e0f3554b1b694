package io.mipo.operator.scanner;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.kube.Conditions;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class ScannerReconcilerTest {

    @Inject
    KubernetesClient client;

    @Test
    void newScannerIsPendingValidAndGetsAFinalizer() {
        String ns = TestResources.freshNamespace(client);
        client.resource(TestResources.scanner(ns, "edge-1", "Edge-1")).create();

        Scanner s = TestResources.awaitStatus(client, ns, "edge-1",
                x -> x.getStatus() != null && x.getStatus().getPhase() != null);
        assertEquals(Phase.Pending, s.getStatus().getPhase(), TestResources.describe(s));
        assertTrue(Conditions.isTrue(s.getStatus().getConditions(), Conditions.VALID), TestResources.describe(s));
        assertTrue(s.getMetadata().getFinalizers().stream().anyMatch(f -> f.contains("mipo.io")), TestResources.describe(s));
    }

    @Test
    void duplicateDisplayNameIsInvalidForTheLaterScanner() {
        String ns = TestResources.freshNamespace(client);
        client.resource(TestResources.scanner(ns, "first", "Shared-Name")).create();
        TestResources.awaitStatus(client, ns, "first", x -> x.getStatus() != null && x.getStatus().getPhase() != null);
        client.resource(TestResources.scanner(ns, "second", "shared-name")).create();

        Scanner second = TestResources.awaitStatus(client, ns, "second",
                x -> x.getStatus() != null && Conditions.find(x.getStatus().getConditions(), Conditions.VALID) != null);
        var valid = Conditions.find(second.getStatus().getConditions(), Conditions.VALID);
        assertEquals("False", valid.getStatus(), TestResources.describe(second));
        assertEquals(ScannerConditions.DUPLICATE_NAME, valid.getReason(), TestResources.describe(second));

        // Renaming the first frees the name: the second becomes valid.
        TestResources.modify(client, Scanner.class, ns, "first", first -> {
            first.getSpec().setDisplayName("Renamed");
        });
        TestResources.awaitStatus(client, ns, "second", x -> Conditions.isTrue(x.getStatus().getConditions(), Conditions.VALID));
    }

    @Test
    void invalidSpecIsReportedWithAReasonNamingTheField() {
        String ns = TestResources.freshNamespace(client);
        Scanner bad = TestResources.scanner(ns, "bad", "bad_name!");
        bad.getSpec().setRateLimit(200_000);
        client.resource(bad).create();
        Scanner s = TestResources.awaitStatus(client, ns, "bad",
                x -> x.getStatus() != null && Conditions.find(x.getStatus().getConditions(), Conditions.VALID) != null);
        var valid = Conditions.find(s.getStatus().getConditions(), Conditions.VALID);
        assertEquals("False", valid.getStatus());
        assertTrue(valid.getMessage().contains("spec.displayName"), valid.getMessage());
        assertTrue(valid.getMessage().contains("spec.rateLimit"), valid.getMessage());
    }

    @Test
    void deleteRunsTheFinalizerAndRemovesTheScanner() {
        String ns = TestResources.freshNamespace(client);
        client.resource(TestResources.scanner(ns, "gone", null)).create();
        TestResources.awaitStatus(client, ns, "gone", x -> x.getMetadata().getFinalizers() != null && !x.getMetadata().getFinalizers().isEmpty());
        client.resources(Scanner.class).inNamespace(ns).withName("gone").delete();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertNull(client.resources(Scanner.class).inNamespace(ns).withName("gone").get()));
    }
}
