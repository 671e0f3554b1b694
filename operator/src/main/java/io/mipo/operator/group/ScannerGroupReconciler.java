package io.mipo.operator.group;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.mipo.operator.core.ListPaging;
import io.mipo.operator.core.OfferToFleetCache;
import io.mipo.operator.core.SharedCopies;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.mipo.operator.core.CacheEvents;
import io.mipo.operator.core.FleetCache;
import io.mipo.operator.core.Refusal;
import io.mipo.operator.kube.Conditions;
import io.mipo.operator.kube.Selectors;
import io.mipo.operator.kube.StatusWriter;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerGroup;
import io.mipo.operator.model.ScannerGroupStatus;
import io.mipo.operator.validation.FieldError;
import io.mipo.operator.validation.GroupRules;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Resolves a group's members from its selector and reports them. Reconciled again whenever a
 * Scanner of its namespace changes labels, {@code disabled} or phase (the fleet cache's Scanner events map
 * every Scanner event to the groups that select it now or listed it before).
 */
@ControllerConfiguration(name = ScannerGroupReconciler.NAME, informer = @Informer(informerListLimit = ListPaging.PAGE,
                onAddFilter = OfferToFleetCache.OnAdd.class, onUpdateFilter = OfferToFleetCache.OnUpdate.class))
public class ScannerGroupReconciler implements Reconciler<ScannerGroup> {
    public static final String NAME = "scannergroup";

    @Inject
    StatusWriter statusWriter;

    @Inject
    FleetCache fleet;

    /** How soon a group reconciled before the fleet cache's first list is looked at again. */
    static final java.time.Duration FLEET_WAIT = java.time.Duration.ofSeconds(1);

    @Inject
    Instance<GroupStatusContributor> contributors;

    Clock clock = Clock.systemUTC();

    @Override
    public List<EventSource<?, ScannerGroup>> prepareEventSources(EventSourceContext<ScannerGroup> context) {
        // One object per version in this cache and the fleet cache's (docs/architecture.md, "Caches").
        SharedCopies.of(ScannerGroup.class).lookIn(context.getPrimaryCache());
        // Scanners come from the fleet cache (one cache per kind per process, see docs/architecture.md).
        var scanners = CacheEvents.source("group-scanners", fleet.scanners(), context.getPrimaryCache(),
                ScannerGroupReconciler::concernsGroups, s -> groupsOf(s, context));
        return List.of(scanners);
    }

    /**
     * Whether a Scanner's update can change a group's status: its labels (membership), its spec
     * (disabled, rate limit; a spec change bumps the generation), its phase, or its deletion. Status
     * refreshes of a heartbeating fleet (lastHeartbeatTime, agent facts) change none of these.
     */
    static boolean concernsGroups(Scanner newer, Scanner older) {
        return !java.util.Objects.equals(newer.getMetadata().getLabels(), older.getMetadata().getLabels())
                || !java.util.Objects.equals(newer.getMetadata().getGeneration(), older.getMetadata().getGeneration())
                || !java.util.Objects.equals(newer.getMetadata().getDeletionTimestamp(), older.getMetadata().getDeletionTimestamp())
                || phase(newer) != phase(older);
    }

    private static Phase phase(Scanner s) {
        return s.getStatus() == null ? null : s.getStatus().getPhase();
    }

    private static Set<ResourceID> groupsOf(Scanner s, EventSourceContext<ScannerGroup> context) {
        String name = s.getMetadata().getName();
        return context.getPrimaryCache().list(s.getMetadata().getNamespace())
                .filter(g -> Selectors.matches(selector(g), s.getMetadata().getLabels())
                        || (g.getStatus() != null && g.getStatus().getMembers() != null && g.getStatus().getMembers().contains(name)))
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet());
    }

    static LabelSelector selector(ScannerGroup g) {
        return g.getSpec() == null ? null : g.getSpec().getSelector();
    }

    @Override
    public UpdateControl<ScannerGroup> reconcile(ScannerGroup group, Context<ScannerGroup> context) {
        Instant now = clock.instant();
        Long generation = group.getMetadata().getGeneration();
        ScannerGroupStatus previous = group.getStatus() == null ? new ScannerGroupStatus() : group.getStatus();
        ScannerGroupStatus next = new ScannerGroupStatus();

        if (!fleet.scanners().hasSynced()) {
            // An empty member list before the Scanners are listed would be a false one: look again when they are.
            return UpdateControl.<ScannerGroup>noUpdate().rescheduleAfter(FLEET_WAIT);
        }
        List<Scanner> members = membersFromCache(group);
        next.setMembers(members.stream().map(s -> s.getMetadata().getName()).sorted().toList());
        next.setMemberCount(members.size());
        next.setEnabledMembers((int) members.stream().filter(s -> !Boolean.TRUE.equals(s.getSpec().getDisabled())).count());
        next.setActiveMembers((int) members.stream()
                .filter(s -> s.getStatus() != null && s.getStatus().getPhase() == Phase.Active).count());

        List<Condition> conditions = new ArrayList<>();
        List<FieldError> errors = GroupRules.check(group.getSpec());
        boolean valid = errors.isEmpty();
        conditions.add(valid
                ? Conditions.of(Conditions.VALID, true, "SpecValid", "The spec is valid.", generation)
                : Refusal.invalid(errors).asCondition(Conditions.VALID, generation));
        next.setConditions(conditions);
        for (GroupStatusContributor c : contributors.stream()
                .sorted(Comparator.comparingInt(GroupStatusContributor::order)).toList()) {
            c.contribute(group, members, previous, next, now);
        }
        if (!valid) {
            conditions.add(Conditions.of(Conditions.READY, false, "Invalid", "The spec is not valid; see the Valid condition.", generation));
            conditions.add(Conditions.of(Conditions.STALLED, true, conditions.get(0).getReason(), conditions.get(0).getMessage(), generation));
        } else if (members.isEmpty()) {
            // Ready: the operator has resolved the (empty) member set; scanners may match later (docs/gitops.md).
            conditions.add(Conditions.of(Conditions.READY, true, "NoMembers", selector(group) == null
                    ? "spec.selector is not set, so the group has no members."
                    : "The selector matches no Scanner in this namespace.", generation));
        } else {
            conditions.add(Conditions.of(Conditions.READY, true, "MembersResolved",
                    members.size() + " member(s), " + next.getEnabledMembers() + " enabled.", generation));
        }
        next.setConditions(Conditions.carry(previous.getConditions(), next.getConditions(), now));
        next.setObservedGeneration(generation);
        statusWriter.write(group, next);
        return UpdateControl.noUpdate();
    }

    private List<Scanner> membersFromCache(ScannerGroup group) {
        LabelSelector selector = selector(group);
        return fleet.scanners().list(group.getMetadata().getNamespace()).stream()
                .filter(s -> s.getMetadata().getDeletionTimestamp() == null)
                .filter(s -> Selectors.matches(selector, s.getMetadata().getLabels()))
                .sorted(Comparator.comparing(s -> s.getMetadata().getName()))
                .toList();
    }
}
