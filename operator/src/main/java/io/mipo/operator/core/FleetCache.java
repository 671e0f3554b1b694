package io.mipo.operator.core;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.mipo.operator.config.MipoConfig;
import io.mipo.operator.kube.WatchedNamespaces;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.model.ScannerGroup;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The one read cache of Scanners, ScannerBindings and ScannerGroups outside the reconcilers: the
 * facade's sorted snapshots ({@code api.config.ScannerIndex}), group membership
 * ({@code group.GroupCache}) and the agent calls' scanner lookup ({@link ReconcileTrigger}) all
 * read it, and react to its changes through listeners instead of informers of their own.
 *
 * <p>It runs on every replica, leader or not, and whether or not the reconcilers run
 * ({@code quarkus.operator-sdk.start-operator=false}); its informers keep retrying while the first
 * list fails (CRDs or RBAC not there yet). It covers the watched namespaces and the facade's
 * namespace. The Operator SDK's own informers (one per controller and event source) also run on
 * every replica, since the SDK starts event sources before and regardless of leadership, but they
 * exist only while the controllers are registered and offer no change listeners to other code.
 */
@ApplicationScoped
public class FleetCache {
    private static final Logger LOG = Logger.getLogger(FleetCache.class);
    /** Scanners filed under each of their labels as {@code namespace/key=value}. */
    public static final String LABEL_INDEX = "mipo-label";
    /** How long a reader that needs the first list waits for it at most. */
    static final Duration SYNC_WAIT = Duration.ofSeconds(10);

    @Inject
    KubernetesClient client;

    @Inject
    WatchedNamespaces watched;

    @Inject
    MipoConfig config;

    private final KindCache<Scanner> scanners = new KindCache<>("Scanner");
    private final KindCache<ScannerBinding> bindings = new KindCache<>("ScannerBinding");
    private final KindCache<ScannerGroup> groups = new KindCache<>("ScannerGroup");
    private final List<SharedIndexInformer<?>> running = new ArrayList<>();
    private final List<Runnable> releases = new ArrayList<>();
    private boolean started;

    public KindCache<Scanner> scanners() {
        return scanners;
    }

    public KindCache<ScannerBinding> bindings() {
        return bindings;
    }

    public KindCache<ScannerGroup> groups() {
        return groups;
    }

    /** After the readers' own start-up observers (default priority), so their listeners see the first list. */
    void onStart(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION + 1000) StartupEvent event) {
        start();
    }

    /** Starts the informers once; later calls do nothing. Never blocks on the API server. */
    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        Map<String, Function<Scanner, List<String>>> scannerIndexes = Map.of(LABEL_INDEX, FleetCache::labelKeys,
                DisplayNameIndex.NAME, DisplayNameIndex::keys);
        // The resources named at each call (not through a Class variable): RbacCoversCodeTest follows them in the bytecode.
        inform(scanners, client.resources(Scanner.class), SharedCopies.of(Scanner.class), scannerIndexes);
        inform(bindings, client.resources(ScannerBinding.class), SharedCopies.of(ScannerBinding.class), Map.of());
        inform(groups, client.resources(ScannerGroup.class), SharedCopies.of(ScannerGroup.class), Map.of());
    }

    /** True once every kind listed its objects. */
    public boolean isSynced() {
        return scanners.hasSynced() && bindings.hasSynced() && groups.hasSynced();
    }

    /**
     * Waits until the first lists are in, at most {@link #SYNC_WAIT}; for readers that have no
     * answer without them. Starts the cache if nothing did yet.
     */
    public boolean awaitSynced() {
        start();
        long deadline = System.nanoTime() + SYNC_WAIT.toNanos();
        while (!isSynced() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return isSynced();
    }

    void stop(@Observes ShutdownEvent event) {
        synchronized (this) {
            running.forEach(SharedIndexInformer::stop);
            running.clear();
            releases.forEach(Runnable::run);
            releases.clear();
        }
    }

    /** The namespaces informed one by one, or empty for one informer on all namespaces. */
    Set<String> namespaces() {
        if (watched.all()) {
            return Set.of();
        }
        Set<String> out = new LinkedHashSet<>(watched.only().orElseThrow());
        out.add(config.api().namespace());
        return out;
    }

    private <T extends HasMetadata> void inform(KindCache<T> cache, MixedOperation<T, ?, ?> resources, SharedCopies<T> copies,
                                                Map<String, Function<T, List<String>>> indexers) {
        Map<String, SharedIndexInformer<T>> byNamespace = new HashMap<>();
        Set<String> namespaces = namespaces();
        if (namespaces.isEmpty()) {
            byNamespace.put(KindCache.ALL, informer(resources.inAnyNamespace(), indexers, cache, copies, "all namespaces"));
        } else {
            for (String ns : namespaces) {
                byNamespace.put(ns, informer(resources.inNamespace(ns), indexers, cache, copies, "namespace " + ns));
            }
        }
        cache.started(byNamespace);
        byNamespace.values().forEach(SharedIndexInformer::start);
    }

    private <T extends HasMetadata> SharedIndexInformer<T> informer(Informable<T> source,
                                                                    Map<String, Function<T, List<String>>> indexers,
                                                                    KindCache<T> cache, SharedCopies<T> copies, String where) {
        SharedIndexInformer<T> i = source.withLimit(ListPaging.PAGE).runnableInformer(0);
        // The reconciler's informer of the kind offers its objects (OfferToFleetCache): one object per version, not two.
        ItemStore<T> store = copies.newStore();
        i.itemStore(store);
        releases.add(() -> copies.release(store));
        if (!indexers.isEmpty()) {
            i.addIndexers(indexers);
        }
        i.addEventHandler(cache.fanOut());
        // Keep trying when the first list fails (CRDs not installed yet, RBAC not granted yet):
        // the default gives up on an informer that never started.
        i.exceptionHandler((isStarted, t) -> {
            LOG.warnf("The fleet cache of %s: %s; retrying", where, t.toString());
            return true;
        });
        running.add(i);
        return i;
    }

    /** The key of a label in {@link #LABEL_INDEX}. */
    public static String labelKey(String namespace, String key, String value) {
        // '=' and '/' cannot appear in a namespace name, so the parts cannot run into each other.
        return namespace + "/" + key + "=" + value;
    }

    private static List<String> labelKeys(Scanner s) {
        Map<String, String> labels = s.getMetadata().getLabels();
        if (labels == null || labels.isEmpty()) {
            return List.of();
        }
        List<String> keys = new ArrayList<>(labels.size());
        labels.forEach((k, v) -> keys.add(labelKey(s.getMetadata().getNamespace(), k, v)));
        return keys;
    }
}
