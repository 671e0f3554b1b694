package io.mipo.operator.liveness;

import io.mipo.operator.core.ScannerRef;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Which scanners' last heartbeat moved on this replica, in order, so that a reader of the merged
 * view (the facade's index) can look at those scanners only instead of the whole fleet. A ring of
 * the latest marks, each with its sequence number: writers never wait for readers; a reader that
 * fell more than a ring behind, or that finds an "everything may have moved" mark (a ledger
 * restored, another replica's ledger moving thousands at once), is told to look at everything.
 *
 * <p>A writer records the heartbeat first and marks it after, so whatever a reader finds marked is
 * already visible to it. A mark whose number was taken but whose slot is not written yet ends the
 * reader's run there; the next read starts from it.
 */
public final class MovedJournal {
    private record Mark(long seq, ScannerRef ref) {
    }

    private final AtomicReferenceArray<Mark> ring;
    private final int mask;
    private final AtomicLong seq = new AtomicLong();

    /** @param capacity a power of two */
    MovedJournal(int capacity) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        ring = new AtomicReferenceArray<>(capacity);
        mask = capacity - 1;
    }

    /** The scanner's last heartbeat moved. */
    void moved(ScannerRef ref) {
        long s = seq.incrementAndGet();
        ring.set((int) (s & mask), new Mark(s, ref));
    }

    /** Any scanner's may have (a ledger restored, or one that moved too many to mark one by one). */
    void everything() {
        long s = seq.incrementAndGet();
        ring.set((int) (s & mask), new Mark(s, null));
    }

    /** Where a reader that has just looked at everything goes on from. */
    long position() {
        return seq.get();
    }

    /**
     * What moved after position {@code from}. A negative {@code from} (a reader that has not
     * looked yet) gets everything.
     */
    Moved since(long from) {
        long to = seq.get();
        if (from < 0 || to - from > ring.length()) {
            return new Moved(List.of(), true, to);
        }
        List<ScannerRef> refs = new ArrayList<>((int) (to - from));
        long i = from + 1;
        for (; i <= to; i++) {
            Mark m = ring.get((int) (i & mask));
            if (m == null || m.seq() < i) {
                break; // numbered but not written yet: read from here next time
            }
            if (m.seq() > i || m.ref() == null) {
                return new Moved(List.of(), true, to); // overwritten (fell behind), or everything moved
            }
            refs.add(m.ref());
        }
        return new Moved(refs, false, i - 1);
    }

    /**
     * Scanners whose last heartbeat moved ({@code everything} when the reader must look at all of
     * them), and the position to ask from next time.
     */
    public record Moved(List<ScannerRef> refs, boolean everything, long next) {
    }
}
