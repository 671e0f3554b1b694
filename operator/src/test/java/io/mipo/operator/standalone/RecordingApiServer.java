package io.mipo.operator.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;

/**
 * The embedded API server of standalone mode (the same {@link ObjectStore} and {@link ApiDispatcher}:
 * optimistic locking on updates, watches, status subresources), started inside a test JVM for several
 * operator processes to share, the way replicas share a cluster's API server. It records every write
 * it answers — when, verb, path, the client's {@code User-Agent}, the answer's status and the body —
 * so a test can attribute writes to the process that sent them.
 *
 * <p>It also answers {@code SelfSubjectRulesReview} (the Operator SDK asks one before it starts leader
 * election) with "everything is allowed", as a cluster with the operator's RBAC would for the Lease.
 */
public final class RecordingApiServer implements AutoCloseable {

    /** One write the server answered. {@code body} is the request's JSON (empty for a delete). */
    public record Write(Instant at, long nanos, String verb, String path, String userAgent, int status, String body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }

        public JsonNode json() {
            return body.isEmpty() ? Json.object() : Json.read(body);
        }
    }

    /** The User-Agent of {@link #client()}. */
    public static final String TEST_USER_AGENT = "mipo-it/test";

    private final KubernetesMockServer server;
    private final List<Write> writes = new ArrayList<>();

    private RecordingApiServer(KubernetesMockServer server) {
        this.server = server;
    }

    /** Starts on 127.0.0.1 and a free port, with the CRDs of {@code crdDir} (the committed crds/) and namespace default. */
    public static RecordingApiServer start(Path crdDir) throws IOException {
        ObjectStore store = new ObjectStore();
        MockWebServer web = new MockWebServer();
        ApiDispatcher api = new ApiDispatcher(store, web, Clock.systemUTC());
        RecordingApiServer[] self = new RecordingApiServer[1];
        Dispatcher recording = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return self[0].handle(api, request);
            }
        };
        KubernetesMockServer server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), web,
                new HashMap<>(), recording, false);
        server.start(InetAddress.getLoopbackAddress(), 0);
        api.serverAddress("127.0.0.1:" + server.getPort());
        self[0] = new RecordingApiServer(server);
        try (KubernetesClient client = self[0].client()) {
            try (var files = Files.list(crdDir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
                    try (InputStream in = Files.newInputStream(f)) {
                        client.resource(Serialization.unmarshal(in, CustomResourceDefinition.class)).create();
                    }
                }
            }
            if (client.namespaces().withName("default").get() == null) {
                client.resource(new NamespaceBuilder().withNewMetadata().withName("default").endMetadata().build()).create();
            }
        }
        return self[0];
    }

    private MockResponse handle(ApiDispatcher api, RecordedRequest request) {
        String verb = request.getMethod().toUpperCase(Locale.ROOT);
        String path = request.getPath();
        if ("POST".equals(verb) && path.startsWith("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")) {
            return allowEverything(request);
        }
        boolean write = !"GET".equals(verb) && !"HEAD".equals(verb) && !"OPTIONS".equals(verb);
        String body = write && request.getBody() != null ? new String(request.getBody().getBytes(), StandardCharsets.UTF_8) : "";
        MockResponse answer = api.dispatch(request);
        if (write) {
            String agent = request.getHeader("User-Agent");
            synchronized (writes) {
                writes.add(new Write(Instant.now(), System.nanoTime(), verb, path, agent == null ? "" : agent, answer.code(), body));
            }
        }
        return answer;
    }

    private static MockResponse allowEverything(RecordedRequest request) {
        ObjectNode review = (ObjectNode) Json.read(new String(request.getBody().getBytes(), StandardCharsets.UTF_8));
        ObjectNode status = review.putObject("status");
        ObjectNode rule = status.putArray("resourceRules").addObject();
        rule.putArray("verbs").add("*");
        rule.putArray("apiGroups").add("*");
        rule.putArray("resources").add("*");
        status.putArray("nonResourceRules");
        status.put("incomplete", false);
        return new MockResponse().setResponseCode(201).setHeader("Content-Type", "application/json").setBody(Json.write(review));
    }

    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** A client of this server (the caller closes it), whose writes are recorded with {@link #TEST_USER_AGENT}. */
    public KubernetesClient client() {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url()).withNamespace("default")
                .withUserAgent(TEST_USER_AGENT).withRequestTimeout(60_000).withConnectionTimeout(30_000).build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** Every write answered so far, in the order they were answered. */
    public List<Write> writes() {
        synchronized (writes) {
            return List.copyOf(writes);
        }
    }

    @Override
    public void close() {
        server.shutdown();
    }
}
