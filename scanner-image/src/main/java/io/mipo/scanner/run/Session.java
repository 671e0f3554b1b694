package io.mipo.scanner.run;

import io.mipo.scanner.client.ApiException;
import io.mipo.scanner.client.ServerUnreachableException;
import io.mipo.scanner.config.Credentials;
import io.mipo.scanner.register.Registrar;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The credentials {@code run} works with. External scanners have a fixed API key from the
 * credentials file; when the server refuses it, only re-provisioning helps. In-cluster
 * scanners hold a key obtained with their projected ServiceAccount token, in memory only
 * (a pod restart simply registers again), and can register again when it is refused: the
 * kubelet rotates the token file, so it is re-read each time.
 */
final class Session {
    private volatile Credentials credentials;
    private final Registrar registrar;
    private final Path serviceAccountTokenFile;

    private Session(Credentials credentials, Registrar registrar, Path serviceAccountTokenFile) {
        this.credentials = credentials;
        this.registrar = registrar;
        this.serviceAccountTokenFile = serviceAccountTokenFile;
    }

    static Session fixed(Credentials credentials) {
        return new Session(credentials, null, null);
    }

    /** Registers now with the ServiceAccount token in {@code tokenFile}. */
    static Session serviceAccount(Registrar registrar, Path tokenFile)
            throws IOException, ApiException, ServerUnreachableException, InterruptedException {
        Session s = new Session(null, registrar, tokenFile);
        s.reauthenticate();
        return s;
    }

    Credentials credentials() {
        return credentials;
    }

    String apiKey() {
        return credentials.apiKey();
    }

    boolean canReauthenticate() {
        return registrar != null;
    }

    synchronized void reauthenticate() throws IOException, ApiException, ServerUnreachableException, InterruptedException {
        String token = Files.readString(serviceAccountTokenFile, StandardCharsets.UTF_8).trim();
        if (token.isEmpty()) {
            throw new IOException(serviceAccountTokenFile + " is empty");
        }
        credentials = registrar.withServiceAccountToken(token);
    }
}
