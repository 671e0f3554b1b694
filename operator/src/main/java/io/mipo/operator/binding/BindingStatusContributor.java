package io.mipo.operator.binding;

import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.model.ScannerBindingStatus;

import java.time.Instant;

/**
 * A part of a ScannerBinding's status that comes from observations outside the resource
 * (learned value, mismatch counters, ASN database availability). See ScannerStatusContributor.
 */
public interface BindingStatusContributor {
    int order();

    void contribute(ScannerBinding binding, ScannerBindingStatus previous, ScannerBindingStatus next, Instant now);
}
