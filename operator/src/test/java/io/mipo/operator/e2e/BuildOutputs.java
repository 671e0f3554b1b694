package io.mipo.operator.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The build outputs the end-to-end tests run, at paths operator/pom.xml passes to failsafe as system properties. */
final class BuildOutputs {
    private BuildOutputs() {
    }

    private static Path projectRoot() {
        return Path.of(System.getProperty("mipo.project.root", "..")).toAbsolutePath().normalize();
    }

    private static Path built(String property, String relative, String hint) {
        String configured = System.getProperty(property);
        Path p = (configured != null ? Path.of(configured) : projectRoot().resolve(relative)).toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(p), p + " is missing (" + hint + "). Build once with: mvn -o -B install -DskipTests");
        return p;
    }

    static Path operatorJar() {
        return built("mipo.operator.jar", "operator/target/quarkus-app/quarkus-run.jar", "the packaged operator");
    }

    /** The agent as a self-contained jar (README.md). */
    static Path agentJar() {
        return built("mipo.agent.jar", "scanner-image/target/mipo-scanner.jar", "the agent jar");
    }

    /** The linux/amd64 bundle the operator serves (jlink runtime + jar). */
    static Path agentBundle() {
        return built("mipo.agent.bundle", "scanner-image/target/mipo-scanner-linux-amd64.tar.gz", "the agent bundle");
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
