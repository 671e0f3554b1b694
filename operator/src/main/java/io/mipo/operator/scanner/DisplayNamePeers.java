package io.mipo.operator.scanner;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.mipo.operator.core.DisplayNameIndex;
import io.mipo.operator.core.FleetCache;
import io.mipo.operator.core.ReconcileTrigger;
import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.model.Scanner;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Display-name uniqueness at the cost of the scanners sharing a name, not of the namespace: who
 * holds a name is read from the fleet cache's display-name index ({@link DisplayNameIndex}), and a
 * change of a scanner's display name, or its deletion, re-reconciles the scanners filed under its
 * old and its new name, and only those.
 *
 * <p>Why the fleet cache ({@link FleetCache}) and not the reconciler's primary cache: the decisions
 * and the events that ask for them must come from one cache, and the fleet cache is the one that
 * can give both. Its listeners see the old and the new object of an update (a rename must wake the
 * scanners waiting for the old name; the SDK's mappers see only the new one) and run after the
 * cache holds the change, so a scanner woken by an event decides on a cache that already has it;
 * and its index reads take the cache's lock ({@code KindCache.byIndexConsistently}), while the
 * primary cache's {@code byIndex} can miss an object fabric8 is moving between index entries, which
 * here would let a duplicate pass as valid. It also spares the Operator SDK a second Scanner
 * informer, the one the former peers event source kept. Until the fleet cache has listed the
 * scanners (start-up), the reconciler's own cache is listed as before; the fleet cache's first
 * list then re-reconciles the scanners that share a name.
 */
@ApplicationScoped
public class DisplayNamePeers {
    @Inject
    FleetCache fleet;

    @Inject
    ReconcileTrigger trigger;

    /** The scanners filed under an index key, in a namespace; the fleet cache's index unless a test sets it. */
    BiFunction<String, String, List<Scanner>> filedUnder;
    /** Whether {@link #filedUnder} has the whole fleet yet. */
    BooleanSupplier synced;
    /** Asks for a reconciliation of one scanner. */
    Consumer<ScannerRef> reconcile;

    void onStart(@Observes StartupEvent event) {
        // Default priority: before the fleet cache starts, so its first list arrives here as adds.
        fleet.scanners().addListener(listener());
    }

    private BiFunction<String, String, List<Scanner>> filedUnder() {
        BiFunction<String, String, List<Scanner>> f = filedUnder;
        return f != null ? f : (ns, key) -> fleet.scanners().byIndex(ns, DisplayNameIndex.NAME, key);
    }

    private boolean synced() {
        BooleanSupplier s = synced;
        return s != null ? s.getAsBoolean() : fleet.scanners().hasSynced();
    }

    private void reconcile(ScannerRef ref) {
        Consumer<ScannerRef> r = reconcile;
        if (r != null) {
            r.accept(ref);
        } else {
            trigger.fire(ref);
        }
    }

    /**
     * The scanner of the same namespace that holds this scanner's display name before it, if any
     * ({@link DisplayNames#holderBefore}). {@code sameNamespace} lists the reconciler's own cache:
     * it is called only before the fleet cache's first list.
     */
    public Optional<Scanner> holderBefore(Scanner scanner, Supplier<List<Scanner>> sameNamespace) {
        if (!synced()) {
            return DisplayNames.holderBefore(scanner, sameNamespace.get());
        }
        return DisplayNames.holderBefore(scanner, filedUnder().apply(scanner.getMetadata().getNamespace(), DisplayNameIndex.keyOf(scanner)));
    }

    /**
     * The scanners whose display-name check a change of {@code before} into {@code after} may
     * change (either may be null: an add or a delete): those filed under the old and the new name,
     * except the changed scanner itself. Nothing when neither the name nor the deletion changed, as
     * in a status write: nothing else decides who holds a name.
     */
    Set<ScannerRef> affectedBy(Scanner before, Scanner after) {
        Scanner any = after != null ? after : before;
        if (any == null) {
            return Set.of();
        }
        if (before != null && after != null && DisplayNameIndex.keyOf(before).equals(DisplayNameIndex.keyOf(after))
                && (before.getMetadata().getDeletionTimestamp() == null) == (after.getMetadata().getDeletionTimestamp() == null)) {
            return Set.of();
        }
        String ns = any.getMetadata().getNamespace();
        String self = any.getMetadata().getName();
        Set<String> keys = new LinkedHashSet<>();
        if (before != null) {
            keys.add(DisplayNameIndex.keyOf(before));
        }
        if (after != null) {
            keys.add(DisplayNameIndex.keyOf(after));
        }
        Set<ScannerRef> out = new LinkedHashSet<>();
        for (String key : keys) {
            for (Scanner peer : filedUnder().apply(ns, key)) {
                if (!self.equals(peer.getMetadata().getName())) {
                    out.add(new ScannerRef(ns, peer.getMetadata().getName()));
                }
            }
        }
        return out;
    }

    ResourceEventHandler<Scanner> listener() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(Scanner s) {
                affectedBy(null, s).forEach(DisplayNamePeers.this::reconcile);
            }

            @Override
            public void onUpdate(Scanner old, Scanner s) {
                affectedBy(old, s).forEach(DisplayNamePeers.this::reconcile);
            }

            @Override
            public void onDelete(Scanner s, boolean deletedFinalStateUnknown) {
                affectedBy(s, null).forEach(DisplayNamePeers.this::reconcile);
            }
        };
    }
}
