package io.mipo.operator.credentials;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.testing.TestResources;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the labelled Secrets' informer keeps of each Secret, and that what it keeps still serves the readers. */
class SlimSecretStoreTest {
    private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");

    private static Scanner scanner() {
        Scanner s = TestResources.scanner("tenant-a", "edge-1", null);
        s.getMetadata().setUid("8d0e2b9c-0000-4000-8000-000000000001");
        return s;
    }

    private static Secret stored(Secret s, String uid, String rv) {
        s.getMetadata().setUid(uid);
        s.getMetadata().setResourceVersion(rv);
        s.getMetadata().setCreationTimestamp("2026-12-04T12:00:00Z");
        return s;
    }

    @Test
    void perScannerSecretsAreKeptWithoutTheirData() {
        Scanner scanner = scanner();
        Secret provisioning = stored(CredentialSecrets.provisioning(scanner, SecretDigest.sha256("mipo_pt_x"), "curl … | sh", NOW,
                NOW.plus(Duration.ofHours(24))), "uid-p", "17");
        Secret credentials = stored(CredentialSecrets.credentials(scanner, SecretDigest.sha256("mipo_sk_y"), NOW,
                new RegisteredAgent("1.0.0", "host-1", "linux", "amd64", "10.0.0.7", "203.0.113.7")), "uid-c", "18");
        for (Secret full : List.of(provisioning, credentials)) {
            Secret kept = SlimSecretStore.slim(full);
            assertNull(kept.getData(), "data kept for " + full.getMetadata().getName());
            assertTrue(kept.getMetadata().getOwnerReferences() == null || kept.getMetadata().getOwnerReferences().isEmpty());
            assertNull(kept.getMetadata().getCreationTimestamp());
            assertEquals(full.getMetadata().getName(), kept.getMetadata().getName());
            assertEquals(full.getMetadata().getNamespace(), kept.getMetadata().getNamespace());
            assertEquals(full.getMetadata().getUid(), kept.getMetadata().getUid());
            assertEquals(full.getMetadata().getResourceVersion(), kept.getMetadata().getResourceVersion());
            assertEquals(full.getMetadata().getLabels(), kept.getMetadata().getLabels());
            // What the credential index reads of a Secret whose deletion a relist found.
            assertEquals(new ScannerRef("tenant-a", "edge-1"), CredentialSecrets.owner(kept));
            assertEquals(CredentialSecrets.component(full), CredentialSecrets.component(kept));
            assertFalse(full.getData().isEmpty(), "the Secret handed to the listeners keeps its data");
            // Kept read-only and compact: no map of unknown fields of its own, the labels copied.
            assertTrue(kept.getAdditionalProperties().isEmpty() && kept.getMetadata().getAdditionalProperties().isEmpty());
            org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
                    () -> kept.getMetadata().getLabels().put("x", "y"), "the kept labels are a read-only copy");
            assertEquals(full.getMetadata().getLabels(), kept.getMetadata().getLabels(), "unchanged by the attempt");
        }
    }

    @Test
    void otherLabelledSecretsAreKeptWhole() {
        Pod pod = new PodBuilder().withNewMetadata().withNamespace("tenant-a").withName("mipo-scanner-edge-1-x7k2p")
                .withUid("pod-uid").endMetadata().withNewSpec().withNodeName("node-1").endSpec().build();
        Secret podKey = PodCredentialSecrets.of(new ScannerRef("tenant-a", "edge-1"), pod, SecretDigest.sha256("mipo_sk_z"), NOW,
                new RegisteredAgent("1.0.0", "node-1", "linux", "amd64", null, null));
        assertSame(podKey, SlimSecretStore.slim(podKey), "its reader needs the data of a deleted one");
        Secret unlabelled = new Secret();
        unlabelled.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("x").withLabels(Map.of()).build());
        assertSame(unlabelled, SlimSecretStore.slim(unlabelled));
    }

    @Test
    void theStoreAnswersTheOldVersionAndListsAddsAsTheyCome() {
        SlimSecretStore store = new SlimSecretStore();
        Scanner scanner = scanner();
        Secret v1 = stored(CredentialSecrets.provisioning(scanner, SecretDigest.sha256("mipo_pt_x"), "curl … | sh", NOW,
                NOW.plus(Duration.ofHours(24))), "uid-p", "17");
        String key = store.getKey(v1);
        assertEquals("tenant-a/edge-1-provisioning", key);
        assertNull(store.put(key, v1));
        Secret v2 = stored(CredentialSecrets.provisioning(scanner, SecretDigest.sha256("mipo_pt_x"), "curl … | sh", NOW,
                NOW.plus(Duration.ofHours(24))), "uid-p", "18");
        Secret old = store.put(key, v2);
        assertEquals("17", old.getMetadata().getResourceVersion(), "the informer tells an update from a repeat by this");
        assertEquals("18", store.get(key).getMetadata().getResourceVersion());
        assertEquals(1, store.size());
        assertFalse(store.isFullState(), "the first list's adds must reach the listeners whole, not read back from here");
        assertEquals("18", store.remove(key).getMetadata().getResourceVersion());
        assertEquals(0, store.size());
    }
}
