package io.mipo.operator.core;

import io.mipo.operator.model.Scanner;

import java.util.Optional;

/** Reads a Scanner from the operator's informer cache (no API call); empty when unknown or not cached yet. */
public interface ScannerLookup {
    Optional<Scanner> scanner(ScannerRef ref);
}
