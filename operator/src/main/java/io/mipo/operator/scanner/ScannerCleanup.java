package io.mipo.operator.scanner;

import io.mipo.operator.model.Scanner;

/**
 * Something a Scanner owns that must go when it is deleted (credentials, binding, DaemonSet).
 * Run by the Scanner reconciler's finalizer; must be idempotent (it may run again after a failure).
 */
public interface ScannerCleanup {
    void cleanup(Scanner scanner);
}
