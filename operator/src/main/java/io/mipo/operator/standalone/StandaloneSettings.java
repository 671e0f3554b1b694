package io.mipo.operator.standalone;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * What standalone mode needs to know before Quarkus starts (its configuration is not built yet):
 * read from system properties, then environment variables, with the names and defaults of docs/configuration.md.
 * Keys in application.properties are read only by Quarkus, too late to start the embedded API server.
 */
public record StandaloneSettings(boolean enabled, Path dataDir, int httpPort, Optional<String> staticToken,
                                 Optional<String> publicUrl) {
    static final String STANDALONE = "mipo.standalone";
    static final String DATA_DIR = "mipo.standalone.data-dir";
    static final String HTTP_PORT = "quarkus.http.port";
    static final String STATIC_TOKEN = "mipo.auth.static-token";
    static final String PUBLIC_URL = "mipo.public-url";
    static final String DEFAULT_DATA_DIR = "./mipo-data";

    public static StandaloneSettings fromEnvironment() {
        return from(System::getProperty, System.getenv());
    }

    static StandaloneSettings from(UnaryOperator<String> properties, Map<String, String> env) {
        boolean enabled = Boolean.parseBoolean(value(STANDALONE, properties, env).orElse("false").trim());
        Path dataDir = Path.of(value(DATA_DIR, properties, env).orElse(DEFAULT_DATA_DIR)).toAbsolutePath().normalize();
        String port = value(HTTP_PORT, properties, env).orElse("8080").trim();
        int httpPort;
        try {
            httpPort = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(HTTP_PORT + " must be a port number, not '" + port + "'", e);
        }
        return new StandaloneSettings(enabled, dataDir, httpPort, value(STATIC_TOKEN, properties, env),
                value(PUBLIC_URL, properties, env));
    }

    /** A system property, or else its environment variable (MIPO_STANDALONE_DATA_DIR for mipo.standalone.data-dir). */
    private static Optional<String> value(String key, UnaryOperator<String> properties, Map<String, String> env) {
        String v = properties.apply(key);
        if (v == null) {
            v = env.get(envName(key));
        }
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
    }

    /** The environment variable Quarkus reads for a key: upper case, every other character an underscore. */
    static String envName(String key) {
        StringBuilder b = new StringBuilder(key.length());
        for (char c : key.toCharArray()) {
            b.append(Character.isLetterOrDigit(c) ? Character.toUpperCase(c) : '_');
        }
        return b.toString();
    }
}
