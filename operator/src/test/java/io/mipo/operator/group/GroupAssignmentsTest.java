package io.mipo.operator.group;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.kube.Conditions;
import io.mipo.operator.model.Assignment;
import io.mipo.operator.model.GroupTarget;
import io.mipo.operator.model.MemberRate;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerGroup;
import io.mipo.operator.model.ScannerGroupSpec;
import io.mipo.operator.model.TargetStatus;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Scanner assignments and group status follow changes to members' labels, {@code disabled} and
 * {@code rateLimit}, and to the group itself, for every member, not only the one that changed.
 */
@QuarkusTest
@TestProfile(GroupTestProfile.class)
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class GroupAssignmentsTest {

    @Inject
    KubernetesClient client;

    @Test
    void everyMemberFollowsDisableEnableRelabelAndRateChanges() {
        String ns = TestResources.freshNamespace(client);
        for (String name : List.of("a", "b", "c")) {
            Scanner s = TestResources.scanner(ns, name, null);
            s.getMetadata().setLabels(Map.of("team", "red"));
            client.resource(s).create();
        }
        client.resource(group(ns, "red", Map.of("team", "red"), target("10.0.0.0/24", "22,80", 600, 0))).create();

        // 600 pps over 3 enabled members: 200 each, limited by the subnet.
        for (String name : List.of("a", "b", "c")) {
            awaitRate(ns, name, 200.0, "subnet");
        }
        ScannerGroup g = awaitGroup(ns, "red", x -> Objects.equals(x.getStatus().getEnabledMembers(), 3)
                && memberRate(x, "c") != null && memberRate(x, "c").getMaxProbesPerSecond() == 200.0);
        assertEquals(List.of("a", "b", "c"), g.getStatus().getMembers(), TestResources.describe(g));
        assertEquals(3, g.getStatus().getMemberCount());
        assertEquals(200.0, g.getStatus().getTargets().get(0).getPerMemberRate());
        assertEquals("22,80", g.getStatus().getTargets().get(0).getPorts());

        // Disabling c gives its share back: a and b get 300, c has no assignments.
        edit(ns, "c", s -> s.getSpec().setDisabled(true));
        TestResources.awaitStatus(client, ns, "c", s -> s.getStatus() != null && s.getStatus().getAssignments() == null
                && s.getStatus().getObservedGeneration() != null && s.getStatus().getObservedGeneration() >= 2);
        awaitRate(ns, "a", 300.0, "subnet");
        awaitRate(ns, "b", 300.0, "subnet");
        g = awaitGroup(ns, "red", x -> Objects.equals(x.getStatus().getEnabledMembers(), 2)
                && x.getStatus().getTargets() != null && Objects.equals(x.getStatus().getTargets().get(0).getPerMemberRate(), 300.0));
        assertEquals(3, g.getStatus().getMemberCount(), "a disabled scanner stays a member");
        assertEquals(List.of("a", "b"), g.getStatus().getTargets().get(0).getMembers().stream().map(MemberRate::getScanner).toList(),
                TestResources.describe(g));

        // A scanner limit lower than the share wins, for that scanner only.
        edit(ns, "a", s -> s.getSpec().setRateLimit(50));
        awaitRate(ns, "a", 50.0, "scanner");
        awaitGroup(ns, "red", x -> memberRate(x, "a") != null && memberRate(x, "a").getMaxProbesPerSecond() == 50.0
                && "scanner".equals(memberRate(x, "a").getLimitedBy()));
        awaitRate(ns, "b", 300.0, "subnet");

        // Relabelling b out of the group: b loses its assignment, a is alone (600, but its own 50 wins).
        edit(ns, "b", s -> {
            Map<String, String> labels = new HashMap<>(s.getMetadata().getLabels());
            labels.put("team", "blue");
            s.getMetadata().setLabels(labels);
        });
        TestResources.awaitStatus(client, ns, "b", s -> s.getStatus() != null && s.getStatus().getAssignments() == null);
        g = awaitGroup(ns, "red", x -> Objects.equals(x.getStatus().getMembers(), List.of("a", "c")));
        assertEquals(1, g.getStatus().getEnabledMembers(), TestResources.describe(g));
        edit(ns, "a", s -> s.getSpec().setRateLimit(0));
        awaitRate(ns, "a", 600.0, "subnet");

        // Enabling c and labelling b back in: three enabled members again.
        edit(ns, "c", s -> s.getSpec().setDisabled(false));
        edit(ns, "b", s -> s.getMetadata().setLabels(Map.of("team", "red")));
        for (String name : List.of("a", "b", "c")) {
            awaitRate(ns, name, 200.0, "subnet");
        }
        awaitGroup(ns, "red", x -> Objects.equals(x.getStatus().getEnabledMembers(), 3));
    }

    @Test
    void groupChangesReachEveryMemberAndDeletingTheGroupClearsThem() {
        String ns = TestResources.freshNamespace(client);
        for (String name : List.of("x", "y")) {
            Scanner s = TestResources.scanner(ns, name, null);
            s.getMetadata().setLabels(Map.of("mipo.io/group.edge", "true"));
            client.resource(s).create();
        }
        client.resource(group(ns, "edge", Map.of("mipo.io/group.edge", "true"), target("192.0.2.0/24", "443", 10, 0))).create();
        awaitRate(ns, "x", 5.0, "subnet");
        awaitRate(ns, "y", 5.0, "subnet");

        // 10 pps over 20 members would be 0.5; here a port-list limit lower than the share wins.
        ScannerGroup g = client.resources(ScannerGroup.class).inNamespace(ns).withName("edge").get();
        g.getSpec().getTargets().get(0).setPortListRateLimit(2);
        g.getSpec().getTargets().add(target("2001:db8::/64", null, 0, 0));
        client.resource(g).update();
        for (String name : List.of("x", "y")) {
            Scanner s = TestResources.awaitStatus(client, ns, name, x -> x.getStatus() != null && x.getStatus().getAssignments() != null
                    && x.getStatus().getAssignments().size() == 2);
            Assignment first = s.getStatus().getAssignments().get(0);
            assertEquals(2.0, first.getMaxProbesPerSecond(), TestResources.describe(s));
            assertEquals("portList", first.getLimitedBy());
            Assignment second = s.getStatus().getAssignments().get(1);
            assertEquals("2001:db8::/64", second.getSubnet());
            assertEquals(GroupRates.ALL_PORTS, second.getPorts());
            assertEquals(0.0, second.getMaxProbesPerSecond(), "no limit at all: 0 = unlimited");
            assertEquals("none", second.getLimitedBy());
        }

        client.resources(ScannerGroup.class).inNamespace(ns).withName("edge").delete();
        for (String name : List.of("x", "y")) {
            Scanner s = TestResources.awaitStatus(client, ns, name, x -> x.getStatus() != null && x.getStatus().getAssignments() == null);
            assertNull(s.getStatus().getAssignments());
        }
    }

    @Test
    void aGroupWithABadTargetSaysWhichAndStillAssignsTheGoodOnes() {
        String ns = TestResources.freshNamespace(client);
        Scanner s = TestResources.scanner(ns, "solo", null);
        s.getMetadata().setLabels(Map.of("team", "x"));
        client.resource(s).create();
        // The mock API server does not enforce the CRD schema, so the operator's own check shows.
        client.resource(group(ns, "mixed", Map.of("team", "x"), target("10.0.0.0/8", "22", 0, 0), target("10.1.0.0/16", "9000-8000", 0, 0))).create();
        ScannerGroup g = awaitGroup(ns, "mixed", x -> Conditions.find(x.getStatus().getConditions(), Conditions.VALID) != null);
        var valid = Conditions.find(g.getStatus().getConditions(), Conditions.VALID);
        assertEquals("False", valid.getStatus(), TestResources.describe(g));
        assertEquals("InvalidPorts", valid.getReason());
        assertEquals(true, valid.getMessage().contains("spec.targets[1].ports") && valid.getMessage().contains("9000-8000"), valid.getMessage());
        Scanner solo = TestResources.awaitStatus(client, ns, "solo", x -> x.getStatus() != null && x.getStatus().getAssignments() != null);
        assertEquals(1, solo.getStatus().getAssignments().size(), TestResources.describe(solo));
        assertEquals("10.0.0.0/8", solo.getStatus().getAssignments().get(0).getSubnet());
    }

    // ---- helpers ----

    private void edit(String ns, String name, java.util.function.Consumer<Scanner> change) {
        client.resources(Scanner.class).inNamespace(ns).withName(name).edit(s -> {
            change.accept(s);
            return s;
        });
    }

    private Scanner awaitRate(String ns, String name, double rate, String limitedBy) {
        return TestResources.awaitStatus(client, ns, name, s -> s.getStatus() != null && s.getStatus().getAssignments() != null
                && s.getStatus().getAssignments().size() == 1
                && s.getStatus().getAssignments().get(0).getMaxProbesPerSecond() == rate
                && limitedBy.equals(s.getStatus().getAssignments().get(0).getLimitedBy()));
    }

    private ScannerGroup awaitGroup(String ns, String name, Predicate<ScannerGroup> until) {
        AtomicReference<ScannerGroup> last = new AtomicReference<>();
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                ScannerGroup g = client.resources(ScannerGroup.class).inNamespace(ns).withName(name).get();
                last.set(g);
                return g != null && g.getStatus() != null && until.test(g);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("group " + ns + "/" + name + " never reached the expected state; last seen:\n"
                    + TestResources.describe(last.get()), e);
        }
        return last.get();
    }

    static MemberRate memberRate(ScannerGroup g, String scanner) {
        if (g.getStatus().getTargets() == null || g.getStatus().getTargets().isEmpty()) {
            return null;
        }
        TargetStatus t = g.getStatus().getTargets().get(0);
        return t.getMembers() == null ? null
                : t.getMembers().stream().filter(m -> scanner.equals(m.getScanner())).findFirst().orElse(null);
    }

    static ScannerGroup group(String ns, String name, Map<String, String> matchLabels, GroupTarget... targets) {
        ScannerGroup g = new ScannerGroup();
        g.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).build());
        ScannerGroupSpec spec = new ScannerGroupSpec();
        spec.setSelector(new LabelSelectorBuilder().withMatchLabels(matchLabels).build());
        spec.setTargets(new java.util.ArrayList<>(List.of(targets)));
        g.setSpec(spec);
        return g;
    }

    static GroupTarget target(String subnet, String ports, int rate, int portListRate) {
        return GroupRatesTest.target(subnet, ports, rate, portListRate);
    }
}
