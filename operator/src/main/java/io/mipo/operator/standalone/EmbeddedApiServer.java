package io.mipo.operator.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;

/**
 * The Kubernetes API of standalone mode: the fabric8 mock server in CRUD mode behind
 * {@link ApiDispatcher}, listening on 127.0.0.1 only (it has no authentication), with its objects
 * persisted in a data directory when one is given. Not for production: one process, no admission,
 * no schema validation, no server-side apply.
 */
public final class EmbeddedApiServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EmbeddedApiServer.class);

    private final ObjectStore store;
    private final StoreFile file;
    private final StoreWriter writer;
    private final KubernetesMockServer server;
    private final int port;

    private EmbeddedApiServer(ObjectStore store, StoreFile file, StoreWriter writer, KubernetesMockServer server, int port) {
        this.store = store;
        this.file = file;
        this.writer = writer;
        this.server = server;
        this.port = port;
    }

    /**
     * Starts the server on 127.0.0.1:{@code port} (0 = any free port). With a data directory, the
     * objects saved there are loaded before the first request is served, and every change is saved.
     */
    public static EmbeddedApiServer start(Optional<Path> dataDir, int port) throws IOException {
        ObjectStore store = new ObjectStore();
        StoreFile file = null;
        StoreWriter writer = null;
        if (dataDir.isPresent()) {
            file = new StoreFile(dataDir.get());
            file.open();
            try {
                Optional<ObjectStore.Snapshot> saved = WriteAheadLog.replay(file.load(), dataDir.get());
                if (saved.isPresent()) {
                    store.restore(saved.get());
                    LOG.infof("Loaded %d objects from %s", saved.get().objects().size(), file.path());
                }
            } catch (IOException | RuntimeException e) {
                file.close();
                throw e;
            }
            WriteAheadLog wal = new WriteAheadLog(dataDir.get());
            wal.open();
            store.writeAheadLog(wal);
            writer = new StoreWriter(store, file);
            store.onChange(writer::changed);
        }
        MockWebServer web = new MockWebServer();
        ApiDispatcher dispatcher = new ApiDispatcher(store, web, Clock.systemUTC());
        KubernetesMockServer server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), web,
                new HashMap<>(), dispatcher, false);
        try {
            server.start(InetAddress.getByName("127.0.0.1"), port);
        } catch (RuntimeException e) {
            if (file != null) {
                file.close();
            }
            throw new IOException("cannot start the embedded API server on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
        dispatcher.serverAddress("127.0.0.1:" + server.getPort());
        EmbeddedApiServer started = new EmbeddedApiServer(store, file, writer, server, server.getPort());
        if (writer != null && !writer.flush()) {
            started.close();
            throw new IOException("cannot write the standalone store " + file.path() + ": " + writer.lastError());
        }
        return started;
    }

    /** {@code http://127.0.0.1:<port>}: the API server's URL (plain HTTP on loopback). */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Number of stored objects. */
    public int objectCount() {
        return store.size();
    }

    /** Snapshots written since start; 0 without a data directory (tests). */
    long saves() {
        return writer == null ? 0 : writer.saves();
    }

    /** Watches open over WebSocket (tests). */
    int openWatches() {
        return store.openWatches();
    }

    public Optional<Instant> lastSavedAt() {
        return Optional.ofNullable(writer == null ? null : writer.lastSavedAt());
    }

    /** Why the last save failed; empty when saving works (or nothing is persisted). */
    public Optional<String> saveError() {
        if (store.logError() != null) {
            return Optional.of(store.logError());
        }
        return Optional.ofNullable(writer == null ? null : writer.lastError());
    }

    /**
     * Creates each CRD, or replaces the stored one, so the served schema and printer columns are
     * those of this build even when the data directory came from an older one.
     */
    public void installCrds(List<CustomResourceDefinition> crds) {
        for (CustomResourceDefinition crd : crds) {
            String name = crd.getMetadata().getName();
            String collection = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
            MockResponse current = call(HttpMethod.GET, collection + "/" + name, null);
            ObjectNode body = (ObjectNode) Json.MAPPER.valueToTree(crd);
            MockResponse answer;
            if (current.code() == 200) {
                JsonNode stored = Json.read(current.getBody().readUtf8());
                ((ObjectNode) body.with("metadata")).put("resourceVersion",
                        stored.path("metadata").path("resourceVersion").asText());
                answer = call(HttpMethod.PUT, collection + "/" + name, body);
            } else {
                answer = call(HttpMethod.POST, collection, body);
            }
            if (answer.code() >= 300) {
                throw new IllegalStateException("cannot install CRD " + name + ": " + answer.getBody().readUtf8());
            }
        }
    }

    /** Creates a namespace unless it exists (a cluster always has "default"). */
    public void ensureNamespace(String name) {
        if (call(HttpMethod.GET, "/api/v1/namespaces/" + name, null).code() == 200) {
            return;
        }
        ObjectNode ns = Json.object();
        ns.put("apiVersion", "v1");
        ns.put("kind", "Namespace");
        ns.putObject("metadata").put("name", name);
        ns.putObject("status").put("phase", "Active");
        MockResponse answer = call(HttpMethod.POST, "/api/v1/namespaces", ns);
        if (answer.code() >= 300) {
            throw new IllegalStateException("cannot create namespace " + name + ": " + answer.getBody().readUtf8());
        }
    }

    private MockResponse call(HttpMethod method, String path, JsonNode body) {
        byte[] bytes = body == null ? new byte[0] : Json.write(body).getBytes(StandardCharsets.UTF_8);
        Headers headers = Headers.builder().add("Content-Type", "application/json").build();
        RecordedRequest request = new RecordedRequest("HTTP/1.1", method, path, headers, new Buffer(bytes));
        return switch (method) {
            case GET -> store.handleGet(path);
            case POST -> store.handleCreate(request);
            case PUT -> store.handleUpdate(request);
            default -> throw new IllegalArgumentException(method.toString());
        };
    }

    /** Saves what is not saved yet; true when the file is up to date. */
    public boolean flush() {
        return writer == null || writer.flush();
    }

    /** Stops serving, saves, and releases the data directory. */
    @Override
    public void close() {
        try {
            server.shutdown();
        } finally {
            try {
                if (writer != null) {
                    writer.close();
                }
            } finally {
                if (file != null) {
                    LOG.infof("Embedded API server stopped; %d objects saved in %s", store.size(), file.path());
                    try {
                        file.close();
                    } catch (IOException e) {
                        LOG.warnf("Cannot release the lock of %s: %s", file.path(), e.getMessage());
                    }
                }
            }
        }
    }
}
