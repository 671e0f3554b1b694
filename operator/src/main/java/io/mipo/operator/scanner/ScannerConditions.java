package io.mipo.operator.scanner;

/** Condition reasons specific to Scanners. */
public final class ScannerConditions {
    public static final String DUPLICATE_NAME = "DuplicateName";

    private ScannerConditions() {
    }
}
