package io.mipo.operator.credentials;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.mipo.operator.core.CredentialsChanged;
import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.kube.WatchedNamespaces;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.testing.TestResources;
import jakarta.enterprise.event.Event;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The credential index and the pod keys read the labelled Secrets through one informer: the API
 * server sees one list and one watch of Secrets, and each reader still learns of the Secrets of its
 * own component, and only of those.
 */
@EnableKubernetesMockClient(crud = true)
class LabelledSecretsTest {
    static KubernetesClient client;
    static KubernetesMockServer server;

    @SuppressWarnings("unchecked")
    private static Event<CredentialsChanged> noEvents() {
        return (Event<CredentialsChanged>) java.lang.reflect.Proxy.newProxyInstance(LabelledSecretsTest.class.getClassLoader(),
                new Class<?>[] {Event.class}, (p, m, a) -> null);
    }

    private static WatchedNamespaces allNamespaces() throws Exception {
        var c = WatchedNamespaces.class.getDeclaredConstructor(Optional.class);
        c.setAccessible(true);
        return c.newInstance(Optional.empty());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void bothReadersShareOneListAndOneWatchOfSecrets() throws Exception {
        String ns = "shared-" + UUID.randomUUID().toString().substring(0, 8);
        Scanner scanner = client.resource(TestResources.scanner(ns, "edge", null)).create();
        ScannerRef ref = ScannerRef.of(scanner);
        String token = TokenFormat.generate(TokenKind.PROVISIONING);
        Instant issued = Instant.now();
        // Already there before the start: both readers get the first list.
        client.resource(CredentialSecrets.provisioning(scanner, SecretDigest.sha256(token), "curl … | sh", issued,
                issued.plus(Duration.ofHours(24)))).create();

        LabelledSecrets shared = new LabelledSecrets();
        shared.client = client;
        shared.watched = allNamespaces();
        CredentialIndex index = new CredentialIndex();
        index.changes = noEvents();
        index.secrets = shared;
        PodKeys podKeys = new PodKeys();
        podKeys.client = client;
        podKeys.watched = allNamespaces();
        podKeys.changes = noEvents();
        podKeys.secrets = shared;
        drain();

        index.startInformer();
        podKeys.startInformers();
        shared.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> index.isSynced() && podKeys.isSynced());
        assertTrue(index.tokenOwner(SecretDigest.sha256(token)).isPresent(), "the index learned the token from the first list");
        // The informer keeps only what identifies the per-scanner Secret; the index has what it needs.
        Secret kept = shared.cached().stream()
                .filter(x -> x.getMetadata().getName().equals(CredentialSecrets.provisioningName(scanner.getMetadata().getName())))
                .findFirst().orElseThrow(() -> new AssertionError("not cached: " + shared.cached()));
        assertTrue(kept.getData() == null || kept.getData().isEmpty(), "the informer keeps the Secret's data: " + kept.getData());
        assertEquals(ns, kept.getMetadata().getNamespace());
        assertEquals(CredentialSecrets.PROVISIONING, CredentialSecrets.component(kept));
        assertEquals(ref, CredentialSecrets.owner(kept));
        assertTrue(kept.getMetadata().getUid() != null && kept.getMetadata().getResourceVersion() != null, kept.getMetadata().toString());
        assertThrows(IllegalStateException.class, () -> shared.addListener(new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
            @Override
            public void onAdd(Secret obj) {
            }

            @Override
            public void onUpdate(Secret oldObj, Secret newObj) {
            }

            @Override
            public void onDelete(Secret obj, boolean deletedFinalStateUnknown) {
            }
        }), "a listener added after the start would never learn the Secrets listed before");

        // Written after the start: a pod's credentials Secret, delivered by the watch.
        Pod pod = new PodBuilder().withNewMetadata().withNamespace(ns).withName("mipo-scanner-edge-abcde")
                .withUid(UUID.randomUUID().toString()).endMetadata().withNewSpec().withNodeName("node-1").endSpec().build();
        byte[] podKey = SecretDigest.sha256(TokenFormat.generate(TokenKind.API_KEY));
        client.resource(PodCredentialSecrets.of(ref, pod, podKey, Instant.now(),
                new RegisteredAgent("1.0", "node-1", "linux", "amd64", null, null))).create();
        await().atMost(Duration.ofSeconds(20)).until(() -> podKeys.ofPod(ns, pod.getMetadata().getName()).isPresent());
        assertEquals(Optional.empty(), index.credentials(ref), "the index ignores the pod's Secret");
        assertTrue(shared.cached().stream().anyMatch(x -> x.getMetadata().getName().equals(PodCredentialSecrets.name(pod.getMetadata().getName()))
                && x.getData() != null && !x.getData().isEmpty()), "a pod's Secret is kept whole (its data names the pod when it goes)");
        assertEquals(Optional.empty(), podKeys.ofPod(ns, ref.name() + "-" + CredentialSecrets.PROVISIONING),
                "the pod keys ignore the provisioning Secret");

        List<String> secretCalls = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
            if (r.getPath() != null && r.getPath().startsWith("/api/v1/secrets")) {
                secretCalls.add(r.getMethod() + " " + r.getPath());
            }
        }
        assertEquals(1, secretCalls.stream().filter(c -> c.startsWith("GET") && !c.contains("watch=true")).count(),
                "one list of the labelled Secrets; calls: " + secretCalls);
        assertEquals(1, secretCalls.stream().filter(c -> c.contains("watch=true")).count(),
                "one watch of the labelled Secrets; calls: " + secretCalls);
        assertTrue(secretCalls.stream().allMatch(c -> c.contains("labelSelector=app.kubernetes.io%2Fmanaged-by%3Dmipo-scanner-operator")),
                "every Secret call selects the operator's label: " + secretCalls);
        shared.stop(null);
        podKeys.stop(null);
    }

    /** Forgets the requests recorded so far (the Scanner and Secret created above). */
    private static void drain() throws InterruptedException {
        while (server.takeRequest(10, TimeUnit.MILLISECONDS) != null) {
            // recorded before the informers started
        }
    }
}
