package io.mipo.operator.group;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
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
 * Scanner of its namespace changes labels, {@code disabled} or phase (the Scanner informer maps
 * every Scanner event to the groups that select it now or listed it before).
 */
@ControllerConfiguration(name = ScannerGroupReconciler.NAME)
public class ScannerGroupReconciler implements Reconciler<ScannerGroup> {
    public static final String NAME = "scannergroup";

    @Inject
    StatusWriter statusWriter;

    @Inject
    Instance<GroupStatusContributor> contributors;

    Clock clock = Clock.systemUTC();

    @Override
    public List<EventSource<?, ScannerGroup>> prepareEventSources(EventSourceContext<ScannerGroup> context) {
        var scanners = new InformerEventSource<>(InformerEventSourceConfiguration
                .from(Scanner.class, ScannerGroup.class)
                .withName("group-scanners")
                .withSecondaryToPrimaryMapper(s -> groupsOf(s, context))
                .withPrimaryToSecondaryMapper((ScannerGroup g) -> Set.of())
                .build(), context);
        return List.of(scanners);
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

        List<Scanner> members = membersFromCache(group, context);
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
        } else if (members.isEmpty()) {
            conditions.add(Conditions.of(Conditions.READY, false, "NoMembers", selector(group) == null
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

    private static List<Scanner> membersFromCache(ScannerGroup group, Context<ScannerGroup> context) {
        LabelSelector selector = selector(group);
        var source = context.eventSourceRetriever().getEventSourceFor(Scanner.class);
        @SuppressWarnings("unchecked")
        InformerEventSource<Scanner, ScannerGroup> informer = (InformerEventSource<Scanner, ScannerGroup>) source;
        return informer.list(group.getMetadata().getNamespace())
                .filter(s -> s.getMetadata().getDeletionTimestamp() == null)
                .filter(s -> Selectors.matches(selector, s.getMetadata().getLabels()))
                .sorted(Comparator.comparing(s -> s.getMetadata().getName()))
                .toList();
    }
}
