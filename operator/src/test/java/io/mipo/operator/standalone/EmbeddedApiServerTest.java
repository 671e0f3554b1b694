package io.mipo.operator.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerSpec;
import io.mipo.operator.model.ScannerStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded API server over real HTTP: what kubectl and the operator's client rely on. */
class EmbeddedApiServerTest {
    private static final String TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
    private final List<AutoCloseable> open = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private EmbeddedApiServer start(Optional<Path> dir) throws IOException {
        EmbeddedApiServer server = EmbeddedApiServer.start(dir, 0);
        open.add(server);
        server.installCrds(StandaloneBoot.loadCrds());
        server.ensureNamespace("default");
        return server;
    }

    private KubernetesClient client(EmbeddedApiServer server) {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(server.url()).withNamespace("default")
                .withRequestRetryBackoffLimit(0).build();
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        open.add(client);
        return client;
    }

    private HttpResponse<String> call(EmbeddedApiServer server, String method, String path, String accept,
                                      String contentType, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(20));
        if (accept != null) {
            b.header("Accept", accept);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(EmbeddedApiServer server, String path) throws Exception {
        HttpResponse<String> r = call(server, "GET", path, "application/json", null, null);
        assertEquals(200, r.statusCode(), path + " answered " + r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), path);
        return Json.read(r.body());
    }

