package io.mipo.operator.group;

import io.mipo.operator.model.Assignment;
import io.mipo.operator.model.GroupTarget;
import io.mipo.operator.model.MemberRate;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerGroup;
import io.mipo.operator.model.TargetStatus;
import io.mipo.operator.net.Cidr;
import io.mipo.operator.ratelimit.EffectiveRate;
import io.mipo.operator.validation.FieldError;
import io.mipo.operator.validation.GroupRules;
import io.mipo.operator.validation.PortList;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What follows from groups, their targets and their members (docs/rate-limits.md), as pure functions: the
 * assignments of one scanner and the per-member rates of one group. Both use
 * {@link EffectiveRate#compute}, so the Scanner's status and the group's status always agree.
 */
public final class GroupRates {
    /** A target without {@code ports} is scanned on every port: the assignment says so explicitly. */
    public static final String ALL_PORTS = "1-65535";

    private GroupRates() {
    }

    /** A group seen from one of its members: the group and how many enabled members share its subnet limits. */
    public record Share(ScannerGroup group, int enabledMembers) {
    }

    /** A target in the form handed to agents: normalised CIDR and canonical port list. */
    public record UsableTarget(String subnet, String ports, int subnetLimit, int portListLimit) {
    }

    public static boolean enabled(Scanner s) {
        return s.getSpec() == null || !Boolean.TRUE.equals(s.getSpec().getDisabled());
    }

    public static int rateLimit(Scanner s) {
        return s.getSpec() == null || s.getSpec().getRateLimit() == null ? 0 : s.getSpec().getRateLimit();
    }

    /**
     * The target as agents get it, or empty when it breaks a rule (the group's Valid condition
     * names it; the group's other targets are still scanned).
     */
    public static Optional<UsableTarget> usable(GroupTarget t) {
        List<FieldError> errors = new ArrayList<>();
        GroupRules.checkTarget("target", t, errors);
        if (!errors.isEmpty()) {
            return Optional.empty();
        }
        String subnet = Cidr.parse(t.getSubnet()).orElseThrow().toString();
        String ports = t.getPorts() == null || t.getPorts().isEmpty() ? ALL_PORTS : PortList.parse(t.getPorts()).canonical();
        return Optional.of(new UsableTarget(subnet, ports, orZero(t.getRateLimit()), orZero(t.getPortListRateLimit())));
    }

    /**
     * The assignments of {@code scanner}: one per usable target of each group, in the order of
     * {@code shares} then of the targets. None for a disabled scanner.
     */
    public static List<Assignment> assignments(Scanner scanner, List<Share> shares) {
        List<Assignment> out = new ArrayList<>();
        if (!enabled(scanner)) {
            return out;
        }
        int scannerLimit = rateLimit(scanner);
        for (Share share : shares) {
            List<GroupTarget> targets = share.group().getSpec() == null ? null : share.group().getSpec().getTargets();
            if (targets == null) {
                continue;
            }
            for (GroupTarget t : targets) {
                Optional<UsableTarget> u = usable(t);
                if (u.isEmpty()) {
                    continue;
                }
                EffectiveRate rate = EffectiveRate.compute(scannerLimit, u.get().subnetLimit(),
                        Math.max(1, share.enabledMembers()), u.get().portListLimit());
                Assignment a = new Assignment();
                a.setGroup(share.group().getMetadata().getName());
                a.setSubnet(u.get().subnet());
                a.setPorts(u.get().ports());
                a.setMaxProbesPerSecond(rate.maxProbesPerSecond());
                a.setLimitedBy(rate.limitedBy().name());
                out.add(a);
            }
        }
        return out;
    }

    /**
     * A group's targets with the share of each and the rate of each enabled member. When the
     * targets times the enabled members exceed {@code maxMemberRates}, the per-member lists are
     * left out (a status must stay small; the groups API computes them on request).
     */
    public static List<TargetStatus> targets(ScannerGroup group, List<Scanner> members, int maxMemberRates) {
        List<GroupTarget> targets = group.getSpec() == null ? null : group.getSpec().getTargets();
        if (targets == null || targets.isEmpty()) {
            return null;
        }
        List<Scanner> enabled = members.stream().filter(GroupRates::enabled).toList();
        boolean listMembers = (long) targets.size() * enabled.size() <= maxMemberRates;
        List<TargetStatus> out = new ArrayList<>();
        for (GroupTarget t : targets) {
            TargetStatus ts = new TargetStatus();
            Optional<UsableTarget> u = usable(t);
            ts.setSubnet(u.map(UsableTarget::subnet).orElse(t == null ? null : t.getSubnet()));
            ts.setPorts(u.map(UsableTarget::ports).orElse(t == null ? null : t.getPorts()));
            if (u.isPresent()) {
                ts.setPerMemberRate(EffectiveRate.share(u.get().subnetLimit(), enabled.size()));
                if (listMembers) {
                    List<MemberRate> rates = new ArrayList<>(enabled.size());
                    for (Scanner s : enabled) {
                        EffectiveRate r = EffectiveRate.compute(rateLimit(s), u.get().subnetLimit(), enabled.size(), u.get().portListLimit());
                        MemberRate m = new MemberRate();
                        m.setScanner(s.getMetadata().getName());
                        m.setMaxProbesPerSecond(r.maxProbesPerSecond());
                        m.setLimitedBy(r.limitedBy().name());
                        rates.add(m);
                    }
                    ts.setMembers(rates);
                }
            }
            out.add(ts);
        }
        return out;
    }

    private static int orZero(Integer v) {
        return v == null ? 0 : v;
    }
}
