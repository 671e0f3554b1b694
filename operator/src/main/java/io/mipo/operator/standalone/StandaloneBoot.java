package io.mipo.operator.standalone;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * Starts standalone mode before Quarkus: the embedded API server (objects loaded from the data
 * directory), the CRDs of this build installed into it, namespace {@code default}, the kubeconfig, the
 * admin token; then points the application at it through system properties, which Quarkus reads as
 * configuration when it starts.
 */
public final class StandaloneBoot {
    private static final Logger LOG = Logger.getLogger(StandaloneBoot.class);
    /** The committed CRDs (top-level crds/), copied into the jar by the build. */
    static final List<String> CRD_RESOURCES = List.of(
            "crds/scanners.mipo.io-v1.yml", "crds/scannerbindings.mipo.io-v1.yml", "crds/scannergroups.mipo.io-v1.yml");

    private static volatile StandaloneRuntime running;

    private StandaloneBoot() {
    }

    /** The running standalone mode, if this process started one. */
    public static Optional<StandaloneRuntime> running() {
        return Optional.ofNullable(running);
    }

    /**
     * Starts the embedded API server and sets the properties that make the application use it.
     * {@code properties} reads the current value of a property (so configured values win over
     * standalone defaults); {@code setProperty} sets one.
     */
    public static StandaloneRuntime start(StandaloneSettings settings, UnaryOperator<String> properties,
                                          BiConsumer<String, String> setProperty) throws IOException {
        StoreFile.createPrivateDirectory(settings.dataDir());
        EmbeddedApiServer server = EmbeddedApiServer.start(Optional.of(settings.dataDir()), 0);
        try {
            server.installCrds(loadCrds());
            server.ensureNamespace("default");
            var kubeconfig = Kubeconfig.write(settings.dataDir(), server.url());
            boolean generated = settings.staticToken().isEmpty();
            String token = generated ? AdminToken.loadOrCreate(settings.dataDir()) : settings.staticToken().get();
            String localUrl = "http://localhost:" + settings.httpPort();
            String publicUrl = settings.publicUrl().orElse(localUrl);

            setProperty.accept(StandaloneSettings.STANDALONE, "true");
            setProperty.accept(StandaloneSettings.DATA_DIR, settings.dataDir().toString());
            // The fabric8 client's own system properties, which Quarkus' client configuration starts from
            // (quarkus.kubernetes-client.* are fixed at build time: the jar is the production one).
            setProperty.accept("kubernetes.master", server.url());
            setProperty.accept("kubernetes.namespace", "default");
            setProperty.accept("kubernetes.trust.certificates", "true");
            // The embedded API server shares this JVM's CPU: on a busy machine its first answers (class loading,
            // JIT) can be slow, and a start-up informer that times out stops the operator. Loopback does not hang.
            setDefault(properties, setProperty, "kubernetes.request.timeout", "60000");
            setDefault(properties, setProperty, "kubernetes.connection.timeout", "60000");
            // never read the user's ~/.kube/config or a pod's service account: this process talks to its own API only
            setProperty.accept("kubernetes.auth.tryKubeConfig", "false");
            setProperty.accept("kubernetes.auth.tryServiceAccount", "false");
            if (properties.apply(StandaloneSettings.STATIC_TOKEN) == null) {
                setProperty.accept(StandaloneSettings.STATIC_TOKEN, token);
            }
            if (settings.publicUrl().isEmpty()) {
                setProperty.accept(StandaloneSettings.PUBLIC_URL, publicUrl);
            }
            StandaloneRuntime runtime = new StandaloneRuntime(server, settings.dataDir(), kubeconfig, token, generated,
                    localUrl, publicUrl);
            running = runtime;
            LOG.debugf("Embedded API server at %s, data in %s", server.url(), settings.dataDir());
            return runtime;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private static void setDefault(UnaryOperator<String> properties, BiConsumer<String, String> setProperty,
                                   String key, String value) {
        if (properties.apply(key) == null) {
            setProperty.accept(key, value);
        }
    }

    static List<CustomResourceDefinition> loadCrds() throws IOException {
        List<CustomResourceDefinition> crds = new ArrayList<>();
        ClassLoader loader = StandaloneBoot.class.getClassLoader();
        for (String resource : CRD_RESOURCES) {
            try (InputStream in = loader.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException("the CRD " + resource + " is missing from the application (the build copies "
                            + "the top-level crds/ directory into it)");
                }
                crds.add(Serialization.unmarshal(in, CustomResourceDefinition.class));
            }
        }
        return crds;
    }

    /** Stops standalone mode: saves the store, stops the embedded API server, releases the data directory. */
    public static void stop() {
        StandaloneRuntime r = running;
        running = null;
        if (r != null) {
            r.apiServer().close();
        }
    }
}
