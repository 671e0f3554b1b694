package io.mipo.operator.binding;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.credentials.CredentialFixtures;
import io.mipo.operator.credentials.CredentialService;
import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.Enforcement;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static io.mipo.operator.binding.BindingFixtures.awaitBinding;
import static io.mipo.operator.binding.BindingFixtures.binding;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A binding added after the agent registered learns its value from the next heartbeat. Learning
 * writes the binding's status before the call is answered, so such a heartbeat is the one that
 * leaves the event loop for a worker thread ({@code SourceAddressGuard.mayBlock}); once learned,
 * heartbeats are checked in memory again and a stranger is refused.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class HeartbeatLearnsBindingTest {

    @Inject
    KubernetesClient client;

    @Inject
    CredentialService credentials;

    @Test
    void aHeartbeatLearnsTheAddressOfABindingAddedAfterRegistrationThenStrangersAreRefused() {
        String ns = TestResources.freshNamespace(client);
        String token = CredentialFixtures.createWithToken(client, credentials, ns, "late-bound").token();
        String key = BindingIngestTest.registered(token, "203.0.113.20");
        BindingIngestTest.ok(BindingIngestTest.heartbeat(key, "198.51.100.40"), "no binding yet: any address");

        client.resource(binding(ns, "late-bound", BindingMode.ip, null, Enforcement.Enforce)).create();
        awaitBinding(client, ns, "late-bound", b -> b.getStatus() != null && b.getStatus().getObservedGeneration() != null);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
                BindingIngestTest.heartbeat(key, "203.0.113.21").statusCode() == 200
                        && "203.0.113.21".equals(boundValue(ns)));

        ScannerBinding b = client.resources(ScannerBinding.class).inNamespace(ns).withName("late-bound").get();
        assertEquals("203.0.113.21", b.getStatus().getBoundValue(), TestResources.describe(b));
        BindingIngestTest.ok(BindingIngestTest.heartbeat(key, "203.0.113.21"), "heartbeat from the learned address");
        BindingIngestTest.violation(BindingIngestTest.heartbeat(key, "198.51.100.40"), "heartbeat from a stranger after learning");
    }

    private String boundValue(String ns) {
        ScannerBinding b = client.resources(ScannerBinding.class).inNamespace(ns).withName("late-bound").get();
        return b == null || b.getStatus() == null ? null : b.getStatus().getBoundValue();
    }
}
