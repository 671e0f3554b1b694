package io.mipo.operator.api.config;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.group.GroupCache;
import io.mipo.operator.group.GroupMembership;
import io.mipo.operator.group.GroupRates;
import io.mipo.operator.kube.Labels;
import io.mipo.operator.model.GroupTarget;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerGroup;
import io.mipo.operator.model.ScannerGroupSpec;
import io.mipo.operator.model.TargetStatus;
import io.mipo.operator.validation.GroupRules;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** What the groups page shows of a group ({@link GroupView}, {@link GroupDetails}), from the cache. */
@ApplicationScoped
public class GroupViews {

    @Inject
    GroupCache cache;

    @Inject
    KubernetesClient client;


    GroupView view(ScannerGroup g) {
        return view(g, cache.members(g));
    }

    GroupView view(ScannerGroup g, List<Scanner> members) {
        int enabled = (int) members.stream().filter(GroupRates::enabled).count();
        int active = (int) members.stream().filter(s -> s.getStatus() != null && s.getStatus().getPhase() == Phase.Active).count();
        String status = !GroupRules.check(g.getSpec()).isEmpty() ? GroupStatuses.INVALID
                : members.isEmpty() ? GroupStatuses.NO_MEMBERS : GroupStatuses.READY;
        ScannerGroupSpec spec = g.getSpec();
        List<GroupTargetView> targets = spec == null || spec.getTargets() == null ? List.of()
                : spec.getTargets().stream().filter(Objects::nonNull).map(GroupTargetView::of).toList();
        Map<String, String> annotations = g.getMetadata().getAnnotations() == null ? Map.of() : g.getMetadata().getAnnotations();
        return new GroupView(g.getMetadata().getName(), displayName(g), spec == null || spec.getDescription() == null ? "" : spec.getDescription(),
                members.stream().map(s -> s.getMetadata().getName()).sorted().toList(), targets,
                members.size(), enabled, active, status, GroupMembership.managedByLabel(g),
                annotations.get(Labels.CREATED_BY), g.getMetadata().getCreationTimestamp());
    }

    /** The named scanners, from the cache when it has them (it may trail a write just made). */
    List<Scanner> memberObjects(String ns, java.util.Collection<String> ids) {
        List<Scanner> out = new ArrayList<>();
        for (String id : ids) {
            Optional<Scanner> s = cache.scanner(ns, id);
            if (s.isEmpty()) {
                s = Optional.ofNullable(client.resources(Scanner.class).inNamespace(ns).withName(id).get());
            }
            s.ifPresent(out::add);
        }
        return out;
    }

    static String displayName(ScannerGroup g) {
        String d = g.getSpec() == null ? null : g.getSpec().getDisplayName();
        return d == null || d.isEmpty() ? g.getMetadata().getName() : d;
    }

    private static String displayName(Scanner s) {
        String d = s.getSpec() == null ? null : s.getSpec().getDisplayName();
        return d == null || d.isEmpty() ? s.getMetadata().getName() : d;
    }

    private static String phase(Scanner s) {
        if (!GroupRates.enabled(s)) {
            return Phase.Disabled.name();
        }
        return s.getStatus() == null || s.getStatus().getPhase() == null ? Phase.Pending.name() : s.getStatus().getPhase().name();
    }

    /** The group with its members and each target's per-member rates (docs/rate-limits.md). */
    GroupDetails details(ScannerGroup g) {
        List<Scanner> members = cache.members(g);
        GroupView v = view(g, members);
        List<GroupDetails.Member> memberViews = members.stream().map(s -> new GroupDetails.Member(
                s.getMetadata().getName(), displayName(s), phase(s), !GroupRates.enabled(s), GroupRates.rateLimit(s))).toList();
        List<GroupTarget> specTargets = g.getSpec() == null || g.getSpec().getTargets() == null ? List.of() : g.getSpec().getTargets();
        List<TargetStatus> rates = GroupRates.targets(g, members, Integer.MAX_VALUE);
        List<GroupDetails.Target> targets = new ArrayList<>();
        for (int i = 0; i < specTargets.size(); i++) {
            GroupTarget t = specTargets.get(i);
            TargetStatus r = rates.get(i);
            targets.add(new GroupDetails.Target(r.getSubnet(), r.getPorts(), orZero(t == null ? null : t.getRateLimit()),
                    orZero(t == null ? null : t.getPortListRateLimit()), r.getPerMemberRate(), r.getMembers()));
        }
        GroupDetails d = new GroupDetails(v.id(), v.name(), v.description(), memberViews, targets, v.memberCount(),
                v.enabledMembers(), v.activeMembers(), v.status(), v.managedMembership(), v.createdBy(), v.createdAt(),
                g.getStatus() == null ? null : g.getStatus().getConditions());
        return d;
    }

    private static Integer orZero(Integer v) {
        return v == null ? 0 : v;
    }
}
