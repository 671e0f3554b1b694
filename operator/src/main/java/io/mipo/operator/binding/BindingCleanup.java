package io.mipo.operator.binding;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.scanner.ScannerCleanup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Deleting a Scanner deletes its ScannerBinding (the one of the same name). */
@ApplicationScoped
public class BindingCleanup implements ScannerCleanup {
    @Inject
    KubernetesClient client;

    @Override
    public void cleanup(Scanner scanner) {
        client.resources(ScannerBinding.class)
                .inNamespace(scanner.getMetadata().getNamespace())
                .withName(scanner.getMetadata().getName())
                .delete();
    }
}
