package io.mipo.operator.core;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.mipo.operator.model.Scanner;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two decodes of one version end up as one object in the fleet cache's store, whichever cache saw it first. */
class SharedCopiesTest {

    /** A registry of its own per test, with one fleet-cache store. */
    private SharedCopies<Scanner> copies;
    private ItemStore<Scanner> store;

    @BeforeEach
    void newRegistry() {
        copies = SharedCopies.standalone();
        store = copies.newStore();
    }

    private static Scanner scanner(String name, String uid, String rv) {
        Scanner s = new Scanner();
        s.setMetadata(new ObjectMetaBuilder().withNamespace("ns").withName(name).withUid(uid).withResourceVersion(rv).build());
        return s;
    }

    @Test
    void theFleetCacheSeeingAVersionSecondTakesTheControllersObject() {
        Scanner controllers = scanner("a", "u1", "5");
        copies.offer(controllers);
        assertEquals(1, copies.waiting());

        store.put("ns/a", scanner("a", "u1", "5"));

        assertSame(controllers, store.get("ns/a"), "the store kept its own decode of the same version");
        assertEquals(0, copies.waiting(), "the offer still waits after it was taken");
        assertEquals(1, copies.sharedSoFar());
    }

    @Test
    void theControllerSeeingAVersionSecondHandsItsObjectOver() {
        store.put("ns/a", scanner("a", "u1", "5"));
        Scanner controllers = scanner("a", "u1", "5");

        copies.offer(controllers);

        assertSame(controllers, store.get("ns/a"));
        assertEquals(0, copies.waiting());
    }

    @Test
    void anotherVersionOrAnotherObjectOfTheSameNameIsNeverTaken() {
        Scanner own = scanner("a", "u1", "5");
        store.put("ns/a", own);

        copies.offer(scanner("a", "u1", "6"));
        assertSame(own, store.get("ns/a"), "a newer version replaced the cached one without an event");
        Scanner newer = scanner("a", "u1", "7");
        store.put("ns/a", newer);
        assertSame(newer, store.get("ns/a"), "a waiting offer of another version was taken");
        copies.offer(scanner("a", "u1", "7"));
        assertEquals(0, copies.waiting(), "an offer taken leaves nothing waiting for its key");
        newer = store.get("ns/a");

        // Deleted and created again under the same name: another uid, even at an equal resourceVersion.
        copies.offer(scanner("a", "u2", "7"));
        assertSame(newer, store.get("ns/a"), "an object of another uid was taken");
        assertEquals(1, copies.sharedSoFar());
    }

    /** The controller's informer two versions ahead: the fleet cache's older version is its own, the newest is shared. */
    @Test
    void anOfferWaitsForItsVersionPastAnOlderPut() {
        store.put("ns/a", scanner("a", "u1", "5"));
        copies.offer(scanner("a", "u1", "6"));
        Scanner seventh = scanner("a", "u1", "7");
        copies.offer(seventh);

        store.put("ns/a", scanner("a", "u1", "6"));
        assertEquals(1, copies.waiting(), "the offer of a version still to come was dropped");
        store.put("ns/a", scanner("a", "u1", "7"));

        assertSame(seventh, store.get("ns/a"));
        assertEquals(0, copies.waiting());
    }

    @Test
    void offersDoNotPileUp() {
        copies.release(store);
        copies.offer(scanner("early", "u0", "1"));
        assertEquals(0, copies.waiting(), "an offer kept while no fleet cache store exists");
        copies.newStore();
        for (int i = 0; i <= SharedCopies.OFFERS_WAITING_AT_MOST; i++) {
            copies.offer(scanner("gone-" + i, "u" + i, "1"));
        }
        assertTrue(copies.waiting() <= SharedCopies.OFFERS_WAITING_AT_MOST, copies.waiting() + " offers wait");
    }

