package io.mipo.operator.binding;

import io.mipo.operator.kube.Conditions;
import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.model.ScannerBindingStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;

/**
 * The binding reconciler's part for observations: the value in force (explicit, or learned and
 * still fitting the mode), and the mismatch fields and last-seen address carried over unchanged
 * from the status read (the {@link BindingObservations} and release are the only ones who change them),
 * plus {@code AsnDatabaseAvailable} for asn bindings.
 */
@ApplicationScoped
public class BindingObservationContributor implements BindingStatusContributor {
    public static final String ASN_DATABASE_AVAILABLE = "AsnDatabaseAvailable";

    @Inject
    LiveAsnDatabase asn;

    @Override
    public int order() {
        return 100;
    }

    @Override
    public void contribute(ScannerBinding binding, ScannerBindingStatus previous, ScannerBindingStatus next, Instant now) {
        EffectiveBinding b = EffectiveBinding.of(binding);
        next.setBoundValue(b.boundValue());
        next.setLearnedAt(b.learnedAt());
        next.setMismatchCount(previous.getMismatchCount() == null ? 0L : previous.getMismatchCount());
        next.setLastMismatch(previous.getLastMismatch());
        next.setRecentMismatchAddresses(previous.getRecentMismatchAddresses());
        next.setLastSeenAddress(previous.getLastSeenAddress());
        if (b.mode() == BindingMode.asn) {
            LiveAsnDatabase.Availability a = asn.current();
            next.getConditions().add(Conditions.of(ASN_DATABASE_AVAILABLE, a.available(), a.reason(), a.message(),
                    binding.getMetadata().getGeneration()));
        }
    }
}
