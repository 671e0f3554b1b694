package io.mipo.operator.distribution;

import io.mipo.operator.config.MipoConfig;
import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.distribution.AutoUpgradeRules.Change;
import io.mipo.operator.distribution.AutoUpgradeRules.Mark;
import io.mipo.operator.distribution.AutoUpgradeRules.Member;
import io.mipo.operator.distribution.AutoUpgradeRules.Plan;
import io.mipo.operator.distribution.AutoUpgradeRules.Settings;
import io.mipo.operator.distribution.AutoUpgradeRules.State;
import io.smallrye.config.WithDefault;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The staging rule of automatic upgrades on an injected clock: a fleet whose members the test moves
 * (versions reported, marks written back as the leader would) through rounds of
 * {@link AutoUpgradeRules#plan}.
 */
class AutoUpgradeRulesTest {
    private static final String OLD = "1.3.2";
    private static final String NEW = "1.4.0";
    private static final Duration DEADLINE = Duration.ofMinutes(15);

    private Clock clock = Clock.fixed(Instant.parse("2026-12-03T10:00:00Z"), ZoneOffset.UTC);

    /** The fleet as the leader sees it; {@link #round} applies a plan's changes to it. */
    private final Map<ScannerRef, Member> fleet = new LinkedHashMap<>();

    private void scanners(int n, String version) {
        for (int i = 0; i < n; i++) {
            ScannerRef ref = new ScannerRef("scanners", String.format("edge-%03d", i));
            fleet.put(ref, new Member(ref, version, true, null));
        }
    }

    private void report(String name, String version) {
        ScannerRef ref = new ScannerRef("scanners", name);
        Member m = fleet.get(ref);
        fleet.put(ref, new Member(ref, version, m.active(), m.mark()));
    }

    private void advance(Duration d) {
        clock = Clock.offset(clock, d);
    }

    private Plan round(Settings settings) {
        return round(NEW, settings);
    }

    private Plan round(String served, Settings settings) {
        Plan plan = AutoUpgradeRules.plan(served, new ArrayList<>(fleet.values()), settings, clock.instant());
        for (Change c : plan.changes()) {
            Member m = fleet.get(c.ref());
            fleet.put(c.ref(), new Member(c.ref(), m.agentVersion(), m.active(), c.mark()));
        }
        return plan;
    }

    private static Settings on(int percent, int maxFailures) {
        return new Settings(true, percent, DEADLINE, maxFailures);
    }

    private List<String> names(Plan plan, Change.Kind kind) {
        return plan.changes().stream().filter(c -> c.kind() == kind).map(c -> c.ref().name()).collect(Collectors.toList());
    }

    private long upgrading() {
        return fleet.values().stream().filter(m -> m.mark() != null && m.mark().state() == State.Upgrading).count();
    }

    @Test
    void offByDefaultAndWhenOffNothingIsChosen() throws Exception {
        WithDefault enabled = MipoConfig.AutoUpgrade.class.getMethod("enabled").getAnnotation(WithDefault.class);
        assertEquals("false", enabled.value(), "mipo.agent.auto-upgrade.enabled defaults to false");
        scanners(20, OLD);
        Plan plan = round(new Settings(false, 100, DEADLINE, 3));
        assertEquals(List.of(), plan.changes(), "automatic upgrades off: no scanner is told to upgrade");
        assertEquals(0, upgrading());
    }

    @Test
    void atMostCeilOfThePercentOfTheFleetAtLeastOneUpgradeAtOnce() {
        assertEquals(3, AutoUpgradeRules.slots(25, 10), "ceil(2.5)");
        assertEquals(1, AutoUpgradeRules.slots(5, 10), "at least one");
        assertEquals(1, AutoUpgradeRules.slots(1, 1));
        assertEquals(10, AutoUpgradeRules.slots(100, 10));
        assertEquals(25, AutoUpgradeRules.slots(25, 100));

        scanners(25, OLD);
        Plan first = round(on(10, 3));
        assertEquals(List.of("edge-000", "edge-001", "edge-002"), names(first, Change.Kind.Started), "3 of 25 at 10 %, in name order");
        assertEquals(3, first.slots());
        assertEquals(3, upgrading());
        for (Change c : first.changes()) {
            assertEquals(new Mark(State.Upgrading, NEW, clock.instant()), c.mark());
        }
        advance(Duration.ofMinutes(1));
        Plan second = round(on(10, 3));
        assertEquals(List.of(), second.changes(), "no slot is free while three are upgrading");
        assertEquals(3, second.upgrading());
    }

    @Test
    void aScannerThatHeartbeatsWithTheNewVersionFreesItsSlotForTheNext() {
        scanners(10, OLD);
        round(on(20, 3)); // 2 slots: edge-000, edge-001
        advance(Duration.ofMinutes(2));
        report("edge-000", NEW);
        Plan plan = round(on(20, 3));
        assertEquals(List.of("edge-000"), names(plan, Change.Kind.Succeeded));
        assertEquals(List.of("edge-002"), names(plan, Change.Kind.Started), "the freed slot goes to the next scanner");
        assertEquals(null, fleet.get(new ScannerRef("scanners", "edge-000")).mark(), "the mark of a done scanner is removed");
        assertEquals(2, upgrading());

        // a whole rollout: every scanner reports the new version a minute after its turn
        for (int i = 0; i < 20 && fleet.values().stream().anyMatch(m -> !m.agentVersion().equals(NEW)); i++) {
            advance(Duration.ofMinutes(1));
            fleet.values().stream().filter(m -> m.mark() != null).map(m -> m.ref().name()).toList().forEach(n -> report(n, NEW));
            Plan p = round(on(20, 3));
            assertTrue(p.upgrading() <= 2, "never more than 2 at once: " + p);
        }
        assertTrue(fleet.values().stream().allMatch(m -> m.agentVersion().equals(NEW) && m.mark() == null), fleet.toString());
    }

    @Test
    void aScannerThatMissesTheDeadlineFailsFreesItsSlotAndIsNotChosenAgainForThatVersion() {
        scanners(6, OLD);
        round(on(10, 5)); // 1 slot: edge-000
        advance(DEADLINE.minusSeconds(1));
        assertEquals(List.of(), round(on(10, 5)).changes(), "not failed before the deadline");
        advance(Duration.ofSeconds(1));
        Plan plan = round(on(10, 5));
        assertEquals(List.of("edge-000"), names(plan, Change.Kind.Failed));
        assertEquals(new Mark(State.Failed, NEW, clock.instant()), fleet.get(new ScannerRef("scanners", "edge-000")).mark());
        assertEquals(List.of("edge-001"), names(plan, Change.Kind.Started), "its slot is freed");
        assertEquals(1, plan.failed());

        // later rounds never choose edge-000 again for 1.4.0
        for (int i = 0; i < 6; i++) {
            advance(Duration.ofMinutes(1));
            fleet.values().stream().filter(m -> m.mark() != null && m.mark().state() == State.Upgrading)
                    .map(m -> m.ref().name()).toList().forEach(n -> report(n, NEW));
            assertFalse(names(round(on(10, 5)), Change.Kind.Started).contains("edge-000"));
        }
        assertEquals(OLD, fleet.get(new ScannerRef("scanners", "edge-000")).agentVersion());
        // a newer served version is a new chance
        Plan newer = round("1.5.0", on(10, 5));
        assertEquals("edge-000", names(newer, Change.Kind.Started).get(0), newer.toString());
    }

    @Test
    void theRolloutHaltsWhenFailuresReachTheThresholdAndUpgradingScannersStillFinish() {
        scanners(10, OLD);
        round(on(30, 2)); // 3 slots: edge-000..002
        advance(Duration.ofMinutes(5));
        report("edge-002", NEW);
        round(on(30, 2)); // edge-002 done, edge-003 starts (5 min later than the others)
        advance(DEADLINE.minus(Duration.ofMinutes(5)));
        Plan plan = round(on(30, 2));
        assertEquals(List.of("edge-000", "edge-001"), names(plan, Change.Kind.Failed));
        assertTrue(plan.halted(), plan.toString());
        assertEquals(List.of(), names(plan, Change.Kind.Started), "halted: nobody new");
        assertEquals(1, plan.upgrading(), "edge-003 goes on");

        report("edge-003", NEW);
        advance(Duration.ofMinutes(1));
        Plan after = round(on(30, 2));
        assertEquals(List.of("edge-003"), names(after, Change.Kind.Succeeded), "a scanner already upgrading still counts as done");
        assertEquals(List.of(), names(after, Change.Kind.Started));
        assertTrue(after.halted());

        // an administrator removes the failed marks: the rollout goes on
        for (String n : List.of("edge-000", "edge-001")) {
            ScannerRef ref = new ScannerRef("scanners", n);
            fleet.put(ref, new Member(ref, OLD, true, null));
        }
        Plan resumed = round(on(30, 2));
        assertFalse(resumed.halted());
        assertEquals(3, names(resumed, Change.Kind.Started).size(), resumed.toString());

        // max-failures 0: never halts
        fleet.clear();
        scanners(4, OLD);
        round(on(100, 0));
        advance(DEADLINE);
        Plan never = round(on(100, 0));
        assertEquals(4, never.failed());
        assertFalse(never.halted());
    }

    @Test
    void onlyActiveScannersWithAnOlderAgentAreChosenAndTheFleetCountsThemAll() {
        ScannerRef offline = new ScannerRef("a", "offline");
        ScannerRef current = new ScannerRef("a", "current");
        ScannerRef newer = new ScannerRef("a", "newer");
        ScannerRef unparseable = new ScannerRef("a", "weird");
        ScannerRef old = new ScannerRef("b", "old");
        fleet.put(offline, new Member(offline, OLD, false, null));
        fleet.put(current, new Member(current, NEW, true, null));
        fleet.put(newer, new Member(newer, "2.0.0", true, null));
        fleet.put(unparseable, new Member(unparseable, "dev", true, null));
        fleet.put(old, new Member(old, OLD + "-SNAPSHOT", true, null));
        Plan plan = round(on(100, 3));
        assertEquals(5, plan.slots(), "the fleet is every registered External scanner");
        assertEquals(List.of("old"), names(plan, Change.Kind.Started));
        assertEquals(Plan.IDLE, AutoUpgradeRules.plan(null, new ArrayList<>(fleet.values()), on(100, 3), clock.instant()),
                "no served version: nothing to do");
    }

    @Test
    void marksAreWrittenAndReadAsTheAnnotationSaysAndAnythingElseIsIgnored() {
        Mark m = new Mark(State.Upgrading, NEW, Instant.parse("2026-12-03T10:00:00Z"));
        assertEquals("Upgrading 1.4.0 2026-12-03T10:00:00Z", m.format());
        assertEquals(Optional.of(m), Mark.parse(m.format()));
        assertEquals(Optional.of(new Mark(State.Failed, NEW, m.since())), Mark.parse(" Failed 1.4.0 2026-12-03T10:00:00Z "));
        for (String junk : new String[] {"", "Upgrading", "upgrading 1.4.0 2026-12-03T10:00:00Z", "Upgrading 1.4.0 yesterday",
            "Upgrading 1.4.0 2026-12-03T10:00:00Z extra"}) {
            assertEquals(Optional.empty(), Mark.parse(junk), junk);
        }
        assertEquals(Optional.empty(), Mark.parse(null));
    }
}
