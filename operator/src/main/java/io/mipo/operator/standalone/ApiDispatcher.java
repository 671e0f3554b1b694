package io.mipo.operator.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.jboss.logging.Logger;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The front of the embedded API server: answers what kubectl needs and the mock server lacks
 * (discovery, {@code /version}, server-side printing, RFC 7386 merge patches, clear errors for what it
 * cannot do), and hands every other request to the CRUD {@link ObjectStore}.
 */
final class ApiDispatcher extends Dispatcher {
    private static final Logger LOG = Logger.getLogger(ApiDispatcher.class);
    private static final Pattern GROUP_VERSION = Pattern.compile("^/apis/([^/]+)/([^/]+)$");
    private static final Pattern GROUP = Pattern.compile("^/apis/([^/]+)$");
    /** {@code /api/v1[/namespaces/ns]/plural[/name[/sub]]} or {@code /apis/group/version/...}. */
    private static final Pattern RESOURCE = Pattern.compile(
            "^/(?:api|apis/(?<group>[^/]+))/(?<version>[^/]+)(?:/namespaces/(?<namespace>[^/]+))?/(?<plural>[^/]+)"
                    + "(?:/(?<name>[^/]+)(?:/(?<sub>[^/]+))?)?$");
    /** {@code /api/v1/namespaces/<name>}: the namespace object itself, not a namespaced collection. */
    private static final Pattern NAMESPACE_OBJECT = Pattern.compile("^/api/v1/namespaces/([^/]+)(?:/(status|finalize))?$");

    /** How long a plain-HTTP watch with nothing to report waits before it answers (long poll). */
    static final java.time.Duration WATCH_POLL = java.time.Duration.ofMillis(1500);
    private static final java.util.Set<String> PROTECTED_NAMESPACES = java.util.Set.of("default", "kube-system", "kube-public");
    static final String SERVER_VERSION_MAJOR = "1";
    static final String SERVER_VERSION_MINOR = "32";

    private final ObjectStore store;
    private final MockWebServer web;
    private final Clock clock;
    private volatile String serverAddress = "127.0.0.1";

    ApiDispatcher(ObjectStore store, MockWebServer web, Clock clock) {
        this.store = store;
        this.web = web;
        this.clock = clock;
    }

    void serverAddress(String hostPort) {
        this.serverAddress = hostPort;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        forgetRecordedRequest();
        try {
            return withJsonContentType(route(request));
        } catch (RuntimeException e) {
            LOG.warnf(e, "Embedded API server failed on %s %s", request.getMethod(), request.getPath());
            return status(500, "InternalError", "the embedded API server failed: " + e.getMessage(), null);
        }
    }

