package io.mipo.operator.faults;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.credentials.CredentialSecrets;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault (c) of the fault-injection suite: while scanners are created, edited and deleted (kubectl),
 * the API server closes the operator's watches at seeded moments, or tells an open watch its
 * resourceVersion is gone (410); a closed watch's resume is answered 410 Gone, as after an etcd
 * compaction, so the informer must list again to catch up (see {@link ApiFaults}). Afterwards the
 * informer-backed views must hold every update:
 * <ul>
 * <li>{@code no-created-missing}: the facade lists every scanner that exists;</li>
 * <li>{@code no-deleted-lingering}: it lists none that was deleted, and answers 404 for them;</li>
 * <li>{@code no-update-lost}: each listed scanner shows its latest description;</li>
 * <li>{@code reconciled-latest}: the reconciler saw every scanner's latest generation
 *     (observedGeneration) and cleaned up every deleted one (its Secrets are gone);</li>
 * <li>{@code no-exception-storm}: no more logged exceptions than one per watch fault plus, per deleted
 *     scanner, the Operator SDK's retries of its finalizer (a first attempt and 5 retries). Before the
 *     fix in {@code CredentialIndex.forget}, a deletion whose watch event was lost ran the finalizer in a
 *     tight loop, each run asking for the next (about 10 a second, each with API calls).</li>
 * </ul>
 */
@QuarkusTest
@TestProfile(FaultsProfile.class)
class DroppedWatchesTest {
    static final int SCANNERS = 16;
    static final int ROUNDS = 4;

    @InjectFaults
    ApiFaults faults;

    @InjectFaults
    KubernetesClient kubectl;

    @ConfigProperty(name = "mipo.auth.static-token")
    String admin;

