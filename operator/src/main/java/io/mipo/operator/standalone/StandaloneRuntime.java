package io.mipo.operator.standalone;

import java.nio.file.Path;

/**
 * A running standalone mode: the embedded API server and what the start-up banner tells the user.
 * {@code generatedToken} is true when the admin token was generated (and saved) rather than configured.
 */
public record StandaloneRuntime(EmbeddedApiServer apiServer, Path dataDir, Path kubeconfig, String adminToken,
                                boolean generatedToken, String localUrl, String publicUrl) {
}
