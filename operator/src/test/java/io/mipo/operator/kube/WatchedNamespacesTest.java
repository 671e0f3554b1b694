package io.mipo.operator.kube;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the chart's watchNamespaces, as the Operator SDK sees them, read for the operator's own informers. */
class WatchedNamespacesTest {

    @Test
    void readsTheListTheChartSetsAndTheSdkSentinelsAsAllNamespaces() {
        assertEquals(Optional.of(Set.of("team-a", "team-b")), WatchedNamespaces.parse(List.of("team-a", " team-b ", ""), "mipo-system"));
        assertEquals(Optional.empty(), WatchedNamespaces.parse(List.of(), "mipo-system"), "no list: every namespace");
        assertEquals(Optional.empty(), WatchedNamespaces.parse(List.of("QOSDK_USE_BUILDTIME_NAMESPACES"), "mipo-system"),
                "the SDK's default when the chart sets nothing");
        assertEquals(Optional.empty(), WatchedNamespaces.parse(List.of("JOSDK_ALL_NAMESPACES"), "mipo-system"));
        assertEquals(Optional.of(Set.of("mipo-system")), WatchedNamespaces.parse(List.of("JOSDK_WATCH_CURRENT"), "mipo-system"));
    }

    @Test
    void containsEverythingWhenAllAreWatched() {
        WatchedNamespaces all = new WatchedNamespaces(Optional.empty());
        assertTrue(all.all());
        assertTrue(all.contains("anything"));
        WatchedNamespaces some = new WatchedNamespaces(Optional.of(List.of("team-a")));
        assertFalse(some.all());
        assertTrue(some.contains("team-a"));
        assertFalse(some.contains("team-b"));
    }
}