    @Test
    void watchesDroppedOrExpiredAtSeededMomentsLoseNoUpdate() throws Exception {
        String ns = FaultsProfile.NS;
        String seed = "seed " + faults.seed() + " (replay with -Dfault.seed=" + faults.seed() + ")";
        Random plan = new Random(faults.seed());
        Random chaosRandom = new Random(faults.seed() * 31 + 7);
        List<String> chaosLog = new CopyOnWriteArrayList<>();
        AtomicBoolean chaos = new AtomicBoolean(true);
        int droppedBefore = faults.watchesDropped() + faults.watchesExpired();
        FaultWorkload.LoggedExceptions logged = FaultWorkload.LoggedExceptions.install();
        long started = System.currentTimeMillis();
        Thread chaosThread = new Thread(() -> {
            while (chaos.get()) {
                FaultWorkload.sleep(150 + chaosRandom.nextInt(350));
                String did = faults.faultOneWatch(chaosRandom, chaosRandom.nextInt(3) == 0);
                if (did != null) {
                    chaosLog.add(did);
                }
            }
        }, "fault-test-watch-chaos");
        chaosThread.start();

        Map<String, String> description = new TreeMap<>();
        List<String> deleted = new ArrayList<>();
        try {
            List<String> live = new ArrayList<>();
            int created = 0;
            for (int round = 0; round < ROUNDS; round++) {
                for (int i = 0; i < SCANNERS / ROUNDS; i++) {
                    String name = "watch-" + created++;
                    Scanner s = TestResources.scanner(ns, name, null);
                    s.getSpec().setDescription("rev-0");
                    kubectl.resource(s).create();
                    description.put(name, "rev-0");
                    live.add(name);
                }
                // Edit a seeded half of the live ones (some twice), delete a seeded one.
                for (String name : List.copyOf(live)) {
                    int edits = plan.nextInt(3);
                    for (int e = 0; e < edits; e++) {
                        String rev = "rev-" + round + "-" + e;
                        TestResources.modify(kubectl, Scanner.class, ns, name, x -> x.getSpec().setDescription(rev));
                        description.put(name, rev);
                    }
                }
                String gone = live.remove(plan.nextInt(live.size()));
                kubectl.resources(Scanner.class).inNamespace(ns).withName(gone).delete();
                description.remove(gone);
                deleted.add(gone);
                FaultWorkload.sleep(300 + plan.nextInt(400));
            }
            FaultWorkload.sleep(1_000);
        } finally {
            chaos.set(false);
            chaosThread.join(5_000);
        }
        int faulted = faults.watchesDropped() + faults.watchesExpired() - droppedBefore;
        System.out.printf("DroppedWatchesTest: %s; %d watch faults: %s; %s%n", seed, faulted, chaosLog, faults.summary());
        assertTrue(faulted >= 5, "the test must drop watches to mean anything: " + faulted + " faulted; " + seed);

        AtomicReference<String> problem = new AtomicReference<>("not checked yet");
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
                problem.set(viewProblem(ns, description, deleted));
                return problem.get() == null;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            logged.uninstall();
            throw new AssertionError(problem.get() + "; " + seed + "; watch faults " + chaosLog, e);
        }
        // Give a finalizer loop, if there is one, the time to show itself: the relists have happened by now.
        FaultWorkload.sleep(3_000);
        long exceptions = logged.since(started);
        logged.uninstall();
        long allowed = faulted + 6L * deleted.size();
        System.out.printf("DroppedWatchesTest: %d exceptions logged (at most %d allowed)%n", exceptions, allowed);
        assertTrue(exceptions <= allowed, "invariant no-exception-storm: " + exceptions + " exceptions logged for "
                + faulted + " watch faults and " + deleted.size() + " deletions:" + logged.describe(started) + "; " + seed);
    }

    /** What the informer-backed views get wrong, or null when they hold every update. */
    private String viewProblem(String ns, Map<String, String> description, List<String> deleted) {
        JsonPath list = FaultWorkload.admin(admin).get("/api/config/scanners?q=watch-&pageSize=100").then().statusCode(200).extract().jsonPath();
        Map<String, String> shown = new TreeMap<>();
        List<String> ids = list.getList("items.id");
        List<String> descriptions = list.getList("items.description");
        for (int i = 0; i < ids.size(); i++) {
            shown.put(ids.get(i), descriptions.get(i));
        }
        for (String name : description.keySet()) {
            if (!shown.containsKey(name)) {
                return "invariant no-created-missing: the facade does not list " + name + "; it lists " + shown.keySet();
            }
        }
        for (String name : deleted) {
            if (shown.containsKey(name)) {
                return "invariant no-deleted-lingering: the facade still lists deleted " + name + "; it lists " + shown.keySet();
            }
            int code = FaultWorkload.admin(admin).get("/api/config/scanners/" + name).statusCode();
            if (code != 404) {
                return "invariant no-deleted-lingering: GET of deleted " + name + " answered " + code;
            }
            if (kubectl.secrets().inNamespace(ns).withName(CredentialSecrets.provisioningName(name)).get() != null) {
                return "invariant reconciled-latest: the Secrets of deleted " + name + " remain (cleanup did not run)";
            }
        }
        for (Map.Entry<String, String> e : description.entrySet()) {
            if (!Objects.equals(e.getValue(), shown.get(e.getKey()))) {
                return "invariant no-update-lost: the facade shows " + e.getKey() + " with description " + shown.get(e.getKey())
                        + ", the latest is " + e.getValue();
            }
            Scanner s = kubectl.resources(Scanner.class).inNamespace(ns).withName(e.getKey()).get();
            if (s == null || s.getStatus() == null || s.getStatus().getPhase() != Phase.Pending
                    || !Objects.equals(s.getMetadata().getGeneration(), s.getStatus().getObservedGeneration())) {
                return "invariant reconciled-latest: " + e.getKey() + " has generation " + (s == null ? null : s.getMetadata().getGeneration())
                        + ", status " + (s == null || s.getStatus() == null ? "none" : s.getStatus().getPhase() + " of generation " + s.getStatus().getObservedGeneration());
            }
        }
        return null;
    }
}
