package io.mipo.operator.group;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.mipo.operator.model.Assignment;
import io.mipo.operator.model.GroupTarget;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerGroup;
import io.mipo.operator.model.ScannerGroupSpec;
import io.mipo.operator.model.ScannerSpec;
import io.mipo.operator.model.ScannerStatus;
import io.mipo.operator.model.TargetStatus;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GroupRatesTest {

    static Scanner scanner(String name, int rateLimit, boolean disabled) {
        Scanner s = new Scanner();
        s.setMetadata(new ObjectMetaBuilder().withNamespace("ns").withName(name).build());
        ScannerSpec spec = new ScannerSpec();
        spec.setRateLimit(rateLimit);
        spec.setDisabled(disabled);
        s.setSpec(spec);
        return s;
    }

    static GroupTarget target(String subnet, String ports, Integer rate, Integer portListRate) {
        GroupTarget t = new GroupTarget();
        t.setSubnet(subnet);
        t.setPorts(ports);
        t.setRateLimit(rate);
        t.setPortListRateLimit(portListRate);
        return t;
    }

    static ScannerGroup group(String name, GroupTarget... targets) {
        ScannerGroup g = new ScannerGroup();
        g.setMetadata(new ObjectMetaBuilder().withNamespace("ns").withName(name).build());
        ScannerGroupSpec spec = new ScannerGroupSpec();
        spec.setTargets(List.of(targets));
        g.setSpec(spec);
        return g;
    }

    @Test
    void assignmentsListEveryTargetOfEveryGroupWithTheWinningLimit() {
        ScannerGroup a = group("a", target("10.0.0.7/24", "443, 22", 600, 0), target("2001:db8::1/64", null, 0, 0));
        ScannerGroup b = group("b", target("192.0.2.0/28", "80", 10, 0));
        List<Assignment> got = GroupRates.assignments(scanner("s", 150, false),
                List.of(new GroupRates.Share(a, 3), new GroupRates.Share(b, 20)));

        assertEquals(3, got.size(), describe(got));
        assertEquals("a", got.get(0).getGroup());
        assertEquals("10.0.0.0/24", got.get(0).getSubnet(), "the network address is normalised");
        assertEquals("443,22", got.get(0).getPorts(), "spaces dropped, order kept");
        assertEquals(150.0, got.get(0).getMaxProbesPerSecond(), describe(got));
        assertEquals("scanner", got.get(0).getLimitedBy());

        assertEquals("2001:db8::/64", got.get(1).getSubnet());
        assertEquals(GroupRates.ALL_PORTS, got.get(1).getPorts(), "no ports means every port, said explicitly");
        assertEquals(150.0, got.get(1).getMaxProbesPerSecond());

        assertEquals("b", got.get(2).getGroup());
        assertEquals(0.5, got.get(2).getMaxProbesPerSecond(), "10 pps over 20 members");
        assertEquals("subnet", got.get(2).getLimitedBy());
    }

    @Test
    void aDisabledScannerHasNoAssignments() {
        ScannerGroup a = group("a", target("10.0.0.0/24", "22", 600, 0));
        assertTrue(GroupRates.assignments(scanner("s", 0, true), List.of(new GroupRates.Share(a, 3))).isEmpty());
    }

    @Test
    void anInvalidTargetIsSkippedAndTheOthersStay() {
        ScannerGroup a = group("a", target("10.0.0.0/33", "22", 0, 0), target("10.1.0.0/16", "0-80", 0, 0),
                target("10.2.0.0/16", "22", 0, 0));
        List<Assignment> got = GroupRates.assignments(scanner("s", 0, false), List.of(new GroupRates.Share(a, 1)));
        assertEquals(1, got.size(), describe(got));
        assertEquals("10.2.0.0/16", got.get(0).getSubnet());
        assertEquals(0.0, got.get(0).getMaxProbesPerSecond());
        assertEquals("none", got.get(0).getLimitedBy());
    }

    @Test
    void groupTargetsShareAmongEnabledMembersOnly() {
        ScannerGroup g = group("g", target("10.0.0.0/24", "22", 600, 0));
        List<Scanner> members = List.of(scanner("a", 0, false), scanner("b", 100, false), scanner("c", 0, true));
        List<TargetStatus> targets = GroupRates.targets(g, members, 1000);

        assertEquals(1, targets.size());
        TargetStatus t = targets.get(0);
        assertEquals(300.0, t.getPerMemberRate(), "600 over the 2 enabled members");
        assertEquals(2, t.getMembers().size(), "the disabled member is not listed");
        assertEquals("a", t.getMembers().get(0).getScanner());
        assertEquals(300.0, t.getMembers().get(0).getMaxProbesPerSecond());
        assertEquals("subnet", t.getMembers().get(0).getLimitedBy());
        assertEquals("b", t.getMembers().get(1).getScanner());
        assertEquals(100.0, t.getMembers().get(1).getMaxProbesPerSecond());
        assertEquals("scanner", t.getMembers().get(1).getLimitedBy());
    }

    @Test
    void offlineMembersKeepTheirShare() {
        ScannerGroup g = group("g", target("10.0.0.0/24", "22", 600, 0));
        Scanner offline = scanner("b", 0, false);
        ScannerStatus st = new ScannerStatus();
        st.setPhase(Phase.Offline);
        offline.setStatus(st);
        TargetStatus t = GroupRates.targets(g, List.of(scanner("a", 0, false), offline, scanner("c", 0, false)), 1000).get(0);
        assertEquals(200.0, t.getPerMemberRate(), "an Offline scanner may still be scanning: 600 over 3");
        assertEquals(3, t.getMembers().size());
    }

    @Test
    void largeGroupsKeepTheShareButLeaveOutPerMemberLists() {
        ScannerGroup g = group("g", target("10.0.0.0/24", "22", 10, 0), target("10.0.1.0/24", "22", 0, 0));
        List<Scanner> members = List.of(scanner("a", 0, false), scanner("b", 0, false));
        List<TargetStatus> targets = GroupRates.targets(g, members, 3);
        assertEquals(5.0, targets.get(0).getPerMemberRate());
        assertNull(targets.get(0).getMembers());
        assertEquals(0.0, targets.get(1).getPerMemberRate(), "no subnet limit: 0 = unlimited");
    }

    @Test
    void noEnabledMemberMeansNoShare() {
        ScannerGroup g = group("g", target("10.0.0.0/24", "22", 10, 0));
        TargetStatus t = GroupRates.targets(g, List.of(scanner("a", 0, true)), 1000).get(0);
        assertNull(t.getPerMemberRate());
        assertTrue(t.getMembers().isEmpty());
    }

    private static String describe(List<Assignment> got) {
        return got.stream().map(a -> a.getGroup() + " " + a.getSubnet() + " " + a.getPorts() + " "
                + a.getMaxProbesPerSecond() + " " + a.getLimitedBy()).toList().toString();
    }
}
