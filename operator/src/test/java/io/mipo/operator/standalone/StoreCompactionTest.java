package io.mipo.operator.standalone;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The snapshot is rewritten whole, so it is written when the log has grown to its size, not after
 * every few writes: a write costs one append to the log, and saving a bounded share of that.
 */
class StoreCompactionTest {
    @TempDir
    Path data;

    private static KubernetesClient client(EmbeddedApiServer s) {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(s.url()).withNamespace("default").withRequestTimeout(20_000).build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    @Test
    void theSnapshotIsWrittenWhenTheLogHasGrownToItsSizeNotAfterEachWrite() throws Exception {
        String payload = "x".repeat(32 * 1024);
        try (EmbeddedApiServer server = EmbeddedApiServer.start(Optional.of(data), 0);
             KubernetesClient c = client(server)) {
            server.ensureNamespace("default");
            long atStart = server.saves();
            assertEquals(1, atStart, "the snapshot written at start");

            for (int i = 0; i < 300; i++) {
                c.resource(new ConfigMapBuilder().withNewMetadata().withName("small-" + i).endMetadata().addToData("i", "" + i).build()).create();
            }
            Thread.sleep(1_000); // the old writer saved 0.2 s after a write; nothing may be due now
            long log = Files.size(data.resolve(WriteAheadLog.FILE));
            assertTrue(log > 30_000, "300 creates are in the log: " + log + " bytes");
            assertEquals(atStart, server.saves(), "300 writes, " + log + " bytes of log: no snapshot yet");

            // past the threshold (4 MiB, or the snapshot's size if larger): one save, and the log starts again
            int writes = 0;
            while (server.saves() == atStart && writes < 400) {
                String name = "big-" + (writes % 20);
                ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata()
                        .addToData("payload", payload).addToData("n", "" + writes).build();
                c.resource(cm).createOr(x -> x.update());
                writes++;
                if (writes > 130) {
                    Thread.sleep(20); // the save runs in the background
                }
            }
            int atSave = writes;
            await().atMost(Duration.ofSeconds(20)).until(() -> server.saves() == atStart + 1);
            assertTrue(atSave >= 4 * 1024 * 1024 / (payload.length() + 1024) && atSave < 400,
                    "a save became due after " + atSave + " writes of 32 KB (about 4 MiB of log)");
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.size(data.resolve(WriteAheadLog.FILE)) < 4L << 20);
            assertEquals(atStart + 1, server.saves(), "one save for about 4 MiB of log");
        }
        // and everything is there after a restart: snapshot plus log
        try (EmbeddedApiServer again = EmbeddedApiServer.start(Optional.of(data), 0);
             KubernetesClient c = client(again)) {
            assertEquals(300, c.configMaps().list().getItems().stream().filter(m -> m.getMetadata().getName().startsWith("small-")).count());
            assertEquals(20, c.configMaps().list().getItems().stream().filter(m -> m.getMetadata().getName().startsWith("big-")).count());
        }
    }
}
