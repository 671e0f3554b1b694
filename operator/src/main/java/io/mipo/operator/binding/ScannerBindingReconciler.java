package io.mipo.operator.binding;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.mipo.operator.core.ListPaging;
import io.mipo.operator.core.OfferToFleetCache;
import io.mipo.operator.core.SharedCopies;
import io.fabric8.kubernetes.api.model.Condition;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.mipo.operator.core.CacheEvents;
import io.mipo.operator.core.FleetCache;
import io.mipo.operator.core.Refusal;
import io.mipo.operator.kube.Conditions;
import io.mipo.operator.kube.StatusWriter;
import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.model.ScannerBindingStatus;
import io.mipo.operator.validation.BindingRules;
import io.mipo.operator.validation.FieldError;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Validates a ScannerBinding, says whether its Scanner (the one of the same name) exists, and
 * rebuilds its status from observations each pass. Enforcement and learning on first use happen
 * on the agent calls; their results reach this status through {@link BindingStatusContributor}s.
 *
 * <p>Not generation-aware: the {@link BindingObservations} writes observations (a learned value,
 * mismatch counters) straight into the status from whichever replica took the agent call, and
 * the conditions must follow (Ready: WaitingToLearn → Bound). A pass that changes nothing writes
 * nothing, so reacting to status changes costs a reconcile, not a write.
 */
@ControllerConfiguration(name = ScannerBindingReconciler.NAME, generationAwareEventProcessing = false,
        informer = @Informer(informerListLimit = ListPaging.PAGE,
                onAddFilter = OfferToFleetCache.OnAdd.class, onUpdateFilter = OfferToFleetCache.OnUpdate.class))
public class ScannerBindingReconciler implements Reconciler<ScannerBinding> {
    public static final String NAME = "scannerbinding";

    @Inject
    BindingStatusUpdates statusUpdates;

    @Inject
    Instance<BindingStatusContributor> contributors;

    @Inject
    BindingIndex index;

    @Inject
    LiveAsnDatabase asnDatabase;

    @Inject
    FleetCache fleet;

    /** How soon a binding reconciled before the fleet cache's first list is looked at again. */
    static final java.time.Duration FLEET_WAIT = java.time.Duration.ofSeconds(1);

    Clock clock = Clock.systemUTC();

    @Override
    public List<EventSource<?, ScannerBinding>> prepareEventSources(EventSourceContext<ScannerBinding> context) {
        // One object per version in this cache and the fleet cache's (docs/architecture.md, "Caches").
        SharedCopies.of(ScannerBinding.class).lookIn(context.getPrimaryCache());
        // Scanners come from the fleet cache (one cache per kind per process, see docs/architecture.md).
        var scanners = CacheEvents.source("binding-scanners", fleet.scanners(), context.getPrimaryCache(),
                // Only whether the Scanner exists matters here, not its (often changing) status.
                (newer, older) -> false,
                s -> Set.of(ResourceID.fromResource(s)));
        index.attach(context.getPrimaryCache());
        // When the AS database appears, changes or goes away, asn bindings re-evaluate their conditions.
        var asnChanges = new SimpleInboundEventSource<ScannerBinding>("binding-asn-database");
        asnDatabase.onChange(() -> context.getPrimaryCache()
                .list(b -> b.getSpec() != null && b.getSpec().getMode() == BindingMode.asn)
                .forEach(b -> asnChanges.propagateEvent(ResourceID.fromResource(b))));
        return List.of(scanners, asnChanges);
    }