    private static Scanner scanner(String name, String displayName, int rateLimit) {
        Scanner s = new Scanner();
        s.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("default").build());
        ScannerSpec spec = new ScannerSpec();
        spec.setDisplayName(displayName);
        spec.setRateLimit(rateLimit);
        s.setSpec(spec);
        return s;
    }

    @Test
    void servesDiscoveryAsKubectlReadsIt() throws Exception {
        EmbeddedApiServer server = start(Optional.empty());

        JsonNode api = get(server, "/api?timeout=32s");
        assertEquals("APIVersions", api.path("kind").asText());
        assertEquals("v1", api.path("versions").get(0).asText());

        JsonNode groups = get(server, "/apis?timeout=32s");
        assertEquals("APIGroupList", groups.path("kind").asText());
        JsonNode mipo = null;
        for (JsonNode g : groups.path("groups")) {
            if (g.path("name").asText().equals("mipo.io")) {
                mipo = g;
            }
        }
        assertNotNull(mipo, groups.toPrettyString());
        assertEquals("mipo.io/v1alpha1", mipo.path("preferredVersion").path("groupVersion").asText());

        JsonNode resources = get(server, "/apis/mipo.io/v1alpha1?timeout=32s");
        assertEquals("APIResourceList", resources.path("kind").asText());
        Map<String, JsonNode> byName = new java.util.HashMap<>();
        resources.path("resources").forEach(r -> byName.put(r.path("name").asText(), r));
        assertEquals(Set.of("scanners", "scanners/status", "scannerbindings", "scannerbindings/status",
                "scannergroups", "scannergroups/status"), byName.keySet(), resources.toPrettyString());
        assertEquals("Scanner", byName.get("scanners").path("kind").asText());
        assertTrue(byName.get("scanners").path("namespaced").asBoolean());
        assertEquals("scn", byName.get("scanners").path("shortNames").get(0).asText());
        assertEquals("sbind", byName.get("scannerbindings").path("shortNames").get(0).asText());
        assertEquals("sgrp", byName.get("scannergroups").path("shortNames").get(0).asText());
        List<String> verbs = new ArrayList<>();
        byName.get("scanners").path("verbs").forEach(v -> verbs.add(v.asText()));
        assertTrue(verbs.containsAll(List.of("get", "list", "create", "update", "patch", "delete", "watch")), verbs.toString());

        JsonNode core = get(server, "/api/v1?timeout=32s");
        assertTrue(core.toString().contains("\"name\":\"secrets\""), core.toString());
        assertEquals("v1.32.0-mipo-standalone", get(server, "/version?timeout=32s").path("gitVersion").asText());
        assertEquals(404, call(server, "GET", "/apis/nothing.example/v1", null, null, null).statusCode());
        assertEquals(404, call(server, "GET", "/openapi/v2?timeout=32s", null, null, null).statusCode());
    }

    @Test
    void printsTablesFromPrinterColumns() throws Exception {
        EmbeddedApiServer server = start(Optional.empty());
        KubernetesClient client = client(server);
        Scanner created = client.resource(scanner("edge-1", "Edge-One", 250)).create();
        ScannerStatus status = new ScannerStatus();
        status.setPhase(Phase.Pending);
        created.setStatus(status);
        client.resource(created).updateStatus();

        HttpResponse<String> r = call(server, "GET", "/apis/mipo.io/v1alpha1/namespaces/default/scanners?limit=500",
                TABLE, null, null);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode table = Json.read(r.body());
        List<String> columns = new ArrayList<>();
        table.path("columnDefinitions").forEach(c -> columns.add(c.path("name").asText()));
        List<String> expected = new ArrayList<>(List.of("Name"));
        TablePrinterTest.crd("scanners.mipo.io-v1.yml").path("spec").path("versions").get(0)
                .path("additionalPrinterColumns").forEach(c -> expected.add(c.path("name").asText()));
        assertEquals(expected, columns);
        JsonNode cells = table.path("rows").get(0).path("cells");
        assertEquals("edge-1", cells.get(0).asText(), table.toPrettyString());
        assertEquals("Pending", cells.get(columns.indexOf("STATUS")).asText());
        assertEquals(250, cells.get(columns.indexOf("RATE")).asInt());
        assertTrue(cells.get(columns.indexOf("AGE")).asText().matches("\\d+s"), cells.toString());

        // one object, and the plain form for -o yaml
        JsonNode one = Json.read(call(server, "GET", "/apis/mipo.io/v1alpha1/namespaces/default/scanners/edge-1",
                TABLE, null, null).body());
        assertEquals(1, one.path("rows").size());
        assertEquals("Scanner", get(server, "/apis/mipo.io/v1alpha1/namespaces/default/scanners/edge-1").path("kind").asText());

        HttpResponse<String> missing = call(server, "GET", "/apis/mipo.io/v1alpha1/namespaces/default/scanners/nope",
                TABLE, null, null);
        assertEquals(404, missing.statusCode());
        JsonNode notFound = Json.read(missing.body());
        assertEquals("NotFound", notFound.path("reason").asText());
        assertEquals("scanners.mipo.io \"nope\" not found", notFound.path("message").asText());
    }

    @Test
    void mergePatchesReplaceListsAndRemoveNulls() throws Exception {
        EmbeddedApiServer server = start(Optional.empty());
        KubernetesClient client = client(server);
        Scanner s = scanner("fin", "fin", 1);
        s.getMetadata().setFinalizers(List.of("a.example/x", "b.example/y"));
        s.getMetadata().setLabels(Map.of("team", "blue", "tier", "edge"));
        client.resource(s).create();

        String path = "/apis/mipo.io/v1alpha1/namespaces/default/scanners/fin";
        HttpResponse<String> r = call(server, "PATCH", path, null, "application/merge-patch+json",
                "{\"metadata\":{\"finalizers\":[\"b.example/y\"],\"labels\":{\"tier\":null}},\"spec\":{\"rateLimit\":7}}");
        assertEquals(200, r.statusCode(), r.body());
        Scanner patched = client.resources(Scanner.class).withName("fin").get();
        assertEquals(List.of("b.example/y"), patched.getMetadata().getFinalizers());
        assertEquals(Map.of("team", "blue"), patched.getMetadata().getLabels());
        assertEquals(7, patched.getSpec().getRateLimit());
        assertEquals(2L, patched.getMetadata().getGeneration());

        // a stale resourceVersion in the patch is a failed precondition
        HttpResponse<String> stale = call(server, "PATCH", path, null, "application/merge-patch+json",
                "{\"metadata\":{\"resourceVersion\":\"1\"},\"spec\":{\"rateLimit\":8}}");
        assertEquals(409, stale.statusCode(), stale.body());
        assertEquals("Conflict", Json.read(stale.body()).path("reason").asText());

        // removing the last finalizer of an object being deleted deletes it, and answers with its last state
        client.resources(Scanner.class).withName("fin").delete();
        HttpResponse<String> last = call(server, "PATCH", path, null, "application/merge-patch+json",
                "{\"metadata\":{\"finalizers\":null}}");
        assertEquals(200, last.statusCode(), last.body());
        assertEquals("fin", Json.read(last.body()).path("metadata").path("name").asText());
        assertNull(client.resources(Scanner.class).withName("fin").get());

        HttpResponse<String> apply = call(server, "PATCH", path + "?fieldManager=kubectl", null,
                "application/apply-patch+yaml", "apiVersion: mipo.io/v1alpha1\nkind: Scanner\n");
        assertEquals(415, apply.statusCode());
        assertTrue(apply.body().contains("server-side apply is not supported"), apply.body());

        HttpResponse<String> protobuf = call(server, "POST", "/api/v1/namespaces/default/secrets", null,
                "application/vnd.kubernetes.protobuf", "k8s\u0000...");
        assertEquals(415, protobuf.statusCode(), protobuf.body());
    }

    @Test
    void objectsSurviveARestartWithTheirIdentity() throws Exception {
        EmbeddedApiServer first = start(Optional.of(dataDir));
        KubernetesClient c1 = client(first);
        Scanner scanner = c1.resource(scanner("keep-me", "Keeper", 42)).create();
        ScannerStatus status = new ScannerStatus();
        status.setPhase(Phase.Active);
        scanner.setStatus(status);
        scanner = c1.resource(scanner).updateStatus();
        Secret secret = c1.resource(new SecretBuilder().withNewMetadata().withName("keep-me-credentials")
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("mipo.io/v1alpha1").withKind("Scanner")
                        .withName("keep-me").withUid(scanner.getMetadata().getUid()).build())
                .endMetadata().withStringData(Map.of("api-key-sha256", "abc")).build()).create();
        assertEquals("YWJj", secret.getData().get("api-key-sha256"), "stringData is stored as data, as kube-apiserver does");
        assertTrue(secret.getStringData() == null || secret.getStringData().isEmpty(), "no stringData kept");
        String rvBefore = scanner.getMetadata().getResourceVersion();
        first.close();
        open.remove(first);

        assertTrue(Files.exists(dataDir.resolve("store.json")));
        if (dataDir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dataDir.resolve("store.json"))));
        }

        EmbeddedApiServer second = start(Optional.of(dataDir));
        KubernetesClient c2 = client(second);
        Scanner restored = c2.resources(Scanner.class).withName("keep-me").get();
        assertNotNull(restored, "the scanner is back");
        assertEquals(scanner.getMetadata().getUid(), restored.getMetadata().getUid());
        assertEquals(rvBefore, restored.getMetadata().getResourceVersion());
        assertEquals(scanner.getMetadata().getCreationTimestamp(), restored.getMetadata().getCreationTimestamp());
        assertEquals(scanner.getMetadata().getGeneration(), restored.getMetadata().getGeneration());
        assertEquals(Phase.Active, restored.getStatus().getPhase());
        Secret restoredSecret = c2.secrets().withName("keep-me-credentials").get();
        assertEquals(secret.getMetadata().getUid(), restoredSecret.getMetadata().getUid());
        assertEquals("YWJj", restoredSecret.getData().get("api-key-sha256"));

        // optimistic locking works on restored objects: a stale write fails, a fresh one succeeds
        Scanner stale = c2.resources(Scanner.class).withName("keep-me").get();
        stale.getMetadata().setResourceVersion("1");
        stale.getSpec().setRateLimit(1);
        KubernetesClientException conflict = assertThrows(KubernetesClientException.class, () -> c2.resource(stale).update());
        assertEquals(409, conflict.getCode());
        restored.getSpec().setRateLimit(43);
        Scanner updated = c2.resource(restored).update();
        assertTrue(Long.parseLong(updated.getMetadata().getResourceVersion()) > Long.parseLong(rvBefore),
                "the resourceVersion counter continues above restored objects: " + updated.getMetadata().getResourceVersion());

        // new objects get new uids, not ones restored objects already have
        Scanner other = c2.resource(scanner("new-one", "New", 0)).create();
        assertNotEquals(scanner.getMetadata().getUid(), other.getMetadata().getUid());
        assertNotEquals(secret.getMetadata().getUid(), other.getMetadata().getUid());

        // deleting the owner deletes what it owns (garbage collection)
        c2.resources(Scanner.class).withName("keep-me").delete();
        await().atMost(Duration.ofSeconds(5)).until(() -> c2.secrets().withName("keep-me-credentials").get() == null);
    }

    @Test
    void aDataDirectoryServesOneProcessAtATime() throws Exception {
        start(Optional.of(dataDir));
        IOException e = assertThrows(IOException.class, () -> EmbeddedApiServer.start(Optional.of(dataDir), 0));
        assertTrue(e.getMessage().contains("in use by another mipo standalone process"), e.getMessage());
    }

    @Test
    void anUnreadableStoreIsReportedNotOverwritten() throws Exception {
        Files.writeString(dataDir.resolve("store.json"), "{ not json");
        IOException e = assertThrows(IOException.class, () -> EmbeddedApiServer.start(Optional.of(dataDir), 0));
        assertTrue(e.getMessage().contains(dataDir.resolve("store.json").toString()), e.getMessage());
        assertEquals("{ not json", Files.readString(dataDir.resolve("store.json")));
    }

    @Test
    void plainHttpWatchesReportChangesSinceAVersion() throws Exception {
        EmbeddedApiServer server = start(Optional.empty());
        KubernetesClient client = client(server);
        Scanner s = client.resource(scanner("w", "w", 1)).create();
        String since = s.getMetadata().getResourceVersion();
        client.resources(Scanner.class).withName("w").edit(x -> {
            x.getSpec().setRateLimit(2);
            return x;
        });
        client.resources(Scanner.class).withName("w").delete();

        HttpResponse<String> r = call(server, "GET", "/apis/mipo.io/v1alpha1/namespaces/default/scanners"
                + "?fieldSelector=metadata.name%3Dw&resourceVersion=" + since + "&watch=true", "application/json", null, null);
        assertEquals(200, r.statusCode(), r.body());
        List<String> types = new ArrayList<>();
        r.body().lines().filter(l -> !l.isBlank()).forEach(l -> types.add(Json.read(l).path("type").asText()));
        assertEquals(List.of("MODIFIED", "DELETED"), types, r.body());

        HttpResponse<String> gone = call(server, "GET", "/apis/mipo.io/v1alpha1/namespaces/default/scanners"
                + "?resourceVersion=0&watch=true&allowWatchBookmarks=true", "application/json", null, null);
        assertEquals(200, gone.statusCode());
        assertEquals("BOOKMARK", Json.read(gone.body().strip()).path("type").asText(), "nothing to report: a bookmark after a pause");
    }

    @Test
    void listsAreOrderedByNamespaceAndName() throws Exception {
        EmbeddedApiServer server = start(Optional.empty());
        KubernetesClient client = client(server);
        for (String name : List.of("charlie", "alpha", "bravo")) {
            client.resource(scanner(name, name, 0)).create();
        }
        client.resources(Scanner.class).withName("alpha").edit(s -> {
            s.getSpec().setRateLimit(5);
            return s;
        });
        List<String> names = new ArrayList<>();
        client.resources(Scanner.class).list().getItems().forEach(s -> names.add(s.getMetadata().getName()));
        assertEquals(List.of("alpha", "bravo", "charlie"), names);
        JsonNode table = Json.read(call(server, "GET", "/apis/mipo.io/v1alpha1/scanners", TABLE, null, null).body());
        List<String> rows = new ArrayList<>();
        table.path("rows").forEach(r -> rows.add(r.path("cells").get(0).asText()));
        assertEquals(List.of("alpha", "bravo", "charlie"), rows);
    }

    @Test
    void aListInPagesShowsTheStoreAsAtItsFirstPage() throws Exception {
        EmbeddedApiServer server = start(Optional.empty());
        KubernetesClient client = client(server);
        for (int i = 0; i < 25; i++) {
            client.resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName(String.format("cm-%02d", i))
                    .endMetadata().build()).create();
        }
        var first = client.configMaps().list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit(10L).build());
        assertEquals(10, first.getItems().size(), "a page holds limit items");
        assertNotNull(first.getMetadata().getContinue(), "a first page of a longer list says how to go on");
        assertEquals(15L, first.getMetadata().getRemainingItemCount());
        // changes after the first page do not show in the pages that follow: one list, one resourceVersion
        client.configMaps().withName("cm-20").delete();
        client.resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName("cm-99").endMetadata().build()).create();
        List<String> names = new ArrayList<>();
        first.getItems().forEach(c -> names.add(c.getMetadata().getName()));
        String token = first.getMetadata().getContinue();
        int pages = 1;
        while (token != null) {
            var page = client.configMaps().list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit(10L)
                    .withContinue(token).build());
            assertEquals(first.getMetadata().getResourceVersion(), page.getMetadata().getResourceVersion(),
                    "every page carries the first page's resourceVersion");
            page.getItems().forEach(c -> names.add(c.getMetadata().getName()));
            token = page.getMetadata().getContinue();
            pages++;
        }
        assertEquals(3, pages);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            expected.add(String.format("cm-%02d", i));
        }
        assertEquals(expected, names, "all pages together: the list as it was at the first page, in order");
        // the whole list now, in one response: the store as it is
        List<String> now = new ArrayList<>();
        client.configMaps().list().getItems().forEach(c -> now.add(c.getMetadata().getName()));
        assertTrue(now.contains("cm-99") && !now.contains("cm-20"), now.toString());
        // an informer that lists in pages sees every object
        var informer = client.configMaps().withLimit(4L).inform();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> informer.getStore().list().size() == 25);
        } finally {
            informer.stop();
        }
        // kubectl get lists in chunks of Tables: the token goes on in the Table's metadata
        JsonNode table = Json.read(call(server, "GET", "/api/v1/namespaces/default/configmaps?limit=20", TABLE, null, null).body());
        assertEquals(20, table.path("rows").size());
        String next = table.path("metadata").path("continue").asText("");
        assertTrue(!next.isEmpty(), "a Table page carries the continue token: " + table.path("metadata"));
        JsonNode rest = Json.read(call(server, "GET", "/api/v1/namespaces/default/configmaps?limit=20&continue=" + next, TABLE, null, null)
                .body());
        assertEquals(5, rest.path("rows").size(), rest.toString());
        assertTrue(rest.path("metadata").path("continue").asText("").isEmpty());
    }

    @Test
    void aWatchFromAResourceVersionGetsTheChangesSinceNotEverythingAgain() throws Exception {
        EmbeddedApiServer server = start(Optional.empty());
        KubernetesClient client = client(server);
        for (int i = 0; i < 30; i++) {
            client.resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName("cm-" + i).endMetadata().build())
                    .create();
        }
        String listed = client.configMaps().list().getMetadata().getResourceVersion();
        client.resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName("new-1").endMetadata().build()).create();
        client.configMaps().withName("cm-3").edit(c -> new io.fabric8.kubernetes.api.model.ConfigMapBuilder(c).addToData("v", "2").build());
        client.configMaps().withName("cm-4").delete();
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        var watcher = new io.fabric8.kubernetes.client.Watcher<io.fabric8.kubernetes.api.model.ConfigMap>() {
            volatile io.fabric8.kubernetes.client.WatcherException closedBy;

            @Override
            public void eventReceived(Action action, io.fabric8.kubernetes.api.model.ConfigMap cm) {
                events.add(action + " " + cm.getMetadata().getName());
            }

            @Override
            public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
                closedBy = cause;
            }
        };
        try (var watch = client.configMaps().watch(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withResourceVersion(listed).build(),
                watcher)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> events.size() >= 3);
            Thread.sleep(200);
            assertEquals(List.of("ADDED new-1", "MODIFIED cm-3", "DELETED cm-4"), events,
                    "from the list's resourceVersion: the three changes since, not the 30 objects again");
            client.configMaps().withName("cm-5").delete();
            await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 4);
            assertEquals("DELETED cm-5", events.get(3));
        }
        // more changes than the server keeps: a watch from before them is told 410 and lists again
        for (int i = 0; i <= ObjectStore.HISTORY_LIMIT; i++) { // one request per change: a merge patch
            client.configMaps().withName("cm-" + (6 + i % 2)).patch(PatchContext.of(PatchType.JSON_MERGE), "{\"data\":{\"v\":\"" + i + "\"}}");
        }
        events.clear();
        var stale = new io.fabric8.kubernetes.client.Watcher<io.fabric8.kubernetes.api.model.ConfigMap>() {
            final java.util.concurrent.CompletableFuture<io.fabric8.kubernetes.client.WatcherException> closed =
                    new java.util.concurrent.CompletableFuture<>();

            @Override
            public void eventReceived(Action action, io.fabric8.kubernetes.api.model.ConfigMap cm) {
                events.add(action + " " + cm.getMetadata().getName());
            }

            @Override
            public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
                closed.complete(cause);
            }
        };
        try (var watch = client.configMaps().watch(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withResourceVersion(listed).build(),
                stale)) {
            io.fabric8.kubernetes.client.WatcherException cause = stale.closed.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(cause != null && cause.isHttpGone(), "a watch from a version older than the kept changes ends with 410: " + cause);
            assertEquals(List.of(), events);
        }
    }

    @Test
    void aContinueTokenOfAnotherListOrNoneAtAllIsRefused() throws Exception {
        EmbeddedApiServer server = start(Optional.empty());
        KubernetesClient client = client(server);
        for (int i = 0; i < 5; i++) {
            client.resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName("cm-" + i).endMetadata().build())
                    .create();
        }
        String token = client.configMaps().list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit(2L).build())
                .getMetadata().getContinue();
        HttpResponse<String> other = call(server, "GET", "/api/v1/namespaces/default/secrets?limit=2&continue=" + token, null, null, null);
        assertEquals(400, other.statusCode(), other.body());
        HttpResponse<String> forged = call(server, "GET", "/api/v1/namespaces/default/configmaps?limit=2&continue=bm90LW91cnM6MQ", null, null, null);
        assertEquals(410, forged.statusCode(), "a token naming no kept list is expired: list again; " + forged.body());
        assertEquals("Expired", Json.read(forged.body()).path("reason").asText());
        HttpResponse<String> garbage = call(server, "GET", "/api/v1/namespaces/default/configmaps?limit=2&continue=%25%25", null, null, null);
        assertEquals(400, garbage.statusCode(), garbage.body());
    }

    @Test
    void namespacesBehaveAsInACluster() throws Exception {
        EmbeddedApiServer server = start(Optional.empty());
        KubernetesClient client = client(server);
        HttpResponse<String> refused = call(server, "DELETE", "/api/v1/namespaces/default", null, null, null);
        assertEquals(403, refused.statusCode(), refused.body());
        assertNotNull(client.namespaces().withName("default").get());

        client.resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName("team-a")
                .endMetadata().build()).create();
        Scanner inTeamA = scanner("same-name", "a", 0);
        inTeamA.getMetadata().setNamespace("team-a");
        client.resource(inTeamA).create();
        client.resource(scanner("same-name", "d", 0)).create();
        client.namespaces().withName("team-a").delete();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> client.resources(Scanner.class).inNamespace("team-a").list().getItems().isEmpty());
        assertNotNull(client.resources(Scanner.class).inNamespace("default").withName("same-name").get(),
                "objects of other namespaces stay");
    }

    @Test
    void installingCrdsAgainReplacesThem() throws Exception {
        EmbeddedApiServer server = start(Optional.empty());
        List<CustomResourceDefinition> crds = StandaloneBoot.loadCrds();
        server.installCrds(crds);
        JsonNode list = get(server, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions");
        assertEquals(3, list.path("items").size(), list.toPrettyString());
    }
}
