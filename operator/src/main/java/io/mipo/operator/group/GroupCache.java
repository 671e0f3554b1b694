package io.mipo.operator.group;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.mipo.operator.core.FleetCache;
import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.kube.Selectors;
import io.mipo.operator.kube.StatusWriter;
import io.mipo.operator.core.ReconcileTrigger;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerGroup;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Group membership as the fleet cache ({@link FleetCache}) sees it, for code that has no JOSDK
 * {@code Context}: the assignments contributor, the groups API and the agent calls. Reads never go
 * to the API server.
 *
 * <p>Scanners are indexed by each of their labels ({@link FleetCache#LABEL_INDEX}), so a group's
 * members are found from the first {@code matchLabels} entry of its selector (the facade's
 * {@code mipo.io/group.<id>} label) without walking every Scanner of the namespace. Objects handed
 * out are the cache's own: never modify them.
 */
@ApplicationScoped
public class GroupCache {
    @Inject
    FleetCache fleet;

    /** Asks the Scanner reconciler to look at one scanner now (a no-op where reconcilers do not run). */
    @Inject
    ReconcileTrigger trigger;

    private boolean listening;
    /**
     * Moves whenever something that decides membership or the enabled count may have changed (a
     * Scanner's labels, {@code disabled} or deletion; any group event). Status-only writes, the
     * common case, leave it alone, so {@link #enabledMembers} stays memoised through them.
     */
    private final AtomicLong membershipEpoch = new AtomicLong();
    private final Map<String, long[]> enabledMemo = new ConcurrentHashMap<>();

    /** Registers with the fleet cache before it starts, so the first list counts as membership changes. */
    void onStart(@Observes StartupEvent event) {
        listen();
    }

    /** Listens to the fleet cache on first use and waits for its initial lists. */
    private void ensureStarted() {
        listen();
        if (!fleet.isSynced()) {
            fleet.awaitSynced();
        }
    }

    private synchronized void listen() {
        if (!listening) {
            listening = true;
            ResourceEventHandler<Scanner> scannerHandler = new ResourceEventHandler<>() {
                @Override
                public void onAdd(Scanner s) {
                    // A new Scanner is reconciled for its own sake; the group reconciler's status write
                    // (memberCount) then reaches the other members. Not nudging here also keeps the
                    // initial list of a restart from nudging every member of every group.
                    membershipEpoch.incrementAndGet();
                }

                @Override
                public void onUpdate(Scanner before, Scanner after) {
                    if (!Objects.equals(before.getMetadata().getLabels(), after.getMetadata().getLabels())
                            || GroupRates.enabled(before) != GroupRates.enabled(after)
                            || !Objects.equals(before.getMetadata().getDeletionTimestamp(), after.getMetadata().getDeletionTimestamp())) {
                        membershipEpoch.incrementAndGet();
                        scannerChanged(before, after);
                    }
                }

                @Override
                public void onDelete(Scanner s, boolean finalStateUnknown) {
                    membershipEpoch.incrementAndGet();
                    scannerChanged(s, null);
                }
            };
            ResourceEventHandler<ScannerGroup> groupHandler = new ResourceEventHandler<>() {
                @Override
                public void onAdd(ScannerGroup g) {
                    // The group reconciler's first status write reaches the members (see onAdd above).
                    membershipEpoch.incrementAndGet();
                }

                @Override
                public void onUpdate(ScannerGroup before, ScannerGroup after) {
                    membershipEpoch.incrementAndGet();
                    if (!StatusWriter.sameJson(before.getSpec(), after.getSpec())
                            || !Objects.equals(before.getMetadata().getDeletionTimestamp(), after.getMetadata().getDeletionTimestamp())) {
                        groupChanged(before, after);
                    }
                }

                @Override
                public void onDelete(ScannerGroup g, boolean finalStateUnknown) {
                    membershipEpoch.incrementAndGet();
                    enabledMemo.remove(Cache.metaNamespaceKeyFunc(g));
                    groupChanged(g, null);
                }
            };
            fleet.scanners().addListener(scannerHandler);
            fleet.groups().addListener(groupHandler);
        }
    }

    /**
     * A change that moves assignments, seen by this cache: the scanners whose assignments it may
     * move are asked to reconcile now. The Scanner reconciler's own event sources would also get
     * there, but they can run a moment before this cache has the change, and a pass computed from
     * the older state would stay until something else happened; nudging from here, after the cache
     * was updated, cannot come too early.
     */
    private void scannerChanged(Scanner before, Scanner after) {
        Scanner s = after != null ? after : before;
        String ns = s.getMetadata().getNamespace();
        Set<String> affected = new TreeSet<>();
        affected.add(s.getMetadata().getName()); // a label-only change does not reconcile the Scanner itself
        Set<String> groupNames = new TreeSet<>();
        groupsSelecting(ns, before.getMetadata().getLabels()).forEach(g -> groupNames.add(g.getMetadata().getName()));
        if (after != null) {
            groupsSelecting(ns, after.getMetadata().getLabels()).forEach(g -> groupNames.add(g.getMetadata().getName()));
        }
        for (String name : groupNames) {
            group(ns, name).ifPresent(g -> members(g).forEach(m -> affected.add(m.getMetadata().getName())));
        }
        nudge(ns, affected);
    }

    private void groupChanged(ScannerGroup before, ScannerGroup after) {
        String ns = before.getMetadata().getNamespace();
        String name = before.getMetadata().getName();
        Set<String> affected = new TreeSet<>();
        members(before).forEach(m -> affected.add(m.getMetadata().getName()));
        if (after != null) {
            members(after).forEach(m -> affected.add(m.getMetadata().getName()));
        }
        // Scanners that still list the group (e.g. their labels changed meanwhile) must drop it.
        for (Scanner s : scanners(ns)) {
            if (s.getStatus() != null && s.getStatus().getAssignments() != null
                    && s.getStatus().getAssignments().stream().anyMatch(a -> name.equals(a.getGroup()))) {
                affected.add(s.getMetadata().getName());
            }
        }
        nudge(ns, affected);
    }

    private void nudge(String namespace, Set<String> scannerNames) {
        for (String n : scannerNames) {
            trigger.fire(new ScannerRef(namespace, n));
        }
    }

    public List<ScannerGroup> groups(String namespace) {
        ensureStarted();
        return fleet.groups().list(namespace);
    }

    public Optional<ScannerGroup> group(String namespace, String name) {
        ensureStarted();
        return fleet.groups().get(namespace, name);
    }

    public List<Scanner> scanners(String namespace) {
        ensureStarted();
        return fleet.scanners().list(namespace);
    }

    public Optional<Scanner> scanner(String namespace, String name) {
        ensureStarted();
        return fleet.scanners().get(namespace, name);
    }

    /** Scanners of the group's namespace that its selector matches, not being deleted, by name. */
    public List<Scanner> members(ScannerGroup group) {
        ensureStarted();
        LabelSelector selector = group.getSpec() == null ? null : group.getSpec().getSelector();
        if (selector == null) {
            return List.of();
        }
        String ns = group.getMetadata().getNamespace();
        List<Scanner> candidates;
        if (selector.getMatchLabels() != null && !selector.getMatchLabels().isEmpty()) {
            Map.Entry<String, String> first = selector.getMatchLabels().entrySet().iterator().next();
            candidates = fleet.scanners().byIndex(ns, FleetCache.LABEL_INDEX, FleetCache.labelKey(ns, first.getKey(), first.getValue()));
        } else {
            candidates = scanners(ns);
        }
        List<Scanner> out = new ArrayList<>();
        for (Scanner s : candidates) {
            if (s.getMetadata().getDeletionTimestamp() == null && Selectors.matches(selector, s.getMetadata().getLabels())) {
                out.add(s);
            }
        }
        out.sort(Comparator.comparing(s -> s.getMetadata().getName()));
        return out;
    }

    /**
     * How many members of the group are enabled, as the cache sees them. Memoised until
     * membership may have changed, so the members of a large group do not each walk all the others.
     */
    public int enabledMembers(ScannerGroup group) {
        ensureStarted();
        long epoch = membershipEpoch.get();
        String key = Cache.metaNamespaceKeyFunc(group);
        long[] memo = enabledMemo.get(key);
        if (memo != null && memo[0] == epoch) {
            return (int) memo[1];
        }
        int enabled = (int) members(group).stream().filter(GroupRates::enabled).count();
        // Stored with the epoch read before counting: a change during the count makes it stale, never wrong.
        enabledMemo.put(key, new long[] {epoch, enabled});
        return enabled;
    }

    /** Groups of the scanner's namespace whose selector matches the given labels, by name. */
    public List<ScannerGroup> groupsSelecting(String namespace, Map<String, String> labels) {
        List<ScannerGroup> out = new ArrayList<>();
        for (ScannerGroup g : groups(namespace)) {
            if (g.getMetadata().getDeletionTimestamp() == null && g.getSpec() != null
                    && Selectors.matches(g.getSpec().getSelector(), labels)) {
                out.add(g);
            }
        }
        out.sort(Comparator.comparing(g -> g.getMetadata().getName()));
        return out;
    }
}
