package io.mipo.scanner.config;

import io.mipo.scanner.util.Secrets;

/** What registration yields: where to talk to, who we are, and the API key that proves it. */
public record Credentials(String server, String scannerId, String apiKey, double heartbeatIntervalSeconds) {

    public Credentials {
        requireSingleLine("server", server);
        requireSingleLine("scannerId", scannerId);
        requireSingleLine("apiKey", apiKey);
    }

    private static void requireSingleLine(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is missing");
        }
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            throw new IllegalArgumentException(name + " must be a single line");
        }
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return "Credentials[server=" + server + ", scannerId=" + scannerId + ", apiKey=" + Secrets.mask(apiKey) + "]";
    }
}
