package io.mipo.operator.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded API server finds objects through its indexes: what a request costs, counted as the
 * stored objects it looks at ({@code ObjectIndex.visits}), depends on what it asks for, not on how
 * many objects are stored. The mock server it replaces looked at every stored object on every request.
 */
class IndexedStoreTest {
    private static final String CONFIGMAPS = "/api/v1/namespaces/default/configmaps";
    private static final String SECRETS = "/api/v1/namespaces/default/secrets";

    private static MockResponse call(ObjectStore store, HttpMethod method, String path, String body) {
        RecordedRequest request = new RecordedRequest("HTTP/1.1", method, path,
                Headers.builder().add("Content-Type", "application/json").build(),
                new Buffer(body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8)));
        return store.dispatch(request);
    }

    private static void createConfigMaps(ObjectStore store, int from, int to) {
        for (int i = from; i < to; i++) {
            MockResponse r = call(store, HttpMethod.POST, CONFIGMAPS,
                    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm-" + i + "\"},\"data\":{\"i\":\"" + i + "\"}}");
            if (r.code() != 201) {
                throw new AssertionError("create cm-" + i + " answered " + r.code() + " " + r.getBody().readUtf8());
            }
        }
    }

    /** Objects looked at by {@code action}. */
    private static long visits(ObjectStore store, Runnable action) {
        long before = store.index.visits.get();
        action.run();
        return store.index.visits.get() - before;
    }

    private record Cost(long get, long update, long staleUpdate, long missing, long delete) {
    }

    private static Cost costsAt(ObjectStore store, String name) {
        String path = CONFIGMAPS + "/" + name;
        JsonNode[] current = new JsonNode[1];
        long get = visits(store, () -> {
            MockResponse r = call(store, HttpMethod.GET, path, null);
            assertEquals(200, r.code());
            current[0] = Json.read(r.getBody().readUtf8());
        });
        assertEquals(name, current[0].path("metadata").path("name").asText());
        ObjectNode changed = current[0].deepCopy();
        changed.with("data").put("changed", "yes");
        long update = visits(store, () -> assertEquals(200, call(store, HttpMethod.PUT, path, Json.write(changed)).code()));
        // the same body again carries the old resourceVersion now: 409, as kube-apiserver answers
        long stale = visits(store, () -> assertEquals(409, call(store, HttpMethod.PUT, path, Json.write(changed)).code()));
        long missing = visits(store, () -> assertEquals(404, call(store, HttpMethod.GET, CONFIGMAPS + "/no-such-map", null).code()));
        long delete = visits(store, () -> assertEquals(200, call(store, HttpMethod.DELETE, path, null).code()));
        assertEquals(404, call(store, HttpMethod.GET, path, null).code(), "deleted");
        return new Cost(get, update, stale, missing, delete);
    }

    @Test
    void aGetOrAWriteLooksAtOneObjectWithAHundredOrAHundredThousandStored() {
        ObjectStore store = new ObjectStore();
        createConfigMaps(store, 0, 100);
        Cost small = costsAt(store, "cm-42");

        createConfigMaps(store, 100, 100_000);
        assertEquals(100_000 - 1, store.size());
        Cost large = costsAt(store, "cm-77777");

        System.out.printf("IndexedStoreTest: objects looked at with 100 / 100,000 stored: %s / %s%n", small, large);
        assertEquals(new Cost(1, 1, 1, 0, 1), small, "a get, an update, a stale update, a miss and a delete each look at their own object only");
        assertEquals(small, large, "invariant request-cost-independent-of-store-size: costs with 100 vs 100,000 objects stored");
    }

    @Test
    void aLabelledListLooksOnlyAtTheObjectsCarryingTheLabel() {
        ObjectStore store = new ObjectStore();
        createConfigMaps(store, 0, 20_000);
        for (int i = 0; i < 30; i++) {
            String labels = "\"app.kubernetes.io/managed-by\":\"mipo\",\"mipo.io/scanner\":\"s-" + (i % 10) + "\""
                    + (i < 3 ? ",\"mipo.io/component\":\"provisioning\"" : "");
            assertEquals(201, call(store, HttpMethod.POST, SECRETS, "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"sec-" + i
                    + "\",\"labels\":{" + labels + "}},\"data\":{}}").code());
        }
        for (int i = 0; i < 200; i++) {
            assertEquals(201, call(store, HttpMethod.POST, SECRETS, "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"other-" + i
                    + "\",\"labels\":{\"team\":\"blue\"}},\"data\":{}}").code());
        }

        List<String> names = new ArrayList<>();
        long managed = visits(store, () -> names.addAll(listNames(store, SECRETS + "?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dmipo")));
        assertEquals(30, names.size(), names.toString());
        assertEquals(30, managed, "a list by the credential Secrets' label looks at those 30 Secrets only");

        names.clear();
        long one = visits(store, () -> names.addAll(listNames(store,
                SECRETS + "?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dmipo%2Cmipo.io%2Fscanner%3Ds-3")));
        assertEquals(List.of("sec-13", "sec-23", "sec-3"), names.stream().sorted().toList());
        assertEquals(3, one, "with two equality requirements, the rarer label's objects are looked at");

        names.clear();
        long three = visits(store, () -> names.addAll(listNames(store, SECRETS + "?labelSelector=mipo.io%2Fcomponent%3Dprovisioning")));
        assertEquals(List.of("sec-0", "sec-1", "sec-2"), names.stream().sorted().toList());
        assertEquals(3, three);

        names.clear();
        long none = visits(store, () -> names.addAll(listNames(store, SECRETS + "?labelSelector=mipo.io%2Fscanner%3Dnobody")));
        assertEquals(List.of(), names);
        assertEquals(0, none);

        // selectors the index does not serve are still answered exactly, from the resource's objects
        names.clear();
        long notBlue = visits(store, () -> names.addAll(listNames(store, SECRETS + "?labelSelector=team%21%3Dblue")));
        assertEquals(30, names.size(), names.toString());
        assertEquals(230, notBlue, "an inequality looks at the Secrets, not at the 20,000 ConfigMaps");

        long secrets = visits(store, () -> assertEquals(230, listNames(store, SECRETS).size()));
        assertEquals(230, secrets, "a list of one resource looks at that resource only");
    }

    private static List<String> listNames(ObjectStore store, String path) {
        MockResponse r = call(store, HttpMethod.GET, path, null);
        assertEquals(200, r.code());
        List<String> out = new ArrayList<>();
        Json.read(r.getBody().readUtf8()).path("items").forEach(i -> out.add(i.path("metadata").path("name").asText()));
        return out;
    }

    @Test
    void garbageCollectionLooksAtTheDeletedOwnersDependentsOnly() {
        ObjectStore store = new ObjectStore();
        createConfigMaps(store, 0, 10_000);
        JsonNode owner = Json.read(call(store, HttpMethod.GET, CONFIGMAPS + "/cm-5", null).getBody().readUtf8());
        String uid = owner.path("metadata").path("uid").asText();
        String other = Json.read(call(store, HttpMethod.GET, CONFIGMAPS + "/cm-6", null).getBody().readUtf8())
                .path("metadata").path("uid").asText();
        String ref = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"cm-5\",\"uid\":\"" + uid + "\"}";
        String otherRef = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"cm-6\",\"uid\":\"" + other + "\"}";
        assertEquals(201, call(store, HttpMethod.POST, SECRETS, "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"owned\","
                + "\"ownerReferences\":[" + ref + "]}}").code());
        assertEquals(201, call(store, HttpMethod.POST, SECRETS, "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"two-owners\","
                + "\"ownerReferences\":[" + ref + "," + otherRef + "]}}").code());

        long cost = visits(store, () -> assertEquals(200, call(store, HttpMethod.DELETE, CONFIGMAPS + "/cm-5", null).code()));
        assertEquals(404, call(store, HttpMethod.GET, SECRETS + "/owned", null).code(), "its only owner is gone: collected");
        assertEquals(200, call(store, HttpMethod.GET, SECRETS + "/two-owners", null).code(), "one owner is left: kept");
        assertTrue(cost <= 4, "deleting an owner looked at " + cost + " objects: itself, its two dependents, and the collected one");

        assertEquals(200, call(store, HttpMethod.DELETE, CONFIGMAPS + "/cm-6", null).code());
        assertEquals(404, call(store, HttpMethod.GET, SECRETS + "/two-owners", null).code(), "its last owner is gone: collected");
    }

    @Test
    void aWatchStartsWithWhatItSelectsAndReportsEachChangeInOrder() throws Exception {
        try (EmbeddedApiServer server = EmbeddedApiServer.start(Optional.empty(), 0)) {
            server.ensureNamespace("default");
            Config config = new ConfigBuilder(Config.empty()).withMasterUrl(server.url()).withNamespace("default")
                    .withRequestRetryBackoffLimit(0).build();
            try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
                for (int i = 0; i < 50; i++) {
                    client.resource(new ConfigMapBuilder().withNewMetadata().withName("plain-" + i).endMetadata().build()).create();
                }
                client.resource(new ConfigMapBuilder().withNewMetadata().withName("early").withLabels(Map.of("watched", "yes"))
                        .endMetadata().build()).create();
                List<String> events = new CopyOnWriteArrayList<>();
                Watch watch = client.configMaps().withLabel("watched", "yes").watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, ConfigMap cm) {
                        events.add(action + " " + cm.getMetadata().getName() + " " + cm.getData());
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                });
                try {
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(1, events.size(),
                            "the watch's first events (the one selected object, once): " + events));
                    client.resource(new ConfigMapBuilder().withNewMetadata().withName("late").withLabels(Map.of("watched", "yes"))
                            .endMetadata().addToData("v", "1").build()).create();
                    client.resource(new ConfigMapBuilder().withNewMetadata().withName("unwatched").endMetadata().build()).create();
                    client.configMaps().withName("late").edit(cm -> new ConfigMapBuilder(cm).addToData("v", "2").build());
                    client.configMaps().withName("early").edit(cm -> new ConfigMapBuilder(cm).editMetadata().withLabels(Map.of()).endMetadata().build());
                    client.configMaps().withName("late").delete();
                    List<String> expected = List.of("ADDED early {}", "ADDED late {v=1}", "MODIFIED late {v=2}",
                            "DELETED early {}", "DELETED late {v=2}");
                    await().atMost(Duration.ofSeconds(10)).until(() -> events.size() >= expected.size());
                    Thread.sleep(200);
                    assertEquals(expected, events);
                    assertEquals(1, server.openWatches());
                } finally {
                    watch.close();
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> server.openWatches() == 0);
            }
        }
    }
}
