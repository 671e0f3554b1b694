package io.mipo.operator.standalone;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * {@code <data-dir>/kubeconfig}: lets kubectl talk to the embedded API server. Rewritten at every
 * start, because the server listens on a new free port each time. It holds no credential: the
 * embedded server has no authentication and listens on 127.0.0.1 only.
 */
final class Kubeconfig {
    static final String FILE = "kubeconfig";
    static final String CONTEXT = "mipo-standalone";

    private Kubeconfig() {
    }

    static String render(String serverUrl) {
        return """
                # Written by mipo standalone mode at start-up for its embedded Kubernetes API (not for production).
                apiVersion: v1
                kind: Config
                clusters:
                - name: %1$s
                  cluster:
                    server: %2$s
                contexts:
                - name: %1$s
                  context:
                    cluster: %1$s
                    namespace: default
                    user: mipo-admin
                current-context: %1$s
                preferences: {}
                users:
                - name: mipo-admin
                  user: {}
                """.formatted(CONTEXT, serverUrl);
    }

    static Path write(Path dataDir, String serverUrl) throws IOException {
        Path file = dataDir.resolve(FILE);
        Path tmp = dataDir.resolve(FILE + ".tmp");
        Files.writeString(tmp, render(serverUrl), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return file;
    }
}