    @Override
    public UpdateControl<ScannerBinding> reconcile(ScannerBinding binding, Context<ScannerBinding> context) {
        Instant now = clock.instant();
        if (!fleet.scanners().hasSynced()) {
            // Not knowing the Scanners yet is not knowing that this one is missing: look again when they are listed.
            return UpdateControl.<ScannerBinding>noUpdate().rescheduleAfter(FLEET_WAIT);
        }
        boolean scannerExists = fleet.scanners().get(binding.getMetadata().getNamespace(), binding.getMetadata().getName()).isPresent();
        ScannerBindingStatus next = rebuild(binding, scannerExists, now);
        if (StatusWriter.sameJson(binding.getStatus(), next)) {
            return UpdateControl.noUpdate();
        }
        // A write is due: rebuild from the binding as it is now (BindingObservations may have written
        // observations since the cache was filled), so they are carried, not overwritten.
        statusUpdates.update(binding.getMetadata().getNamespace(), binding.getMetadata().getName(),
                fresh -> rebuild(fresh, scannerExists, now));
        return UpdateControl.noUpdate();
    }

    /** The whole status of the binding, from its spec, its previous status and the observations. */
    ScannerBindingStatus rebuild(ScannerBinding binding, boolean scannerExists, Instant now) {
        Long generation = binding.getMetadata().getGeneration();
        ScannerBindingStatus previous = binding.getStatus() == null ? new ScannerBindingStatus() : binding.getStatus();
        ScannerBindingStatus next = new ScannerBindingStatus();
        List<Condition> conditions = new ArrayList<>();

        BindingMode mode = binding.getSpec().getMode() == null ? BindingMode.none : binding.getSpec().getMode();
        List<FieldError> errors = BindingRules.check(mode, binding.getSpec().getValue());
        boolean valid = errors.isEmpty();
        conditions.add(valid
                ? Conditions.of(Conditions.VALID, true, "SpecValid", "The spec is valid.", generation)
                : Refusal.invalid(errors).asCondition(Conditions.VALID, generation));

        next.setConditions(conditions);
        for (BindingStatusContributor c : contributors.stream()
                .sorted(Comparator.comparingInt(BindingStatusContributor::order)).toList()) {
            c.contribute(binding, previous, next, now);
        }
        if (next.getBoundValue() == null && valid && binding.getSpec().getValue() != null
                && !binding.getSpec().getValue().isEmpty()) {
            next.setBoundValue(binding.getSpec().getValue());
        }

        Condition ready;
        if (!valid) {
            ready = Conditions.of(Conditions.READY, false, "Invalid", "The spec is not valid; see the Valid condition.", generation);
        } else if (!scannerExists) {
            ready = Conditions.of(Conditions.READY, false, "ScannerNotFound",
                    "No Scanner named " + binding.getMetadata().getName() + " exists in this namespace; a binding applies to the Scanner of the same name.",
                    generation);
        } else if (mode == BindingMode.asn
                && !Conditions.isTrue(next.getConditions(), BindingObservationContributor.ASN_DATABASE_AVAILABLE)) {
            ready = Conditions.of(Conditions.READY, false, "AsnDatabaseUnavailable",
                    "No usable AS database: the scanner's calls are refused (Enforce) or flagged (Audit); see AsnDatabaseAvailable.",
                    generation);
        } else if (mode == BindingMode.none) {
            ready = Conditions.of(Conditions.READY, true, "Unrestricted", "Mode none: any source address is accepted.", generation);
        } else if (next.getBoundValue() == null) {
            ready = Conditions.of(Conditions.READY, true, "WaitingToLearn",
                    "No value yet: the address of the scanner's next registration or heartbeat will be learned.", generation);
        } else {
            ready = Conditions.of(Conditions.READY, true, "Bound", "Bound to " + next.getBoundValue() + ".", generation);
        }
        Condition existing = Conditions.find(next.getConditions(), Conditions.READY);
        if (existing == null) {
            next.getConditions().add(ready);
        }
        if (!valid) {
            Condition why = Conditions.find(next.getConditions(), Conditions.VALID);
            next.getConditions().add(Conditions.of(Conditions.STALLED, true, why.getReason(), why.getMessage(), generation));
        }
        next.setConditions(Conditions.carry(previous.getConditions(), next.getConditions(), now));
        next.setObservedGeneration(generation);
        return next;
    }
}
