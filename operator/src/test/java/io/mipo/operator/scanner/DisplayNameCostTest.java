package io.mipo.operator.scanner;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.mipo.operator.core.DisplayNameIndex;
import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerSpec;
import io.mipo.operator.model.ScannerStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Display-name uniqueness costs what the scanners sharing a name cost, not the namespace: with
 * 2,000 scanners of distinct names in one namespace, a reconcile's check and a Scanner event look
 * at a handful of scanners. The counters count every scanner handed to the uniqueness code, by the
 * display-name index (a real fabric8 cache with the fleet cache's index function) or by a listing
 * of the reconciler's own cache.
 */
class DisplayNameCostTest {
    private static final String NS = "fleet";
    private static final int FLEET = 2_000;
    private static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");

    private final CacheImpl<Scanner> cache = new CacheImpl<>(Cache.NAMESPACE_INDEX, Cache::metaNamespaceIndexFunc, Cache::metaNamespaceKeyFunc);
    /** Scanners handed out by the display-name index. */
    private final AtomicLong examinedByIndex = new AtomicLong();
    /** Scanners handed out by a listing of the reconciler's own cache (the namespace). */
    private final AtomicLong examinedByListing = new AtomicLong();
    private final List<ScannerRef> reconciled = new ArrayList<>();
    private boolean synced = true;
    private DisplayNamePeers peers;
    private ScannerReconciler reconciler;
    private ResourceEventHandler<Scanner> events;

    @BeforeEach
    void fleet() {
        cache.addIndexFunc(DisplayNameIndex.NAME, DisplayNameIndex::keys);
        for (int i = 0; i < FLEET; i++) {
            cache.put(scanner(String.format("scanner-%04d", i), String.format("Edge-%04d", i), BASE.plusSeconds(i)));
        }
        peers = new DisplayNamePeers();
        peers.filedUnder = (ns, key) -> {
            List<Scanner> found = cache.byIndex(DisplayNameIndex.NAME, key).stream()
                    .filter(s -> ns.equals(s.getMetadata().getNamespace())).toList();
            examinedByIndex.addAndGet(found.size());
            return found;
        };
        peers.synced = () -> synced;
        peers.reconcile = reconciled::add;
        reconciler = new ScannerReconciler();
        reconciler.daemonSetPolicy = new DaemonSetPolicy();
        reconciler.displayNamePeers = peers;
        events = peers.listener();
    }

    private static Scanner scanner(String name, String displayName, Instant created) {
        Scanner s = new Scanner();
        s.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName(name).withUid("uid-" + name)
                .withCreationTimestamp(created.toString()).withResourceVersion("1").withGeneration(1L).build());
        ScannerSpec spec = new ScannerSpec();
        spec.setDisplayName(displayName);
        s.setSpec(spec);
        return s;
    }

    private Scanner get(String name) {
        return cache.getByKey(NS + "/" + name);
    }

    private Scanner copy(Scanner s) {
        return io.fabric8.kubernetes.client.utils.Serialization.clone(s);
    }

    /** The reconciler's own cache, listing all 2,000 scanners of the namespace when asked (and counting them). */
    @SuppressWarnings("unchecked")
    private Context<Scanner> context() {
        IndexedResourceCache<Scanner> primary = (IndexedResourceCache<Scanner>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{IndexedResourceCache.class}, (proxy, method, args) -> {
                    if (method.getName().equals("list")) {
                        return cache.list().stream().filter(s -> NS.equals(s.getMetadata().getNamespace()))
                                .peek(s -> examinedByListing.incrementAndGet());
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        return (Context<Scanner>) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Context.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getPrimaryCache")) {
                        return primary;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private Condition validity(String name) {
        return reconciler.validity(get(name), context(), 1L);
    }

    @Test
    void aReconcileChecksItsNameAgainstTheScannersSharingItOnly() {
        Condition valid = validity("scanner-1500");
        assertEquals("True", valid.getStatus(), valid.getMessage());
        assertTrue(examinedByIndex.get() <= 1 && examinedByListing.get() == 0,
                "one reconcile among " + FLEET + " scanners of distinct names examined " + examinedByIndex.get()
                        + " scanners through the index and " + examinedByListing.get() + " by listing the namespace");

        for (int i = 0; i < FLEET; i++) {
            validity(String.format("scanner-%04d", i));
        }
        assertTrue(examinedByIndex.get() <= FLEET + 1 && examinedByListing.get() == 0,
                "reconciling all " + FLEET + " scanners examined " + examinedByIndex.get() + " through the index and "
                        + examinedByListing.get() + " by listing (a listing per reconcile would be " + (long) FLEET * FLEET + ")");
    }

    @Test
    void theCounterSeesANamespaceListing() {
        // Before the fleet cache's first list the reconciler's own cache is listed: the counter must show it,
        // or the test above could not fail.
        synced = false;
        assertEquals("True", validity("scanner-0001").getStatus());
        assertEquals(FLEET, examinedByListing.get(), "a listing of the namespace handed out every scanner");
    }

    @Test
    void aDuplicateIsFoundThroughTheIndexCaseInsensitively() {
        cache.put(scanner("late", "EDGE-0007", BASE.plusSeconds(FLEET)));
        Condition valid = validity("late");
        assertEquals("False", valid.getStatus(), valid.getMessage());
        assertEquals(ScannerConditions.DUPLICATE_NAME, valid.getReason(), valid.getMessage());
        assertTrue(valid.getMessage().contains("scanner-0007"), valid.getMessage());
        assertEquals("True", validity("scanner-0007").getStatus(), "the earlier scanner keeps its name");
        assertTrue(examinedByIndex.get() <= 4 && examinedByListing.get() == 0,
                "two checks of a shared name examined " + examinedByIndex.get() + " through the index and "
                        + examinedByListing.get() + " by listing");
    }

    @Test
    void statusWritesOfTheWholeFleetWakeNoOneAndExamineNothing() {
        cache.put(scanner("late", "edge-0007", BASE.plusSeconds(FLEET)));
        for (int i = 0; i < FLEET; i++) {
            Scanner before = get(String.format("scanner-%04d", i));
            Scanner after = copy(before);
            ScannerStatus status = new ScannerStatus();
            status.setPhase(Phase.Active);
            after.setStatus(status);
            after.getMetadata().setResourceVersion("2");
            cache.put(after);
            events.onUpdate(before, after);
        }
        assertEquals(List.of(), reconciled, "status writes re-reconciled other scanners");
        assertEquals(0, examinedByIndex.get() + examinedByListing.get(), "status writes of " + FLEET + " scanners examined scanners");
    }

    @Test
    void aRenameOrADeletionOfTheHolderWakesTheScannersOfItsOldAndNewNameOnly() {
        Scanner late = scanner("late", "edge-0007", BASE.plusSeconds(FLEET));
        cache.put(late);
        events.onAdd(late);
        assertEquals(List.of(new ScannerRef(NS, "scanner-0007")), reconciled, "a new scanner wakes those sharing its name");
        reconciled.clear();

        Scanner holder = get("scanner-0007");
        Scanner renamed = copy(holder);
        renamed.getSpec().setDisplayName("Edge-0042");
        cache.put(renamed);
        events.onUpdate(holder, renamed);
        assertEquals(Set.of(new ScannerRef(NS, "late"), new ScannerRef(NS, "scanner-0042")), Set.copyOf(reconciled),
                "renaming scanner-0007 from Edge-0007 to Edge-0042");
        assertEquals("True", validity("late").getStatus(), "the name is free after the rename");
        reconciled.clear();

        Scanner deleting = copy(renamed);
        deleting.getMetadata().setDeletionTimestamp(BASE.plusSeconds(2 * FLEET).toString());
        cache.put(deleting);
        events.onUpdate(renamed, deleting);
        cache.remove(deleting);
        events.onDelete(deleting, false);
        assertEquals(List.of(new ScannerRef(NS, "scanner-0042"), new ScannerRef(NS, "scanner-0042")), reconciled,
                "the deletion (marked, then gone) of a scanner named Edge-0042");

        Scanner fresh = scanner("fresh", "Unique", BASE.plusSeconds(3 * FLEET));
        cache.put(fresh);
        events.onAdd(fresh);
        assertEquals(2, reconciled.size(), "a scanner of a new name woke " + reconciled);
        assertTrue(examinedByIndex.get() <= 12 && examinedByListing.get() == 0,
                "five events and one check examined " + examinedByIndex.get() + " scanners through the index and "
                        + examinedByListing.get() + " by listing");
    }
}
