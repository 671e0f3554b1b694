package io.mipo.operator.liveness;

import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.model.Phase;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every heartbeat asks whether its scanner was decided Offline; the answer follows each decision and removal. */
class ScannerPhasesTest {

    private static ScannerPhases.Observed decided(Phase phase) {
        return new ScannerPhases.Observed(phase, false, null, 0);
    }

    @Test
    void isOfflineFollowsTheLatestDecisionOfEachScanner() {
        ScannerPhases phases = new ScannerPhases();
        ScannerRef a = new ScannerRef("team-a", "edge-1");
        ScannerRef b = new ScannerRef("team-a", "edge-2");
        assertFalse(phases.isOffline(a), "nothing decided yet");

        phases.put(a, decided(Phase.Offline));
        phases.put(b, decided(Phase.Active));
        assertTrue(phases.isOffline(a));
        assertFalse(phases.isOffline(b));
        assertFalse(phases.isOffline(new ScannerRef("team-b", "edge-1")), "the same name in another namespace");

        phases.put(a, decided(Phase.Active));
        assertFalse(phases.isOffline(a), "back online");
        phases.put(b, decided(Phase.Offline));
        assertTrue(phases.isOffline(b));
        phases.remove(b);
        assertFalse(phases.isOffline(b), "a removed scanner is not Offline");
        assertEquals(1, phases.entries().size());
        assertEquals(Phase.Active, phases.get(a).orElseThrow().liveness());
    }

    @Test
    void theEntriesCannotBeChangedPastTheOfflineSet() {
        ScannerPhases phases = new ScannerPhases();
        ScannerRef a = new ScannerRef("team-a", "edge-1");
        phases.put(a, decided(Phase.Offline));
        Map.Entry<ScannerRef, ScannerPhases.Observed> e = phases.entries().iterator().next();
        assertThrows(UnsupportedOperationException.class, () -> e.setValue(decided(Phase.Active)));
        assertThrows(UnsupportedOperationException.class, () -> phases.entries().clear());
        assertTrue(phases.isOffline(a));
    }
}
