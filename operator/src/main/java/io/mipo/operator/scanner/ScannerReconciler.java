package io.mipo.operator.scanner;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.mipo.operator.core.Refusal;
import io.mipo.operator.kube.Conditions;
import io.mipo.operator.kube.Labels;
import io.mipo.operator.kube.Selectors;
import io.mipo.operator.kube.StatusWriter;
import io.mipo.operator.core.ReconcileTrigger;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.model.ScannerGroup;
import io.mipo.operator.model.ScannerStatus;
import io.mipo.operator.validation.FieldError;
import io.mipo.operator.validation.ScannerRules;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one writer of Scanner status. Each pass rebuilds the status from observations (spec
 * validity, display-name uniqueness, then the {@link ScannerStatusContributor}s) and writes it only
 * when it changed. Time-based transitions come from {@code rescheduleAfter}, not sleeping threads.
 */
@ControllerConfiguration(name = ScannerReconciler.NAME)
public class ScannerReconciler implements Reconciler<Scanner>, Cleaner<Scanner> {
    public static final String NAME = "scanner";
    private static final Logger LOG = Logger.getLogger(ScannerReconciler.class);
    /** Even with nothing pending, look again now and then (cheap: no write unless something changed). */
    private static final Duration IDLE_RECHECK = Duration.ofMinutes(10);

    @Inject
    StatusWriter statusWriter;

    @Inject
    Instance<ScannerStatusContributor> contributors;

    @Inject
    Instance<ScannerCleanup> cleanups;

    @Inject
    DaemonSetWorkload daemonSetWorkload;

    @Inject
    ReconcileTrigger livenessTrigger;

    Clock clock = Clock.systemUTC();

    @Override
    public List<EventSource<?, Scanner>> prepareEventSources(EventSourceContext<Scanner> context) {
        // A binding change re-reconciles the Scanner of the same name (its BINDING column).
        var bindings = new InformerEventSource<>(InformerEventSourceConfiguration
                .from(ScannerBinding.class, Scanner.class)
                .withName("scanner-bindings")
                .withSecondaryToPrimaryMapper(b -> Set.of(ResourceID.fromResource(b)))
                .build(), context);
        // A group change re-reconciles the scanners it selects and those it used to (assignments).
        var groups = new InformerEventSource<>(InformerEventSourceConfiguration
                .from(ScannerGroup.class, Scanner.class)
                .withName("scanner-groups")
                .withSecondaryToPrimaryMapper(g -> membersOf(g, context))
                .build(), context);
        // A Scanner change re-reconciles the scanners that wait for its display name.
        var peers = new InformerEventSource<>(InformerEventSourceConfiguration
                .from(Scanner.class, Scanner.class)
                .withName("scanner-peers")
                .withSecondaryToPrimaryMapper(s -> duplicatesWaiting(s, context))
                .build(), context);
        // The DaemonSet of a DaemonSet-mode scanner: drift and rollout progress re-reconcile it.
        var daemonSets = new InformerEventSource<>(InformerEventSourceConfiguration
                .from(DaemonSet.class, Scanner.class)
                .withName("scanner-daemonsets")
                .withLabelSelector("app.kubernetes.io/name=mipo-scanner")
                .withSecondaryToPrimaryMapper(ds -> ds.getMetadata().getLabels() == null
                        || ds.getMetadata().getLabels().get(Labels.SCANNER) == null ? Set.of()
                        : Set.of(new ResourceID(ds.getMetadata().getLabels().get(Labels.SCANNER), ds.getMetadata().getNamespace())))
                .withPrimaryToSecondaryMapper((Scanner s) -> Set.of(new ResourceID(
                        DaemonSetRenderer.workloadName(s.getMetadata().getName()), s.getMetadata().getNamespace())))
                .build(), context);
        // Liveness asks for a reconcile of one scanner when its heartbeats and its status disagree.
        return List.of(bindings, groups, peers, daemonSets, livenessTrigger.eventSource(context));
    }

