package io.mipo.operator.liveness;

import io.mipo.operator.core.ScannerRef;


import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest sighting of each scanner this replica has ever read from any ledger, never going
 * backwards: a ledger rewritten from an almost empty memory (its replica restarted in place) or
 * deleted does not take back what it once published. Only {@link #forget} (the scanner was deleted)
 * and {@link #prune} (older than the ledgers' retention) remove sightings.
 */
final class SightingMemory {
    private final Map<ScannerRef, Sighting> latest = new ConcurrentHashMap<>();

    /** Takes in a ledger's sightings; answers the scanners whose sighting changed. */
    List<ScannerRef> merge(Map<ScannerRef, Sighting> sightings) {
        List<ScannerRef> changed = new ArrayList<>();
        for (Map.Entry<ScannerRef, Sighting> e : sightings.entrySet()) {
            Sighting before = latest.get(e.getKey());
            Sighting after = latest.merge(e.getKey(), e.getValue(), SightingMemory::later);
            if (!after.equals(before)) {
                changed.add(e.getKey());
            }
        }
        return changed;
    }

    /** The later sighting; on a tie the newer facts win (a shard rewritten with the same time but new facts). */
    private static Sighting later(Sighting old, Sighting now) {
        return now.lastSeenMillis() >= old.lastSeenMillis() ? (now.facts() == null ? new Sighting(now.lastSeenMillis(), old.facts()) : now) : old;
    }

    Optional<Sighting> get(ScannerRef ref) {
        return Optional.ofNullable(latest.get(ref));
    }

    long lastSeen(ScannerRef ref) {
        Sighting s = latest.get(ref);
        return s == null ? -1 : s.lastSeenMillis();
    }

    void forget(ScannerRef ref) {
        latest.remove(ref);
    }

    void prune(long cutoff) {
        latest.values().removeIf(s -> s.lastSeenMillis() < cutoff);
    }

    int size() {
        return latest.size();
    }
}
