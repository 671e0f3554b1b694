package io.mipo.operator.kube;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts every write request the operator's Kubernetes client sends, as
 * {@code mipo_kubernetes_writes_total{verb,resource}}. It sits in the HTTP client, so writes made
 * by the Java Operator SDK itself (finalizers, status patches) are counted as well as ours.
 * Reviews (TokenReview, SubjectAccessReview) are questions, not writes, and are not counted.
 */
public final class WriteCounter implements Interceptor {
    public static final String METRIC = "mipo.kubernetes.writes";
    private static final Set<String> NOT_WRITES = Set.of("tokenreviews", "subjectaccessreviews",
            "selfsubjectaccessreviews", "localsubjectaccessreviews");

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public WriteCounter(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void before(BasicBuilder builder, HttpRequest request, Interceptor.RequestTags tags) {
        String verb = verbOf(request.method());
        if (verb == null) {
            return;
        }
        String resource = resourceOf(request.uri().getPath());
        if (resource == null || NOT_WRITES.contains(resource)) {
            return;
        }
        counters.computeIfAbsent(verb + ' ' + resource, k -> Counter.builder(METRIC)
                .description("Write requests sent to the Kubernetes API")
                .tag("verb", verb).tag("resource", resource)
                .register(registry)).increment();
    }

    static String verbOf(String method) {
        switch (method.toUpperCase(Locale.ROOT)) {
            case "POST":
                return "create";
            case "PUT":
                return "update";
            case "PATCH":
                return "patch";
            case "DELETE":
                return "delete";
            default:
                return null;
        }
    }

    /**
     * The resource (plural, with "/subresource" when there is one) named by an API path such as
     * /apis/mipo.io/v1alpha1/namespaces/ns/scanners/a/status or /api/v1/namespaces/ns/secrets.
     */
    static String resourceOf(String path) {
        String[] parts = path.split("/");
        int i;
        if (parts.length > 1 && "api".equals(parts[1])) {
            i = 3;
        } else if (parts.length > 1 && "apis".equals(parts[1])) {
            i = 4;
        } else {
            return null;
        }
        if (i < parts.length && "namespaces".equals(parts[i]) && i + 2 < parts.length) {
            i += 2;
        }
        if (i >= parts.length) {
            return null;
        }
        String resource = parts[i];
        if (i + 2 < parts.length) {
            resource = resource + "/" + parts[i + 2];
        }
        return resource;
    }
}
