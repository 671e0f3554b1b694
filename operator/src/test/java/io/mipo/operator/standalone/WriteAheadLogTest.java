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
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A write is on disk before it is answered: the data directory as it is on disk right after an answer
 * (copied while the server runs, as kill -9 would leave it) starts a server holding every answered write.
 */
class WriteAheadLogTest {
    @TempDir
    Path tmp;

    private static KubernetesClient client(EmbeddedApiServer s) {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(s.url()).withNamespace("default").withRequestTimeout(10_000).build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** What a crash right now would leave: the files as they are (the snapshot writer may be busy). */
    private static void copyAsOnDisk(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                if (n.equals(".lock") || Files.isDirectory(f)) {
                    continue;
                }
                try {
                    Files.copy(f, to.resolve(n));
                } catch (java.nio.file.NoSuchFileException e) {
                    // renamed away between the listing and the copy (compaction): the next listing has its successor
                }
            }
        }
    }

    @Test
    void everyAnsweredWriteSurvivesACrashAtAnyMoment() throws Exception {
        Path data = tmp.resolve("data");
        EmbeddedApiServer server = EmbeddedApiServer.start(Optional.of(data), 0);
        Map<String, String> answered = new TreeMap<>();
        try (KubernetesClient c = client(server)) {
            server.ensureNamespace("default");
            for (int i = 0; i < 60; i++) {
                String name = "cm-" + (i % 25);
                ConfigMap existing = c.configMaps().inNamespace("default").withName(name).get();
                if (i % 7 == 6 && existing != null) {
                    c.configMaps().inNamespace("default").withName(name).delete();
                    answered.remove(name);
                } else {
                    String v = "write-" + i;
                    if (existing == null) {
                        c.resource(new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata().addToData("v", v).build()).create();
                    } else {
                        c.configMaps().inNamespace("default").withName(name).edit(x -> new ConfigMapBuilder(x).addToData("v", v).build());
                    }
                    answered.put(name, "write-" + i);
                }
                // crash right after this answer: the disk must hold it
                Path copy = tmp.resolve("crash-" + i);
                copyAsOnDisk(data, copy);
                if (i % 10 == 9) {
                    EmbeddedApiServer restarted = EmbeddedApiServer.start(Optional.of(copy), 0);
                    try (KubernetesClient r = client(restarted)) {
                        Map<String, String> seen = new TreeMap<>();
                        for (ConfigMap cm : r.configMaps().inNamespace("default").list().getItems()) {
                            if (cm.getMetadata().getName().startsWith("cm-")) {
                                seen.put(cm.getMetadata().getName(), cm.getData().get("v"));
                            }
                        }
                        assertEquals(answered, seen, "invariant nothing-answered-lost: objects after a crash right after answer " + i);
                    } finally {
                        restarted.close();
                    }
                }
            }
        } finally {
            server.close();
        }
        assertTrue(Files.exists(data.resolve(WriteAheadLog.FILE)));
    }
}
