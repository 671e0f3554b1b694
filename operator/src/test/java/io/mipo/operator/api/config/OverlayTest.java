package io.mipo.operator.api.config;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.mipo.operator.model.Scanner;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

class OverlayTest {
    private static Scanner scanner(String name, String rv) {
        Scanner s = new Scanner();
        s.setMetadata(new ObjectMetaBuilder().withName(name).withResourceVersion(rv).build());
        return s;
    }

    @Test
    void aWriteShowsUntilTheInformerCatchesUp() {
        Overlay<Scanner> o = new Overlay<>();
        Scanner written = scanner("a", "10");
        o.written(written, 0);
        Map<String, Scanner> view = new HashMap<>(Map.of("a", scanner("a", "9")));
        o.applyTo(view, 1);
        assertSame(written, view.get("a"));
        o.observed(scanner("a", "9"));   // an older event: the write still wins
        assertEquals(1, o.size());
        o.observed(scanner("a", "10"));  // the watch delivered our write
        assertEquals(0, o.size());
    }

    @Test
    void aTombstoneHidesTheDeletedObjectUntilItIsGone() {
        Overlay<Scanner> o = new Overlay<>();
        o.deleted("a", "10", 0);
        Map<String, Scanner> view = new HashMap<>(Map.of("a", scanner("a", "10")));
        o.applyTo(view, 1);
        assertFalse(view.containsKey("a"));
        o.observed(scanner("a", "10"));  // same version: still being deleted
        assertEquals(1, o.size());
        o.observedDeletion("a");
        assertEquals(0, o.size());
    }

    @Test
    void aTombstoneOutlastsAWriteThatCrossedTheDeleteAndGivesWayToANewScannerUnderTheName() {
        Overlay<Scanner> o = new Overlay<>();
        o.deleted("a", "uid-1", "10", 0);
        Scanner crossed = scanner("a", "11"); // e.g. a status write that landed between the facade's read and its delete
        crossed.getMetadata().setUid("uid-1");
        Map<String, Scanner> view = new HashMap<>(Map.of("a", crossed));
        o.applyTo(view, 1);
        assertFalse(view.containsKey("a"), "a newer version of the deleted scanner, not marked for deletion, stays hidden");
        o.observed(crossed);
        assertEquals(1, o.size());
        Scanner again = scanner("a", "12");
        again.getMetadata().setUid("uid-2");
        view = new HashMap<>(Map.of("a", again));
        o.applyTo(view, 1);
        assertSame(again, view.get("a"), "a scanner created again under the name shows");
    }

    @Test
    void anEntryCapturedBeforeTheCacheIsReadStillShowsWhenTheWatchCatchesUpInBetween() {
        Overlay<Scanner> o = new Overlay<>();
        Scanner written = scanner("a", "10");
        o.written(written, 0);
        Overlay.Captured<Scanner> captured = o.capture(1);
        o.observed(scanner("a", "10"));  // the informer took the object in and dropped the entry...
        assertEquals(0, o.size());
        Map<String, Scanner> readBeforeThat = new HashMap<>();  // ...just after the reader listed the cache
        captured.applyTo(readBeforeThat);
        assertSame(written, readBeforeThat.get("a"), "a fresh create must not vanish from the facade for a moment");

        Scanner newer = scanner("a", "11");
        Map<String, Scanner> readAfter = new HashMap<>(Map.of("a", newer));
        captured.applyTo(readAfter);
        assertSame(newer, readAfter.get("a"), "an entry gives way to what the cache has that is newer");
    }

    @Test
    void entriesExpire() {
        Overlay<Scanner> o = new Overlay<>();
        o.written(scanner("a", "10"), 0);
        Map<String, Scanner> view = new HashMap<>();
        assertEquals(0, o.applyTo(view, Overlay.MAX_AGE_MILLIS + 1));
        assertEquals(0, o.size());
        assertFalse(view.containsKey("a"));
    }
}
