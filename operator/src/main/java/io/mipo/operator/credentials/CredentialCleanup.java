package io.mipo.operator.credentials;

import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.scanner.ScannerCleanup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * A deleted scanner's key stops working as soon as the deletion is observed (kubectl delete sets
 * the deletion timestamp; the finalizer runs this), then both Secrets are removed.
 */
@ApplicationScoped
public class CredentialCleanup implements ScannerCleanup {

    @Inject
    SecretCredentialService service;

    @Override
    public void cleanup(Scanner scanner) {
        service.deleteAll(ScannerRef.of(scanner));
    }
}
