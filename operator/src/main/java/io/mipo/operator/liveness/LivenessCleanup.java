package io.mipo.operator.liveness;

import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.scanner.ScannerCleanup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** A deleted scanner leaves this replica's ledger, its in-memory report and the phase gauge. */
@ApplicationScoped
public class LivenessCleanup implements ScannerCleanup {
    @Inject
    Liveness liveness;

    @Override
    public void cleanup(Scanner scanner) {
        liveness.forget(ScannerRef.of(scanner));
    }
}
