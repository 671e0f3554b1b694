package io.mipo.operator.binding;

import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.Enforcement;

import java.util.List;

/**
 * The binding operations of the REST facade (docs/api.md): details, change, release. The facade
 * calls these; enforcement on agent calls lives beside them in this package.
 */
public interface BindingService {

    record MismatchView(String address, String time) {
    }

    /** What GET /api/config/scanners/{id}/binding answers. */
    record BindingDetails(String mode, String value, String boundValue, String enforcement, long mismatchCount,
                          MismatchView lastMismatch, List<String> recentMismatchAddresses, String lastSeenAddress,
                          String learnedAt, boolean learning) {
    }

    BindingDetails details(String namespace, String scannerId);

    /** Creates, changes or (mode none) removes the restriction; validates first and writes nothing on error. */
    BindingDetails update(String namespace, String scannerId, BindingMode mode, String value, Enforcement enforcement, String user);

    /** Forgets the bound value (learned or explicit) and zeroes the mismatch counters; the mode stays. */
    BindingDetails release(String namespace, String scannerId, String user);
}
