package io.mipo.operator.liveness;

import io.mipo.operator.core.ScannerRef;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The marks a reader of moved heartbeats gets: in order, each once, and "everything" when it cannot be told. */
class MovedJournalTest {
    private static ScannerRef ref(int i) {
        return new ScannerRef("ns", "s" + i);
    }

    @Test
    void aReaderGetsWhatMovedSinceItsLastReadInOrderAndEachMarkOnce() {
        MovedJournal j = new MovedJournal(8);
        MovedJournal.Moved first = j.since(-1);
        assertTrue(first.everything(), "a reader that has not looked yet looks at everything");
        j.moved(ref(1));
        j.moved(ref(2));
        j.moved(ref(1));
        MovedJournal.Moved m = j.since(first.next());
        assertFalse(m.everything());
        assertEquals(List.of(ref(1), ref(2), ref(1)), m.refs());
        MovedJournal.Moved again = j.since(m.next());
        assertEquals(List.of(), again.refs(), "nothing moved since");
        assertFalse(again.everything());
        j.moved(ref(3));
        assertEquals(List.of(ref(3)), j.since(again.next()).refs());
    }

    @Test
    void aReaderThatFellMoreThanARingBehindIsToldToLookAtEverything() {
        MovedJournal j = new MovedJournal(8);
        long from = j.since(-1).next();
        for (int i = 0; i < 9; i++) {
            j.moved(ref(i));
        }
        MovedJournal.Moved m = j.since(from);
        assertTrue(m.everything(), "9 marks in a ring of 8: " + m);
        assertEquals(List.of(), j.since(m.next()).refs(), "and goes on from the newest mark");
        for (int i = 0; i < 8; i++) {
            j.moved(ref(i));
        }
        assertEquals(8, j.since(m.next()).refs().size(), "exactly a ring full is still told one by one");
    }

    @Test
    void anEverythingMarkMakesTheReaderLookAtEverythingOnce() {
        MovedJournal j = new MovedJournal(8);
        long from = j.since(-1).next();
        j.moved(ref(1));
        j.everything();
        j.moved(ref(2));
        MovedJournal.Moved m = j.since(from);
        assertTrue(m.everything());
        j.moved(ref(3));
        MovedJournal.Moved next = j.since(m.next());
        assertFalse(next.everything());
        assertEquals(List.of(ref(3)), next.refs());
    }

    @Test
    void writersOnManyThreadsLoseNoMarkThatAReaderFollowingThemDoesNotReportAsEverything() throws Exception {
        MovedJournal j = new MovedJournal(1 << 16);
        long from = j.since(-1).next();
        int threads = 4;
        int each = 10_000;
        Thread[] ws = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int base = t * each;
            ws[t] = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    j.moved(ref(base + i));
                }
            });
            ws[t].start();
        }
        java.util.Set<ScannerRef> seen = new java.util.HashSet<>();
        boolean writing = true;
        while (writing) {
            writing = false;
            for (Thread w : ws) {
                writing |= w.isAlive();
            }
            MovedJournal.Moved m = j.since(from);
            assertFalse(m.everything(), "40,000 marks fit the ring");
            seen.addAll(m.refs());
            from = m.next();
        }
        for (Thread w : ws) {
            w.join(10_000);
        }
        seen.addAll(j.since(from).refs());
        assertEquals(threads * each, seen.size(), "every mark was read");
    }
}
