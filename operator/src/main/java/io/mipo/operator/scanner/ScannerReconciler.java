package io.mipo.operator.scanner;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.mipo.operator.core.ListPaging;
import io.mipo.operator.core.OfferToFleetCache;
import io.mipo.operator.core.SharedCopies;
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
import io.mipo.operator.core.CacheEvents;
import io.mipo.operator.core.FleetCache;
import io.mipo.operator.core.Refusal;
import io.mipo.operator.kube.Conditions;
import io.mipo.operator.kube.Labels;
import io.mipo.operator.kube.Selectors;
import io.mipo.operator.kube.StatusWriter;
import io.mipo.operator.core.ReconcileTrigger;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerGroup;
import io.mipo.operator.model.ScannerGroupStatus;
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
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one writer of Scanner status. Each pass rebuilds the status from observations (spec
 * validity, display-name uniqueness, then the {@link ScannerStatusContributor}s) and writes it only
 * when it changed. Time-based transitions come from {@code rescheduleAfter}, not sleeping threads.
 */
@ControllerConfiguration(name = ScannerReconciler.NAME, informer = @Informer(informerListLimit = ListPaging.PAGE,
                onAddFilter = OfferToFleetCache.OnAdd.class, onUpdateFilter = OfferToFleetCache.OnUpdate.class))
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

    @Inject
    DaemonSetPolicy daemonSetPolicy;

    @Inject
    io.mipo.operator.core.ScannerEvents events;

    @Inject
    DisplayNamePeers displayNamePeers;

    @Inject
    FleetCache fleet;

    Clock clock = Clock.systemUTC();

    @Override
    public List<EventSource<?, Scanner>> prepareEventSources(EventSourceContext<Scanner> context) {
        // One object per version in this cache and the fleet cache's (docs/architecture.md, "Caches").
        SharedCopies.of(Scanner.class).lookIn(context.getPrimaryCache());
        // Bindings and groups come from the fleet cache (one cache per kind per process, docs/architecture.md).
        // A binding change re-reconciles the Scanner of the same name (its BINDING column).
        var bindings = CacheEvents.source("scanner-bindings", fleet.bindings(), context.getPrimaryCache(),
                (newer, older) -> true, b -> Set.of(ResourceID.fromResource(b)));
        // A group change re-reconciles the scanners it selects and those it used to (assignments).
        var groups = CacheEvents.source("scanner-groups", fleet.groups(), context.getPrimaryCache(),
                ScannerReconciler::concernsMembers, g -> membersOf(g, context));
        // A Scanner's change of display name (or its deletion) re-reconciles the scanners sharing the
        // old or the new name: DisplayNamePeers, through livenessTrigger, from the fleet cache's index.
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
        return List.of(bindings, groups, daemonSets, livenessTrigger.eventSource(context));
    }

    /**
     * Whether a group's update can change its members' status: its spec or deletion (assignments,
     * rates), or what its status says about membership, which assignments wait to agree with
     * (observedGeneration, members, enabledMembers). Its count of Active members changes with every
     * phase change of a member and concerns none of them.
     */
    static boolean concernsMembers(ScannerGroup newer, ScannerGroup older) {
        if (!Objects.equals(newer.getMetadata().getGeneration(), older.getMetadata().getGeneration())
                || !Objects.equals(newer.getMetadata().getDeletionTimestamp(), older.getMetadata().getDeletionTimestamp())
                || !Objects.equals(newer.getMetadata().getLabels(), older.getMetadata().getLabels())) {
            return true;
        }
        ScannerGroupStatus a = newer.getStatus();
        ScannerGroupStatus b = older.getStatus();
        if (a == null || b == null) {
            return a != b;
        }
        return !Objects.equals(a.getObservedGeneration(), b.getObservedGeneration())
                || !Objects.equals(a.getMembers(), b.getMembers())
                || !Objects.equals(a.getEnabledMembers(), b.getEnabledMembers());
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

    @Override
    public UpdateControl<Scanner> reconcile(Scanner scanner, Context<Scanner> context) {
        Instant now = clock.instant();
        ScannerStatus previous = scanner.getStatus() == null ? new ScannerStatus() : scanner.getStatus();
        Optional<FieldError> refused = daemonSetPolicy.refusal(scanner);
        if (refused.isEmpty()) {
            daemonSetWorkload.reconcile(scanner, context.getSecondaryResource(DaemonSet.class).orElse(null));
        } else {
            // Neither created nor changed: whatever runs stays as it was until the spec is allowed again.
            refusedEvent(scanner, previous, refused.get());
        }
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
        next.getConditions().add(agentConnected(next.getPhase(), next, generation));
        if (Boolean.TRUE.equals(scanner.getSpec().getDisabled())) {
            next.setPhase(Phase.Disabled);
        }
        next.getConditions().add(ready(next, generation));
        Condition valid = Conditions.find(next.getConditions(), Conditions.VALID);
        if (valid != null && "False".equals(valid.getStatus())) {
            next.getConditions().add(Conditions.of(Conditions.STALLED, true, valid.getReason(), valid.getMessage(), generation));
        }
        next.setConditions(Conditions.carry(previous.getConditions(), next.getConditions(), now));
        next.setObservedGeneration(generation);

        statusWriter.write(scanner, next);
        return UpdateControl.<Scanner>noUpdate().rescheduleAfter(recheck.isNegative() ? Duration.ZERO : recheck);
    }

    private void refusedEvent(Scanner scanner, ScannerStatus previous, FieldError refused) {
        Condition valid = Conditions.find(previous.getConditions(), Conditions.VALID);
        if (valid == null || !refused.reason().equals(valid.getReason())) {
            LOG.warnf("Scanner %s/%s: %s", scanner.getMetadata().getNamespace(), scanner.getMetadata().getName(), refused.message());
            events.warning(scanner, refused.reason(), refused.message(), String.valueOf(scanner.getMetadata().getGeneration()));
        }
    }

    Condition validity(Scanner scanner, Context<Scanner> context, Long generation) {
        List<FieldError> errors = new ArrayList<>(ScannerRules.check(scanner.getSpec()));
        daemonSetPolicy.refusal(scanner).ifPresent(errors::add);
        if (!errors.isEmpty()) {
            return Refusal.invalid(errors).asCondition(Conditions.VALID, generation);
        }
        Optional<Scanner> holder = displayNamePeers.holderBefore(scanner,
                () -> context.getPrimaryCache().list(scanner.getMetadata().getNamespace()).toList());
        if (holder.isPresent()) {
            return Conditions.of(Conditions.VALID, false, ScannerConditions.DUPLICATE_NAME,
                    "display name '" + DisplayNames.effective(scanner) + "' is already used by scanner "
                            + holder.get().getMetadata().getName() + " (names are unique per namespace, case-insensitively)",
                    generation);
        }
        return Conditions.of(Conditions.VALID, true, "SpecValid", "The spec is valid.", generation);
    }

    /**
     * Ready means the operator has done its part for this generation: the spec is valid and in force
     * (token issued, binding and assignments computed, DaemonSet rendered). A scanner waiting for a
     * person to run its install command, one whose agent is Offline and one disabled on purpose are
     * all Ready; the agent's own state is the AgentConnected condition and the phase. So kstatus
     * (Flux {@code wait: true}, {@code kubectl wait}) calls a correctly applied Scanner Current,
     * and an invalid one Failed (Stalled=True), never InProgress forever. See docs/gitops.md.
     */
    private static Condition ready(ScannerStatus next, Long generation) {
        boolean valid = Conditions.isTrue(next.getConditions(), Conditions.VALID);
        Phase phase = next.getPhase();
        if (!valid) {
            return Conditions.of(Conditions.READY, false, "Invalid", "The spec is not valid; see the Valid condition.", generation);
        }
        return switch (phase) {
            case Active -> Conditions.of(Conditions.READY, true, "Active", "The agent is heartbeating.", generation);
            case Pending -> Conditions.of(Conditions.READY, true, "Pending",
                    "The scanner is set up and waits for its agent to register; see the AgentConnected condition.", generation);
            case Offline -> Conditions.of(Conditions.READY, true, "Offline",
                    "The scanner is set up; its agent missed its heartbeats (see the AgentConnected condition).", generation);
            case Disabled -> Conditions.of(Conditions.READY, true, "Disabled",
                    "The scanner is disabled on purpose and takes no new work.", generation);
        };
    }

    /** The agent's state as the liveness contributors saw it, before {@code spec.disabled} is applied. */
    private static Condition agentConnected(Phase liveness, ScannerStatus next, Long generation) {
        return switch (liveness == null ? Phase.Pending : liveness) {
            case Active -> Conditions.of(ScannerConditions.AGENT_CONNECTED, true, "Heartbeating",
                    next.getInstances() == null ? "The agent is heartbeating."
                            : next.getInstances().stream().filter(i -> i.getPhase() == Phase.Active).count() + " of "
                            + next.getInstances().size() + " agent pods are heartbeating.", generation);
            case Offline -> Conditions.of(ScannerConditions.AGENT_CONNECTED, false, "HeartbeatsMissed",
                    "No heartbeat since " + next.getLastHeartbeatTime() + "; the agent may still be running.", generation);
            case Pending, Disabled -> Conditions.of(ScannerConditions.AGENT_CONNECTED, false, "NotRegistered",
                    "The agent has not registered yet.", generation);
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
