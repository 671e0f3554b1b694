package io.mipo.operator.faults;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.mipo.operator.core.FleetCache;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.scanner.ScannerReconciler;
import io.mipo.operator.testing.TestResources;
import org.awaitility.core.ConditionTimeoutException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every informer keeps a copy of every object it watches, so with 100,000 Scanners each extra
 * informer on a kind costs hundreds of megabytes. This counts the watches the running operator holds
 * open on the API server, per kind: the Operator SDK's informer of each controller's own kind plus
 * the fleet cache's ({@link FleetCache}), which every other reader shares; and one for the
 * operator's Secrets. See docs/architecture.md, "Caches".
 */
@QuarkusTest
@TestProfile(FaultsProfile.class)
class InformersPerKindTest {
    private static final Pattern KIND = Pattern.compile("^/(?:api|apis/[^/]+)/[^/]+/(?:namespaces/[^/]+/)?([a-z]+)");

    @InjectFaults
    ApiFaults faults;

    @Inject
    FleetCache fleet;

    @Inject
    Operator operator;

    @InjectFaults
    KubernetesClient kubectl;

    @Test
    void eachKindIsWatchedByTheFewestInformers() throws Exception {
        assertTrue(fleet.awaitSynced(), "the fleet cache never listed its kinds");
        Map<String, Long> byKind = Map.of();
        long deadline = System.currentTimeMillis() + 20_000;
        // Informers open their watches right after their first list; wait until the count settles.
        Map<String, Long> previous = null;
        while (System.currentTimeMillis() < deadline) {
            byKind = watchesByKind(faults.openWatches());
            if (byKind.equals(previous) && byKind.getOrDefault("scanners", 0L) > 0) {
                break;
            }
            previous = byKind;
            Thread.sleep(500);
        }
        String seen = "open watches by kind: " + byKind + "; all: " + faults.openWatches();
        assertEquals(2L, byKind.get("scanners"), "Scanners: the Scanner controller's informer and the fleet cache; " + seen);
        assertEquals(2L, byKind.get("scannerbindings"), "ScannerBindings: the binding controller's informer and the fleet cache; " + seen);
        assertEquals(2L, byKind.get("scannergroups"), "ScannerGroups: the group controller's informer and the fleet cache; " + seen);
        assertEquals(1L, byKind.get("secrets"), "the operator's labelled Secrets: one shared informer; " + seen);
    }

    /**
     * The two informers of Scanners decode every version each; the fleet cache keeps the controller's
     * object of a version instead of its own ({@code SharedCopies}), so a scanner costs one object.
     * Checked on a create and on an edit: whichever informer hears of a version first.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aScannerVersionIsOneObjectInBothCaches() throws Exception {
        assertTrue(fleet.awaitSynced(), "the fleet cache never listed its kinds");
        var source = ((Controller<Scanner>) operator.getRegisteredController(ScannerReconciler.NAME).orElseThrow())
                .getEventSourceManager().getControllerEventSource();
        String name = "shared-copy";
        kubectl.resource(TestResources.scanner(FaultsProfile.NS, name, null)).create();
        for (String description : List.of("first", "second")) {
            TestResources.modify(kubectl, Scanner.class, FaultsProfile.NS, name, x -> x.getSpec().setDescription(description));
            AtomicReference<String> seen = new AtomicReference<>();
            try {
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    Scanner inFleet = fleet.scanners().get(FaultsProfile.NS, name).orElse(null);
                    Scanner inController = source.get(new ResourceID(name, FaultsProfile.NS)).orElse(null);
                    seen.set("fleet cache " + version(inFleet) + ", controller " + version(inController));
                    return inFleet != null && inFleet == inController && description.equals(inFleet.getSpec().getDescription());
                });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("the caches never held one object for the version with description " + description
                        + ": " + seen.get(), e);
            }
        }
        kubectl.resources(Scanner.class).inNamespace(FaultsProfile.NS).withName(name).delete();
    }

    private static String version(Scanner s) {
        return s == null ? "nothing" : "resourceVersion " + s.getMetadata().getResourceVersion() + " @" + System.identityHashCode(s);
    }

    /**
     * With 100,000 scanners a list in one response is hundreds of megabytes: every informer lists in
     * pages. An informer listing whole asks for {@code resourceVersion=0} (the API server's cache);
     * one listing in pages asks for {@code limit}. Other, one-off lists (a group's members) may come
     * from the tests of this profile and are not counted.
     */
    @Test
    void everyInformerListsInPages() {
        assertTrue(fleet.awaitSynced(), "the fleet cache never listed its kinds");
        Map<String, Integer> informers = Map.of("scanners", 2, "scannerbindings", 2, "scannergroups", 2, "secrets", 1);
        List<String> reads = faults.reads();
        for (Map.Entry<String, Integer> kind : informers.entrySet()) {
            List<String> lists = reads.stream().filter(p -> isListOf(p, kind.getKey())).toList();
            long paged = lists.stream().filter(p -> p.contains("limit=" + io.mipo.operator.core.ListPaging.PAGE)).count();
            assertTrue(paged >= kind.getValue(), kind.getValue() + " informers of " + kind.getKey() + ", " + paged
                    + " lists in pages of " + io.mipo.operator.core.ListPaging.PAGE + ": " + lists);
            assertTrue(lists.stream().noneMatch(p -> p.contains("resourceVersion=0")), "a whole list of " + kind.getKey() + ": " + lists);
        }
    }

    private static boolean isListOf(String path, String kind) {
        Matcher m = KIND.matcher(path);
        int end = path.indexOf('?') < 0 ? path.length() : path.indexOf('?');
        return m.find() && m.group(1).equals(kind) && m.end() == end;
    }

    private static Map<String, Long> watchesByKind(List<String> watches) {
        return watches.stream().map(w -> {
            Matcher m = KIND.matcher(w);
            return m.find() ? m.group(1) : w;
        }).collect(Collectors.groupingBy(k -> k, TreeMap::new, Collectors.counting()));
    }
}
