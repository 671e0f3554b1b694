package io.mipo.operator.api.config;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.mipo.operator.api.ApiException;
import io.mipo.operator.config.MipoConfig;
import io.mipo.operator.core.FleetCache;
import io.mipo.operator.kube.Selectors;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.model.ScannerGroup;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The facade's read model: the Scanners, ScannerBindings and ScannerGroups of the facade's namespace
 * as the fleet cache ({@link FleetCache}, on every replica) holds them, plus the facade's own recent
 * writes ({@link Overlay}). List queries never reach the API server.
 *
 * <p>Reads use an immutable snapshot holding every scanner's row pre-sorted by each sort key, so
 * a query is one pass over a sorted array (filter, count, cut a page): no sorting, no view
 * building, no lock, nothing that blocks, which lets list calls run on the event loop. Snapshots
 * are rebuilt off the request path: after watch events by a background thread (changes within
 * {@link #DEBOUNCE} coalesce, so heartbeat-driven status updates cost one rebuild, not one per
 * event), and after the facade's own writes at once by the writing request. Rows are reused
 * across rebuilds while their Scanner, binding and the group set are unchanged.
 */
@ApplicationScoped
public class ScannerIndex {
    private static final Logger LOG = Logger.getLogger(ScannerIndex.class);
    static final Duration SYNC_WAIT = Duration.ofSeconds(10);
    static final Duration DEBOUNCE = Duration.ofMillis(50);

    private static final Comparator<ScannerRow> BY_NAME = Comparator.comparing(ScannerRow::nameKey).thenComparing(ScannerRow::id);
    private static final Comparator<ScannerRow> BY_STATUS = Comparator.comparing((ScannerRow r) -> r.view().status()).thenComparing(BY_NAME);
    private static final Comparator<ScannerRow> BY_CREATED = Comparator
            .comparing(ScannerRow::createdAt, Comparator.nullsLast(Comparator.naturalOrder())).thenComparing(ScannerRow::id);
    private static final Comparator<ScannerRow> BY_RATE = Comparator.comparingInt((ScannerRow r) -> r.view().rateLimit()).thenComparing(BY_NAME);
    /** Never heard from first; RFC 3339 UTC instants of one format sort as text. */
    private static final Comparator<ScannerRow> BY_HEARTBEAT = Comparator.comparing((ScannerRow r) -> r.view().lastHeartbeatAt(),
            Comparator.nullsFirst(Comparator.comparing(java.time.Instant::parse))).thenComparing(BY_NAME);
    /** How often the index looks whether a replica took or published heartbeats (the facade's lastHeartbeatAt). */
    static final Duration LIVENESS_POLL = Duration.ofMillis(500);
    private static final Comparator<String> TEXT = Comparator.nullsLast(String.CASE_INSENSITIVE_ORDER);
    private static final Comparator<ScannerRow> BY_DESCRIPTION = Comparator.comparing((ScannerRow r) -> r.view().description(), TEXT).thenComparing(BY_NAME);
    private static final Comparator<ScannerRow> BY_BINDING = Comparator.comparing((ScannerRow r) -> r.view().binding().mode(), TEXT)
            .thenComparing(r -> r.view().binding().value(), TEXT).thenComparing(BY_NAME);
    private static final Comparator<ScannerRow> BY_CREATOR = Comparator.comparing((ScannerRow r) -> r.view().createdBy(), TEXT).thenComparing(BY_NAME);

    @Inject
    FleetCache fleet;

    @Inject
    MipoConfig config;

    /** The application's mapper, so pre-serialised views read exactly like serialised ones. */
    @Inject
    com.fasterxml.jackson.databind.ObjectMapper mapper;

    @Inject
    io.mipo.operator.liveness.LivenessView liveness;
    private long livenessSeen = -1;

    Clock clock = Clock.systemUTC();

    private final CompletableFuture<Void> synced = new CompletableFuture<>();

    private final Overlay<Scanner> scannerWrites = new Overlay<>();
    private final Overlay<ScannerBinding> bindingWrites = new Overlay<>();
    private final AtomicLong changes = new AtomicLong(1);
    private final AtomicLong groupChanges = new AtomicLong(1);
    private final Object rebuildLock = new Object();
    private final Map<String, CachedRow> rowCache = new ConcurrentHashMap<>();
    private volatile Snapshot snapshot = Snapshot.EMPTY;
    /** When the earliest scheduled rebuild is due (epoch millis), 0 when none is. */
    private long nextRebuildAt;
    private final ScheduledExecutorService rebuilder = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mipo-facade-index");
        t.setDaemon(true);
        return t;
    });

    private record CachedRow(Scanner scanner, ScannerBinding binding, long groupVersion, String lastHeartbeatAt, ScannerRow row,
                             LiveHeartbeat.Parsed times) {
    }

    /** An immutable state of the facade's namespace; rows sorted by each key, ascending. */
    record Snapshot(long version, long overlayDeadline, Map<String, Scanner> scanners,
                    Map<String, ScannerBinding> bindings, Map<String, ScannerRow> byId,
                    ScannerRow[] byName, ScannerRow[] byStatus, ScannerRow[] byCreatedAt, ScannerRow[] byRateLimit,
                    AtomicReference<FilterValues> filterValues, Map<ScannerQuery.Sort, ScannerRow[]> lazilySorted) {
        static final Snapshot EMPTY = new Snapshot(0, 0, Map.of(), Map.of(), Map.of(),
                new ScannerRow[0], new ScannerRow[0], new ScannerRow[0], new ScannerRow[0], new AtomicReference<>(),
                new ConcurrentHashMap<>());

        ScannerRow[] sortedBy(ScannerQuery.Sort sort) {
            return switch (sort) {
                case name -> byName;
                case status -> byStatus;
                case createdAt -> byCreatedAt;
                case rateLimit -> byRateLimit;
                // the rarer keys are sorted on first use, once per snapshot
                case description -> lazilySorted.computeIfAbsent(sort, k -> sorted(byName, BY_DESCRIPTION));
                case binding -> lazilySorted.computeIfAbsent(sort, k -> sorted(byName, BY_BINDING));
                case createdBy -> lazilySorted.computeIfAbsent(sort, k -> sorted(byName, BY_CREATOR));
                case lastHeartbeatAt -> lazilySorted.computeIfAbsent(sort, k -> sorted(byName, BY_HEARTBEAT));
            };
        }

        private static ScannerRow[] sorted(ScannerRow[] rows, Comparator<ScannerRow> order) {
            ScannerRow[] copy = rows.clone();
            Arrays.sort(copy, order);
            return copy;
        }
    }

    void start(@Observes StartupEvent event) {
        String ns = namespace();
        fleet.scanners().addListener(handler(scannerWrites, false));
        fleet.bindings().addListener(handler(bindingWrites, false));
        fleet.groups().addListener(handler(null, true));
        rebuilder.execute(() -> awaitFirstSync(ns));
    }

    /** Runs on the rebuilder thread until the fleet cache has listed all three kinds once. */
    private void awaitFirstSync(String ns) {
        if (!fleet.isSynced()) {
            try {
                rebuilder.schedule(() -> awaitFirstSync(ns), 100, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shutting down
            }
            return;
        }
        LOG.infof("The facade's cache of namespace %s is in sync (%d scanners)", ns, fleet.scanners().list(ns).size());
        changes.incrementAndGet();
        synced.complete(null);
        rebuildNow();
        rebuilder.scheduleWithFixedDelay(this::pollLiveness, LIVENESS_POLL.toMillis(), LIVENESS_POLL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Heartbeats change no resource: rebuild when the merged liveness view moved (rows whose last heartbeat did not change are reused). */
    private void pollLiveness() {
        long seen = liveness == null ? 0 : liveness.changes();
        if (seen != livenessSeen) {
            livenessSeen = seen;
            changes.incrementAndGet();
            rebuildNow();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        rebuilder.shutdownNow();
    }

    /** Reacts to the fleet cache's events of the facade's namespace; other namespaces are not shown. */
    private <T extends HasMetadata> ResourceEventHandler<T> handler(Overlay<T> overlay, boolean isGroup) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                if (ours(obj)) {
                    seen(obj);
                }
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                if (ours(newObj)) {
                    seen(newObj);
                }
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                if (!ours(obj)) {
                    return;
                }
                if (overlay != null) {
                    overlay.observedDeletion(obj.getMetadata().getName());
                }
                changed();
            }

            private boolean ours(T obj) {
                return namespace().equals(obj.getMetadata().getNamespace());
            }

            private void seen(T obj) {
                if (overlay != null) {
                    overlay.observed(obj);
                }
                changed();
            }

            private void changed() {
                if (isGroup) {
                    groupChanges.incrementAndGet();
                }
                changes.incrementAndGet();
                if (synced.isDone()) {
                    scheduleRebuild(DEBOUNCE.toMillis());
                }
            }
        };
    }

    public String namespace() {
        return config.api().namespace();
    }

    /** True once all three informers listed their resources (readiness). */
    public boolean isSynced() {
        return synced.isDone();
    }

    // ---- the facade's own writes: visible to the next read at once ----

    public void written(Scanner scanner) {
        scannerWrites.written(scanner, clock.millis());
        changes.incrementAndGet();
        rebuildNow();
    }

    public void deleted(Scanner scanner) {
        scannerWrites.deleted(scanner.getMetadata().getName(), scanner.getMetadata().getResourceVersion(), clock.millis());
        changes.incrementAndGet();
        rebuildNow();
    }

    public void written(ScannerBinding binding) {
        bindingWrites.written(binding, clock.millis());
        changes.incrementAndGet();
        rebuildNow();
    }

    public void bindingDeleted(String name, String resourceVersion) {
        bindingWrites.deleted(name, resourceVersion, clock.millis());
        changes.incrementAndGet();
        rebuildNow();
    }

    // ---- reads ----

    public Optional<Scanner> scanner(String id) {
        return Optional.ofNullable(snapshot().scanners().get(id));
    }

    /** Every scanner of the namespace that is not being deleted. */
    public Collection<Scanner> scanners() {
        return snapshot().scanners().values();
    }

    public Optional<ScannerBinding> binding(String id) {
        return Optional.ofNullable(snapshot().bindings().get(id));
    }

    Optional<ScannerRow> row(String id) {
        return Optional.ofNullable(snapshot().byId().get(id));
    }

    /** Every row, by name. */
    List<ScannerRow> rows() {
        return Arrays.asList(snapshot().byName());
    }

    /** The rows of one page, and how many rows match in all. */
    record Matches(List<ScannerRow> rows, int total) {
    }

    Matches query(ScannerQuery q) {
        ScannerRow[] sorted = snapshot().sortedBy(q.sort());
        int from = (q.page() - 1) * q.pageSize();
        int to = from + q.pageSize();
        int n = sorted.length;
        List<ScannerRow> page = new ArrayList<>(Math.min(q.pageSize(), n));
        if (q.filtersNothing()) {
            for (int i = from; i < Math.min(to, n); i++) {
                page.add(sorted[q.descending() ? n - 1 - i : i]);
            }
            return new Matches(page, n);
        }
        int total = 0;
        for (int i = 0; i < n; i++) {
            ScannerRow r = sorted[q.descending() ? n - 1 - i : i];
            if (q.matches(r)) {
                if (total >= from && total < to) {
                    page.add(r);
                }
                total++;
            }
        }
        return new Matches(page, total);
    }

    ScannerPage list(ScannerQuery q) {
        Matches m = query(q);
        return new ScannerPage(m.rows().stream().map(ScannerRow::view).toList(), m.total(), q.page(), q.pageSize());
    }

    /**
     * The same page as {@link #list}, as the JSON the client receives, put together from each
     * row's JSON made when the row changed: no serialisation per request.
     */
    byte[] listJson(ScannerQuery q) {
        Matches m = query(q);
        int size = 64;
        for (ScannerRow r : m.rows()) {
            size += r.json().length + 1;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(size);
        out.writeBytes(ITEMS);
        for (int i = 0; i < m.rows().size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(m.rows().get(i).json());
        }
        out.writeBytes(("],\"total\":" + m.total() + ",\"page\":" + q.page() + ",\"pageSize\":" + q.pageSize() + "}")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static final byte[] ITEMS = "{\"items\":[".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    FilterValues filterValues() {
        Snapshot s = snapshot();
        FilterValues cached = s.filterValues().get();
        if (cached == null) {
            cached = countValues(s);
            s.filterValues().set(cached);
        }
        return cached;
    }

    private static FilterValues countValues(Snapshot snapshot) {
        Map<String, Integer> status = new TreeMap<>();
        Map<String, Integer> mode = new TreeMap<>();
        Map<String, Integer> createdBy = new TreeMap<>();
        Map<String, Integer> group = new TreeMap<>();
        for (ScannerRow r : snapshot.byName()) {
            status.merge(r.view().status(), 1, Integer::sum);
            mode.merge(r.view().binding().mode(), 1, Integer::sum);
            if (r.view().createdBy() != null) {
                createdBy.merge(r.view().createdBy(), 1, Integer::sum);
            }
            for (String g : r.view().groups()) {
                group.merge(g, 1, Integer::sum);
            }
        }
        Function<Map<String, Integer>, List<FilterValues.ValueCount>> counts = m -> m.entrySet().stream()
                .map(e -> new FilterValues.ValueCount(e.getKey(), e.getValue())).toList();
        return new FilterValues(counts.apply(status), counts.apply(mode), counts.apply(createdBy), counts.apply(group));
    }

    // ---- snapshots ----

    Snapshot snapshot() {
        Snapshot s = snapshot;
        if (s.version() != 0) {
            return s;
        }
        awaitSynced();
        rebuildNow();
        return snapshot;
    }

    /**
     * Makes sure a rebuild runs within {@code delayMillis}: skipped when one is already due by
     * then, so a burst of events costs one rebuild; a later one (an overlay expiry) does not
     * hold back an earlier need.
     */
    private synchronized void scheduleRebuild(long delayMillis) {
        long due = clock.millis() + delayMillis;
        if (nextRebuildAt != 0 && nextRebuildAt <= due) {
            return;
        }
        nextRebuildAt = due;
        try {
            rebuilder.schedule(() -> {
                synchronized (this) {
                    if (nextRebuildAt == due) {
                        nextRebuildAt = 0;
                    }
                }
                rebuildNow();
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            nextRebuildAt = 0; // shutting down
        }
    }

    /** Rebuilds the snapshot unless it is current; safe to call from any thread. */
    void rebuildNow() {
        if (!isSynced()) {
            return;
        }
        synchronized (rebuildLock) {
            Snapshot s = snapshot;
            long version = changes.get();
            if (s.version() == version && (s.overlayDeadline() == 0 || s.overlayDeadline() > clock.millis())) {
                return;
            }
            try {
                Snapshot next = rebuild(version);
                snapshot = next;
                if (next.overlayDeadline() > 0) {
                    // Drop expired overlay entries even when no event arrives.
                    scheduleRebuild(Math.max(1, next.overlayDeadline() - clock.millis()));
                }
            } catch (RuntimeException e) {
                LOG.errorf(e, "Rebuilding the facade's scanner index failed; retrying");
                scheduleRebuild(1000);
            }
        }
    }

    private void awaitSynced() {
        CompletableFuture<Void> s = synced;
        if (s.isDone()) {
            return;
        }
        if (io.vertx.core.Context.isOnEventLoopThread()) {
            throw new ApiException(503, "CACHE_NOT_READY", "Service unavailable",
                    "the scanner cache is not in sync with the Kubernetes API yet; retry shortly");
        }
        try {
            s.get(SYNC_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new ApiException(503, "CACHE_NOT_READY", "Service unavailable",
                    "the scanner cache is not in sync with the Kubernetes API yet; retry shortly");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "CACHE_NOT_READY", "Service unavailable", "interrupted while waiting for the cache");
        }
    }

    private byte[] toJson(ScannerView view) {
        try {
            return mapper.writeValueAsBytes(view);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise scanner " + view.id(), e);
        }
    }

    private Snapshot rebuild(long version) {
        long now = clock.millis();
        // the facade's own writes are taken before the cache is read (Overlay#capture says why)
        Overlay.Captured<Scanner> scannerOverlay = scannerWrites.capture(now);
        Overlay.Captured<ScannerBinding> bindingOverlay = bindingWrites.capture(now);
        Map<String, Scanner> scanners = new HashMap<>();
        String ns = namespace();
        for (Scanner s : fleet.scanners().list(ns)) {
            scanners.put(s.getMetadata().getName(), s);
        }
        long deadline = scannerOverlay.applyTo(scanners);
        scanners.values().removeIf(s -> s.getMetadata().getDeletionTimestamp() != null);

        Map<String, ScannerBinding> bindings = new HashMap<>();
        for (ScannerBinding b : fleet.bindings().list(ns)) {
            bindings.put(b.getMetadata().getName(), b);
        }
        long bindingDeadline = bindingOverlay.applyTo(bindings);
        deadline = deadline == 0 ? bindingDeadline : bindingDeadline == 0 ? deadline : Math.min(deadline, bindingDeadline);
        bindings.values().removeIf(b -> b.getMetadata().getDeletionTimestamp() != null);

        List<ScannerGroup> groups = fleet.groups().list(ns).stream()
                .filter(g -> g.getMetadata().getDeletionTimestamp() == null)
                .sorted(Comparator.comparing(g -> g.getMetadata().getName()))
                .toList();
        long groupVersion = groupChanges.get();
        java.time.Instant instant = clock.instant();
        Duration offlineAfter = config.liveness().offlineAfter();

        ScannerRow[] rows = new ScannerRow[scanners.size()];
        Map<String, ScannerRow> byId = new HashMap<>(scanners.size() * 2);
        int i = 0;
        for (Scanner s : scanners.values()) {
            String name = s.getMetadata().getName();
            ScannerBinding b = bindings.get(name);
            CachedRow c = rowCache.get(name);
            ScannerRow row;
            LiveHeartbeat.Parsed times = c != null && c.times().scanner == s ? c.times() : new LiveHeartbeat.Parsed(s);
            String lastHeartbeatAt = LiveHeartbeat.of(times, liveness);
            if (c != null && c.scanner() == s && c.binding() == b && c.groupVersion() == groupVersion
                    && java.util.Objects.equals(c.lastHeartbeatAt(), lastHeartbeatAt)) {
                row = c.row();
            } else {
                List<String> memberOf = groups.stream()
                        .filter(g -> g.getSpec() != null && Selectors.matches(g.getSpec().getSelector(), s.getMetadata().getLabels()))
                        .map(g -> g.getMetadata().getName())
                        .toList();
                ScannerView view = ScannerViews.of(s, b, memberOf, instant, offlineAfter, lastHeartbeatAt);
                row = ScannerRow.of(view, s.getMetadata().getResourceVersion(), toJson(view));
                rowCache.put(name, new CachedRow(s, b, groupVersion, lastHeartbeatAt, row, times));
            }
            rows[i++] = row;
            byId.put(name, row);
        }
        rowCache.keySet().retainAll(scanners.keySet());

        ScannerRow[] byName = rows.clone();
        Arrays.sort(byName, BY_NAME);
        ScannerRow[] byStatus = rows.clone();
        Arrays.sort(byStatus, BY_STATUS);
        ScannerRow[] byCreated = rows.clone();
        Arrays.sort(byCreated, BY_CREATED);
        ScannerRow[] byRate = rows.clone();
        Arrays.sort(byRate, BY_RATE);
        return new Snapshot(version, deadline, Map.copyOf(scanners), Map.copyOf(bindings), byId,
                byName, byStatus, byCreated, byRate, new AtomicReference<>(), new ConcurrentHashMap<>());
    }
}
