package io.mipo.operator.testing;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerSpec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/** Shared test fixtures: CRDs in the mock API server, a fresh namespace per test, status waits that explain failures. */
public final class TestResources {
    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    public static final List<String> CRD_FILES = List.of(
            "scanners.mipo.io-v1.yml", "scannerbindings.mipo.io-v1.yml", "scannergroups.mipo.io-v1.yml");

    private TestResources() {
    }

    /** Installs the committed CRDs into the mock API server before Quarkus starts. */
    public static class InstallCrds implements Consumer<KubernetesServer> {
        @Override
        public void accept(KubernetesServer server) {
            KubernetesClient c = server.getClient();
            for (String f : CRD_FILES) {
                c.resource(crd(f)).create();
            }
        }
    }

    public static CustomResourceDefinition crd(String file) {
        Path p = projectRoot().resolve("crds").resolve(file);
        try (InputStream in = Files.newInputStream(p)) {
            return Serialization.unmarshal(in, CustomResourceDefinition.class);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + p, e);
        }
    }

    public static Path projectRoot() {
        Path here = Path.of("").toAbsolutePath();
        return Files.exists(here.resolve("crds")) ? here : here.getParent();
    }

    public static String freshNamespace(KubernetesClient client) {
        return "t" + NAMESPACES.incrementAndGet() + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
    }

    public static Scanner scanner(String ns, String name, String displayName) {
        Scanner s = new Scanner();
        s.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).build());
        ScannerSpec spec = new ScannerSpec();
        spec.setDisplayName(displayName);
        s.setSpec(spec);
        return s;
    }

    /** Waits (up to 20 s) for the scanner to satisfy {@code until}; on failure prints what was seen. */
    public static Scanner awaitStatus(KubernetesClient client, String ns, String name, Predicate<Scanner> until) {
        AtomicReference<Scanner> last = new AtomicReference<>();
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                Scanner s = client.resources(Scanner.class).inNamespace(ns).withName(name).get();
                last.set(s);
                return s != null && until.test(s);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("scanner " + ns + "/" + name + " never reached the expected state; last seen:\n"
                    + describe(last.get()), e);
        }
        return last.get();
    }

    /**
     * Read-modify-write with optimistic locking, retried on 409 as a careful client does: the
     * operator writes status concurrently, which changes the resourceVersion.
     */
    public static <T extends io.fabric8.kubernetes.api.model.HasMetadata> T modify(
            KubernetesClient client, Class<T> type, String ns, String name, java.util.function.Consumer<T> change) {
        for (int attempt = 0; ; attempt++) {
            T current = client.resources(type).inNamespace(ns).withName(name).get();
            change.accept(current);
            try {
                return client.resource(current).update();
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 20) {
                    throw e;
                }
            }
        }
    }

    public static String describe(Object resource) {
        return resource == null ? "<absent>" : Serialization.asYaml(resource);
    }
}