    /** A version the controller's informer cached without offering it (the SDK's own writes) is found in its cache. */
    @Test
    void aVersionNobodyOfferedIsTakenFromTheControllersCache() {
        Scanner controllers = scanner("a", "u1", "8");
        Map<ResourceID, Scanner> cached = Map.of(new ResourceID("a", "ns"), controllers);
        copies.lookIn(cacheOf(cached));
        Scanner beforeAnyOffer = scanner("a", "u1", "8");
        store.put("ns/a", beforeAnyOffer);
        assertSame(beforeAnyOffer, store.get("ns/a"), "the controller's cache was asked before its informer offered anything");
        copies.offer(scanner("z", "u9", "1")); // the controller's informer runs from now on
        store.remove("ns/a");

        store.put("ns/a", scanner("a", "u1", "8"));
        assertSame(controllers, store.get("ns/a"));

        Scanner own = scanner("b", "u2", "3");
        store.put("ns/b", own);
        assertSame(own, store.get("ns/b"), "a key the controller does not hold");
        Scanner newer = scanner("a", "u1", "9");
        store.put("ns/a", newer);
        assertSame(newer, store.get("ns/a"), "the controller's older version was taken");

        copies.lookIn(cacheOf(null));
        Scanner again = scanner("a", "u1", "10");
        store.put("ns/a", again);
        assertSame(again, store.get("ns/a"), "a cache that cannot answer yet must not fail the put");
    }

    /** A controller cache answering {@code get} from the map, or failing as one that has not started (null map). */
    @SuppressWarnings("unchecked")
    private static IndexerResourceCache<Scanner> cacheOf(Map<ResourceID, Scanner> cached) {
        return (IndexerResourceCache<Scanner>) Proxy.newProxyInstance(SharedCopiesTest.class.getClassLoader(),
                new Class<?>[]{IndexerResourceCache.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("get")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    if (cached == null) {
                        throw new IllegalStateException("not started");
                    }
                    return Optional.ofNullable(cached.get((ResourceID) args[0]));
                });
    }

    @Test
    void aRemovedKeyLeavesNothingWaiting() {
        store.put("ns/a", scanner("a", "u1", "5"));
        copies.offer(scanner("a", "u1", "6"));
        assertEquals(1, copies.waiting());

        store.remove("ns/a");

        assertNull(store.get("ns/a"));
        assertEquals(0, copies.waiting());
    }

    @Test
    void offersGoToTheStoreThatHoldsTheKeyAndAReleasedStoreIsNoLongerAsked() {
        ItemStore<Scanner> first = store;
        ItemStore<Scanner> second = copies.newStore();
        Scanner own = scanner("b", "u9", "3");
        second.put("ns/b", own);
        Scanner controllers = scanner("b", "u9", "3");

        copies.offer(controllers);
        assertSame(controllers, second.get("ns/b"));
        assertNull(first.get("ns/b"), "an offer filled a store that never listed the object");

        copies.release(second);
        copies.offer(scanner("b", "u9", "3"));
        assertSame(controllers, second.get("ns/b"), "a released store was still asked");
        assertEquals(1, copies.waiting(), "the offer waits for a store that lists it");
    }

    /** The two informers' threads racing on the same versions: every version ends up as one object, and nothing waits. */
    @Test
    void concurrentPutsAndOffersOfTheSameVersionsAlwaysMeet() throws Exception {
        int n = 5_000;
        Scanner[] controllers = new Scanner[n];
        Scanner[] fleet = new Scanner[n];
        for (int i = 0; i < n; i++) {
            controllers[i] = scanner("s" + i, "u" + i, "1");
            fleet[i] = scanner("s" + i, "u" + i, "1");
        }
        // Both threads start on each key together, so their steps interleave on the same key.
        CyclicBarrier together = new CyclicBarrier(2);
        Thread offering = new Thread(() -> {
            for (Scanner s : controllers) {
                await(together);
                copies.offer(s);
            }
        });
        Thread putting = new Thread(() -> {
            for (Scanner s : fleet) {
                await(together);
                store.put(store.getKey(s), s);
            }
        });
        offering.start();
        putting.start();
        offering.join(30_000);
        putting.join(30_000);
        List<String> apart = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (store.get("ns/s" + i) != controllers[i]) {
                apart.add("s" + i);
            }
        }
        assertTrue(apart.isEmpty(), apart.size() + " of " + n + " versions kept two objects, e.g. " + apart.subList(0, Math.min(5, apart.size())));
        assertEquals(0, copies.waiting(), "offers left waiting");
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
