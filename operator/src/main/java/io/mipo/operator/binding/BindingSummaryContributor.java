package io.mipo.operator.binding;

import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerStatus;
import io.mipo.operator.scanner.ScannerStatusContributor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Fills the Scanner's {@code status.binding} (the BINDING column of {@code kubectl get scanners}):
 * {@code ip 203.0.113.7}, {@code subnet (learning)}, {@code asn AS15169 (audit)} or {@code none}.
 */
@ApplicationScoped
public class BindingSummaryContributor implements ScannerStatusContributor {

    @Inject
    BindingIndex index;

    @Override
    public int order() {
        return ScannerStatusContributor.Order.BINDING;
    }

    @Override
    public Optional<Duration> contribute(Scanner scanner, ScannerStatus previous, ScannerStatus next, Instant now) {
        next.setBinding(index.bindingAfterWrite(scanner.getMetadata().getNamespace(), scanner.getMetadata().getName())
                .map(b -> EffectiveBinding.of(b).summary())
                .orElse("none"));
        return Optional.empty();
    }
}
