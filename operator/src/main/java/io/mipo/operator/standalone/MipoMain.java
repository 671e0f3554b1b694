package io.mipo.operator.standalone;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The operator's entry point. With {@code mipo.standalone=true} (system property or
 * {@code MIPO_STANDALONE=true}) it first starts the embedded Kubernetes API and points the application at
 * it; otherwise it starts the application unchanged, against the cluster of its kubeconfig or pod.
 */
@QuarkusMain
public final class MipoMain {
    private MipoMain() {
    }

    public static void main(String... args) {
        StandaloneSettings settings = StandaloneSettings.fromEnvironment();
        if (settings.enabled()) {
            try {
                StandaloneBoot.start(settings, System::getProperty, System::setProperty);
            } catch (Exception e) {
                System.err.println("mipo standalone mode cannot start: " + e.getMessage());
                System.exit(1);
                return;
            }
            // Save what is not saved yet when the JVM stops (SIGTERM, Ctrl-C). The server keeps serving
            // meanwhile: the application may still be writing as it shuts down.
            Runtime.getRuntime().addShutdownHook(new Thread(
                    () -> StandaloneBoot.running().ifPresent(r -> r.apiServer().flush()), "mipo-standalone-save"));
        }
        try {
            Quarkus.run(args);
        } finally {
            StandaloneBoot.stop();
        }
    }
}