    /**
     * The mock web server keeps every request it receives for test assertions; a long-running server
     * must not, so each request drops one recorded request (its own, or an equal-sized stand-in).
     */
    private void forgetRecordedRequest() {
        if (web == null) {
            return;
        }
        try {
            web.takeRequest(0, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private MockResponse route(RecordedRequest request) {
        String full = request.getPath();
        int q = full.indexOf('?');
        String path = q < 0 ? full : full.substring(0, q);
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        Map<String, String> query = query(q < 0 ? "" : full.substring(q + 1));
        String method = request.getMethod().toUpperCase(Locale.ROOT);

        if ("GET".equals(method)) {
            MockResponse meta = metaEndpoint(path);
            if (meta != null) {
                return meta;
            }
        }
        String contentType = request.getHeader("Content-Type");
        if (contentType != null && !contentType.toLowerCase(Locale.ROOT).contains("json")
                && !contentType.toLowerCase(Locale.ROOT).contains("yaml")
                && request.getBody() != null && request.getBody().size() > 0) {
            return status(415, "UnsupportedMediaType", "the embedded API server of mipo standalone mode reads JSON "
                    + "only, not " + contentType, null);
        }
        ResourceRef ref = ResourceRef.parse(path);
        if (ref == null) {
            return status(404, "NotFound", "the server could not find the requested resource (" + path + ")", null);
        }
        if (query.containsKey("dryRun")) {
            return status(400, "BadRequest", "dry run is not supported by the embedded API server of mipo "
                    + "standalone mode; run the command without --dry-run=server", null);
        }

        if ("DELETE".equals(method) && "namespaces".equals(ref.plural()) && ref.group().isEmpty()
                && PROTECTED_NAMESPACES.contains(ref.name()) && ref.subresource() == null) {
            // as in a cluster: deleting "default" would delete everything in it
            return status(403, "Forbidden", "namespaces \"" + ref.name() + "\" is forbidden: this namespace may not be deleted",
                    null);
        }
        switch (method) {
            case "GET" -> {
                boolean watch = "true".equals(query.get("watch")) || "1".equals(query.get("watch"));
                if (watch && request.getHeader("Upgrade") == null) {
                    if (wantsTable(request.getHeader("Accept"))) {
                        // kubectl get --watch reads one endless response, which the long poll cannot give
                        return status(400, "BadRequest", "kubectl get --watch is not supported by the embedded API "
                                + "server of mipo standalone mode; poll instead, e.g. watch kubectl get " + ref.plural(),
                                null);
                    }
                    return httpWatch(full, ref, query);
                }
                if (!watch && wantsTable(request.getHeader("Accept"))) {
                    return table(request, ref, query);
                }
                // a list comes from the store in kube-apiserver's order, and in pages when asked (ObjectStore.handleGet)
                return notFoundWithStatus(store.dispatch(request), ref);
            }
            case "PATCH" -> {
                return patch(request, ref);
            }
            default -> {
                return notFoundWithStatus(fixReason(store.dispatch(request)), ref);
            }
        }
    }

    private MockResponse metaEndpoint(String path) {
        switch (path) {
            case "/", "" -> {
                return json(200, Discovery.rootPaths(types()));
            }
            case "/version" -> {
                return json(200, version());
            }
            case "/healthz", "/livez", "/readyz" -> {
                return new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain").setBody("ok");
            }
            case "/api" -> {
                return json(200, Discovery.coreVersions(serverAddress));
            }
            case "/apis" -> {
                return json(200, Discovery.groups(types()));
            }
            case "/api/v1" -> {
                return json(200, Discovery.resources("", "v1", types()));
            }
            default -> {
            }
        }
        if (path.startsWith("/openapi")) {
            return status(404, "NotFound", "the embedded API server of mipo standalone mode publishes no OpenAPI "
                    + "schema; use kubectl with --validate=false", null);
        }
        Matcher gv = GROUP_VERSION.matcher(path);
        if (gv.matches()) {
            ObjectNode doc = Discovery.resources(gv.group(1), gv.group(2), types());
            return doc == null ? status(404, "NotFound", "no API is served at " + path, null) : json(200, doc);
        }
        Matcher g = GROUP.matcher(path);
        if (g.matches()) {
            ObjectNode doc = Discovery.group(g.group(1), types());
            return doc == null ? status(404, "NotFound", "no API group " + g.group(1), null) : json(200, doc);
        }
        return null;
    }

    private ObjectNode version() {
        ObjectNode v = Json.object();
        v.put("major", SERVER_VERSION_MAJOR);
        v.put("minor", SERVER_VERSION_MINOR);
        v.put("gitVersion", "v" + SERVER_VERSION_MAJOR + "." + SERVER_VERSION_MINOR + ".0-mipo-standalone");
        v.put("gitCommit", "");
        v.put("gitTreeState", "");
        v.put("buildDate", "");
        v.put("goVersion", "");
        v.put("compiler", "");
        v.put("platform", "java/" + System.getProperty("os.arch", "unknown"));
        return v;
    }

    /** Built-in kinds, then every version served by a stored CRD (read fresh: CRDs may change). */
    List<ResourceType> types() {
        List<ResourceType> types = new ArrayList<>(ResourceType.BuiltinTypes.ALL);
        for (JsonNode crd : store.objectsOf("customresourcedefinitions")) {
            for (ResourceType t : ResourceType.fromCrd(crd)) {
                types.removeIf(b -> b.group().equals(t.group()) && b.version().equals(t.version())
                        && b.plural().equals(t.plural()));
                types.add(t);
            }
        }
        return types;
    }

    private ResourceType typeOf(ResourceRef ref) {
        return types().stream()
                .filter(t -> t.group().equals(ref.group()) && t.version().equals(ref.version())
                        && t.plural().equals(ref.plural()))
                .findFirst()
                .orElseGet(() -> new ResourceType(ref.group(), ref.version(), ref.plural(), ref.plural(), ref.plural(),
                        ref.namespace() != null, List.of(), List.of(), false, false, List.of()));
    }

    /** A list in kube-apiserver's order (by namespace, then name); lists from the store already are, this keeps tables so. */
    private static JsonNode sorted(JsonNode list) {
        if (!list.path("items").isArray() || list.path("items").size() < 2) {
            return list;
        }
        List<JsonNode> items = new ArrayList<>();
        list.path("items").forEach(items::add);
        items.sort(java.util.Comparator
                .comparing((JsonNode o) -> o.path("metadata").path("namespace").asText(""))
                .thenComparing(o -> o.path("metadata").path("name").asText("")));
        var array = ((ObjectNode) list).putArray("items");
        items.forEach(array::add);
        return list;
    }

    private static boolean wantsTable(String accept) {
        return accept != null && accept.contains("as=Table");
    }

    private MockResponse table(RecordedRequest request, ResourceRef ref, Map<String, String> query) {
        MockResponse answer = store.dispatch(request);
        if (answer.code() != 200) {
            return notFoundWithStatus(answer, ref);
        }
        JsonNode body = sorted(Json.read(answer.getBody().readUtf8()));
        ObjectNode table = TablePrinter.table(typeOf(ref), body,
                TablePrinter.RowObject.fromQuery(query.get("includeObject")), clock.instant());
        return json(200, table);
    }

    /**
     * A watch over plain HTTP (kubectl's; the operator's fabric8 client watches over WebSocket, which the
     * mock serves itself). The mock web server cannot stream, so this is a long poll: the changes since
     * the client's resourceVersion at once, or, when there are none, a bookmark (or nothing) after a
     * short pause, and the client watches again from there. Latency: about {@link #WATCH_POLL}.
     */
    private MockResponse httpWatch(String pathAndQuery, ResourceRef ref, Map<String, String> query) {
        String from = query.getOrDefault("resourceVersion", "");
        List<ObjectNode> events = new ArrayList<>();
        long current;
        if (from.isEmpty() || "0".equals(from)) {
            // no version: start with the current state, as kube-apiserver does
            String listPath = pathAndQuery.replaceAll("([?&])watch=(true|1)&?", "$1");
            MockResponse list = store.handleGet(listPath);
            JsonNode body = Json.read(list.getBody().readUtf8());
            JsonNode items = body.has("items") ? body.get("items") : Json.MAPPER.createArrayNode().add(body);
            items.forEach(o -> events.add(event("ADDED", o)));
            current = store.currentResourceVersion();
        } else {
            long since;
            try {
                since = Long.parseLong(from);
            } catch (NumberFormatException e) {
                return status(400, "BadRequest", "invalid resourceVersion " + from, null);
            }
            current = store.currentResourceVersion();
            List<ObjectStore.Change> changes = store.changesSince(since, pathAndQuery);
            if (changes == null) {
                return status(410, "Expired", "too old resource version: " + since + " (" + current + ")", null);
            }
            changes.forEach(c -> events.add(event(c.type(), Json.read(c.json()))));
        }
        MockResponse response = new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json");
        if (!events.isEmpty()) {
            StringBuilder body = new StringBuilder();
            events.forEach(e -> body.append(Json.write(e)).append('\n'));
            return response.setBody(body.toString());
        }
        String pause = "\n";
        if ("true".equals(query.get("allowWatchBookmarks"))) {
            ObjectNode object = Json.object();
            ResourceType type = typeOf(ref);
            object.put("kind", type.kind());
            object.put("apiVersion", type.groupVersion());
            object.putObject("metadata").put("resourceVersion", String.valueOf(current));
            pause = Json.write(event("BOOKMARK", object)) + "\n";
        }
        return response.setBody(pause).setBodyDelay(WATCH_POLL);
    }

    private static ObjectNode event(String type, JsonNode object) {
        ObjectNode e = Json.object();
        e.put("type", type);
        e.set("object", object);
        return e;
    }

    private MockResponse patch(RecordedRequest request, ResourceRef ref) {
        String contentType = request.getHeader("Content-Type");
        String type = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        switch (type) {
            case "application/apply-patch+yaml", "application/apply-patch+cbor" -> {
                return status(415, "UnsupportedMediaType", "server-side apply is not supported by the embedded API "
                        + "server of mipo standalone mode; use client-side apply (kubectl apply without --server-side)",
                        null);
            }
            case "application/merge-patch+json" -> {
                return notFoundWithStatus(fixReason(store.mergePatch(request, parsePatch(request))), ref);
            }
            case "application/strategic-merge-patch+json" -> {
                JsonNode patch = MergePatch.withoutDirectives(parsePatch(request));
                return notFoundWithStatus(fixReason(store.mergePatch(request, patch)), ref);
            }
            case "application/json-patch+json" -> {
                return notFoundWithStatus(fixReason(store.dispatch(request)), ref);
            }
            default -> {
                return status(415, "UnsupportedMediaType", "unsupported patch type '" + contentType
                        + "'; use application/json-patch+json, application/merge-patch+json or "
                        + "application/strategic-merge-patch+json", null);
            }
        }
    }

    private static JsonNode parsePatch(RecordedRequest request) {
        return Json.read(new String(request.getBody().getBytes(), StandardCharsets.UTF_8));
    }

    /** The mock answers a missing object with an empty 404; clients (kubectl) expect a Status naming it. */
    private static MockResponse notFoundWithStatus(MockResponse response, ResourceRef ref) {
        if (response.code() != 404 || (response.getBody() != null && response.getBody().size() > 0)) {
            return response;
        }
        ObjectNode details = Json.object();
        if (ref.name() != null) {
            details.put("name", ref.name());
        }
        details.put("group", ref.group());
        details.put("kind", ref.plural());
        String what = ref.group().isEmpty() ? ref.plural() : ref.plural() + "." + ref.group();
        return status(404, "NotFound", ref.name() == null ? what + " not found" : what + " \"" + ref.name() + "\" not found",
                details);
    }

    /** The mock reports every failure with reason Invalid; clients tell conflicts apart by reason. */
    private static MockResponse fixReason(MockResponse response) {
        if (response.code() != 409 || response.getBody() == null || response.getBody().size() == 0) {
            return response;
        }
        JsonNode status = Json.read(response.getBody().readUtf8());
        if (status.isObject() && "Status".equals(status.path("kind").asText())) {
            String message = status.path("message").asText();
            ((ObjectNode) status).put("reason", message.contains("already exists") ? "AlreadyExists" : "Conflict");
            return json(409, status);
        }
        return response;
    }

    private static MockResponse withJsonContentType(MockResponse response) {
        if (response.getWebSocketListener() == null && response.getBody() != null && response.getBody().size() > 0
                && response.getHeaders().get("Content-Type") == null) {
            response.setHeader("Content-Type", "application/json");
        }
        return response;
    }

    static MockResponse json(int code, JsonNode body) {
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
                .setBody(Json.write(body));
    }

    static MockResponse status(int code, String reason, String message, ObjectNode details) {
        ObjectNode s = Json.object();
        s.put("kind", "Status");
        s.put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", "Failure");
        s.put("message", message);
        s.put("reason", reason);
        if (details != null) {
            s.set("details", details);
        }
        s.put("code", code);
        return json(code, s);
    }

    /** The query parameters of a request path (the first value of each; decoded). */
    static Map<String, String> queryOf(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        return query(q < 0 ? "" : pathAndQuery.substring(q + 1));
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.putIfAbsent(key, value);
        }
        return out;
    }

    /** What a resource path names. */
    record ResourceRef(String group, String version, String namespace, String plural, String name, String subresource) {
        /** The resource a path names, or null when it names none. */
        static ResourceRef parse(String path) {
            Matcher ns = NAMESPACE_OBJECT.matcher(path);
            if (ns.matches()) {
                // the namespace object itself (and its subresources), not a namespaced collection
                return new ResourceRef("", "v1", null, "namespaces", ns.group(1), ns.group(2));
            }
            Matcher m = RESOURCE.matcher(path);
            if (!m.matches()) {
                return null;
            }
            return new ResourceRef(m.group("group") == null ? "" : m.group("group"), m.group("version"),
                    m.group("namespace"), m.group("plural"), m.group("name"), m.group("sub"));
        }
    }
}