    private static Set<ResourceID> membersOf(ScannerGroup g, EventSourceContext<Scanner> context) {
        String ns = g.getMetadata().getNamespace();
        String group = g.getMetadata().getName();
        LabelSelector selector = g.getSpec() == null ? null : g.getSpec().getSelector();
        return context.getPrimaryCache().list(ns)
                .filter(s -> Selectors.matches(selector, s.getMetadata().getLabels())
                        || (s.getStatus() != null && s.getStatus().getAssignments() != null
                        && s.getStatus().getAssignments().stream().anyMatch(a -> group.equals(a.getGroup()))))
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet());
    }

    private static Set<ResourceID> duplicatesWaiting(Scanner changed, EventSourceContext<Scanner> context) {
        return context.getPrimaryCache().list(changed.getMetadata().getNamespace())
                .filter(s -> !s.getMetadata().getName().equals(changed.getMetadata().getName()))
                .filter(s -> s.getStatus() != null)
                .filter(s -> {
                    Condition valid = Conditions.find(s.getStatus().getConditions(), Conditions.VALID);
                    return valid != null && ScannerConditions.DUPLICATE_NAME.equals(valid.getReason());
                })
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet());
    }

    @Override
    public UpdateControl<Scanner> reconcile(Scanner scanner, Context<Scanner> context) {
        Instant now = clock.instant();
        daemonSetWorkload.reconcile(scanner, context.getSecondaryResource(DaemonSet.class).orElse(null));
        ScannerStatus previous = scanner.getStatus() == null ? new ScannerStatus() : scanner.getStatus();
        ScannerStatus next = new ScannerStatus();
        Long generation = scanner.getMetadata().getGeneration();

        List<Condition> conditions = new ArrayList<>();
        conditions.add(validity(scanner, context, generation));
        next.setPhase(Phase.Pending);
        next.setConditions(conditions);

        Duration recheck = IDLE_RECHECK;
        List<ScannerStatusContributor> ordered = contributors.stream()
                .sorted(Comparator.comparingInt(ScannerStatusContributor::order))
                .toList();
        for (ScannerStatusContributor c : ordered) {
            Optional<Duration> wanted = c.contribute(scanner, previous, next, now);
            if (wanted.isPresent() && wanted.get().compareTo(recheck) < 0) {
                recheck = wanted.get();
            }
        }
        if (Boolean.TRUE.equals(scanner.getSpec().getDisabled())) {
            next.setPhase(Phase.Disabled);
        }
        next.getConditions().add(ready(next, generation));
        next.setConditions(Conditions.carry(previous.getConditions(), next.getConditions(), now));
        next.setObservedGeneration(generation);

        statusWriter.write(scanner, next);
        return UpdateControl.<Scanner>noUpdate().rescheduleAfter(recheck.isNegative() ? Duration.ZERO : recheck);
    }

    private Condition validity(Scanner scanner, Context<Scanner> context, Long generation) {
        List<FieldError> errors = ScannerRules.check(scanner.getSpec());
        if (!errors.isEmpty()) {
            return Refusal.invalid(errors).asCondition(Conditions.VALID, generation);
        }
        List<Scanner> sameNamespace = context.getPrimaryCache()
                .list(scanner.getMetadata().getNamespace()).toList();
        Optional<Scanner> holder = DisplayNames.holderBefore(scanner, sameNamespace);
        if (holder.isPresent()) {
            return Conditions.of(Conditions.VALID, false, ScannerConditions.DUPLICATE_NAME,
                    "display name '" + DisplayNames.effective(scanner) + "' is already used by scanner "
                            + holder.get().getMetadata().getName() + " (names are unique per namespace, case-insensitively)",
                    generation);
        }
        return Conditions.of(Conditions.VALID, true, "SpecValid", "The spec is valid.", generation);
    }

    private static Condition ready(ScannerStatus next, Long generation) {
        boolean valid = Conditions.isTrue(next.getConditions(), Conditions.VALID);
        Phase phase = next.getPhase();
        if (!valid) {
            return Conditions.of(Conditions.READY, false, "Invalid", "The spec is not valid; see the Valid condition.", generation);
        }
        return switch (phase) {
            case Active -> Conditions.of(Conditions.READY, true, "Active", "The agent is heartbeating.", generation);
            case Pending -> Conditions.of(Conditions.READY, false, "Pending", "The agent has not registered yet.", generation);
            case Offline -> Conditions.of(Conditions.READY, false, "Offline", "The agent missed its heartbeats.", generation);
            case Disabled -> Conditions.of(Conditions.READY, false, "Disabled", "The scanner is disabled and takes no new work.", generation);
        };
    }

    @Override
    public DeleteControl cleanup(Scanner scanner, Context<Scanner> context) {
        for (ScannerCleanup c : cleanups) {
            c.cleanup(scanner);
        }
        LOG.infof("Scanner %s/%s deleted; its credentials, binding and workloads were removed",
                scanner.getMetadata().getNamespace(), scanner.getMetadata().getName());
        return DeleteControl.defaultDelete();
    }
}
