package io.mipo.operator.binding;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.core.FleetCache;
import io.javaoperatorsdk.operator.health.InformerWrappingEventSourceHealthIndicator;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.Cache;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerBinding;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Reads ScannerBindings and Scanners for the agent-call guard and the REST facade from the binding
 * reconciler's informer cache and the fleet cache (no API request per agent call). Until those caches have synced —
 * at start-up, before the reconciler registered them — it reads from the API server instead, so a
 * binding is never missed (which would leave a scanner unrestricted).
 */
@ApplicationScoped
public class BindingIndex {

    @Inject
    KubernetesClient client;

    @Inject
    io.mipo.operator.kube.WatchedNamespaces watchedNamespaces;

    /** How long after this replica wrote a binding {@link #bindingAfterWrite} reads it from the API server. */
    static final Duration WRITE_SETTLE = Duration.ofSeconds(10);

    @Inject
    FleetCache fleet;

    private volatile Cache<ScannerBinding> bindings;
    private volatile boolean bindingsSynced;
    private final Map<ResourceID, Long> recentWrites = new ConcurrentHashMap<>();

    /** Called by the reconciler when it builds its event sources. */
    void attach(Cache<ScannerBinding> bindingCache) {
        this.bindingsSynced = false;
        this.bindings = bindingCache;
    }

    public Optional<ScannerBinding> binding(String namespace, String name) {
        Cache<ScannerBinding> c = bindings;
        if (synced(c)) {
            return c.get(new ResourceID(name, namespace));
        }
        return Optional.ofNullable(client.resources(ScannerBinding.class).inNamespace(namespace).withName(name).get());
    }

    /** Remembers that this replica just changed the binding (learned, released, edited it). */
    void wroteBinding(String namespace, String name) {
        long now = System.nanoTime();
        recentWrites.put(new ResourceID(name, namespace), now);
        recentWrites.values().removeIf(t -> now - t > WRITE_SETTLE.toNanos());
    }

    /**
     * Like {@link #binding}, but reads from the API server if this replica changed the binding in the
     * last few seconds: the Scanner reconciler is woken by its own informer, which may be ahead of the
     * cache read here, and the Scanner's BINDING column must not stay behind a learned value.
     */
    public Optional<ScannerBinding> bindingAfterWrite(String namespace, String name) {
        ResourceID id = new ResourceID(name, namespace);
        Long at = recentWrites.get(id);
        if (at != null && System.nanoTime() - at < WRITE_SETTLE.toNanos()) {
            return Optional.ofNullable(client.resources(ScannerBinding.class).inNamespace(namespace).withName(name).get());
        }
        return binding(namespace, name);
    }

    /** The Scanner from the fleet cache, or from the API server until that cache has listed the Scanners. */
    public Optional<Scanner> scanner(String namespace, String name) {
        if (fleet.scanners().hasSynced()) {
            return fleet.scanners().get(namespace, name);
        }
        return Optional.ofNullable(client.resources(Scanner.class).inNamespace(namespace).withName(name).get());
    }

    /** Every binding of the namespace ({@code null}: of every watched namespace). */
    public Stream<ScannerBinding> bindings(String namespace) {
        Cache<ScannerBinding> c = bindings;
        if (synced(c)) {
            return c.list(b -> namespace == null || namespace.equals(b.getMetadata().getNamespace()));
        }
        var op = client.resources(ScannerBinding.class);
        if (namespace != null) {
            return op.inNamespace(namespace).list().getItems().stream();
        }
        if (watchedNamespaces.all()) {
            return op.inAnyNamespace().list().getItems().stream();
        }
        return watchedNamespaces.only().orElseThrow().stream()
                .flatMap(ns -> op.inNamespace(ns).list().getItems().stream());
    }

    private boolean synced(Cache<?> cache) {
        if (cache == null) {
            return false;
        }
        if (bindingsSynced) {
            return true;
        }
        boolean synced = true;
        if (cache instanceof InformerWrappingEventSourceHealthIndicator<?> health) {
            var informers = health.informerHealthIndicators();
            synced = !informers.isEmpty() && informers.values().stream().allMatch(i -> i.hasSynced());
        }
        // An informer that has synced once keeps its cache (it re-lists on reconnects): remember it.
        if (synced) {
            bindingsSynced = true;
        }
        return synced;
    }
}
