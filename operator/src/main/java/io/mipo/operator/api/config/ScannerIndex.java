package io.mipo.operator.api.config;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.mipo.operator.api.ApiException;
import io.mipo.operator.config.MipoConfig;
import io.mipo.operator.core.FleetCache;
import io.mipo.operator.kube.Selectors;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerStatus;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.model.ScannerGroup;
import io.mipo.operator.scanner.DisplayNames;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The facade's read model: the Scanners, ScannerBindings and ScannerGroups of the facade's namespace
 * as the fleet cache ({@link FleetCache}, on every replica) holds them, plus the facade's own recent
 * writes ({@link Overlay}). List queries never reach the API server.
 *
 * <p>Rows are kept sorted by each sort key in persistent trees ({@link RowIndex}): a reader takes
 * the current immutable view and cuts a page from it (no sorting, no view building, no lock,
 * nothing that blocks, which lets list calls run on the event loop). The index is maintained
 * incrementally, one scanner at a time: a watch event for a Scanner or its ScannerBinding marks
 * that id; the marked ids are looked at again by a background thread (events within
 * {@link #DEBOUNCE} coalesce, so a burst of status updates is published as one view), and the
 * facade's own writes are applied at once by the writing request (read your writes). Looking at an
 * id again costs a few map lookups and, only when what the row shows changed, one new row (view and
 * JSON) and O(log n) per kept sort key. A change of the ScannerGroups looks at every row's
 * membership (selector matching, O(rows × groups)) and rebuilds only the rows whose groups
 * changed; a move of the liveness view ({@link #LIVENESS_POLL}) looks up every registered
 * scanner's last heartbeat (O(rows) map lookups, no sorting) and rebuilds the rows whose
 * {@code lastHeartbeatAt} moved.
 */
@ApplicationScoped
public class ScannerIndex {
    private static final Logger LOG = Logger.getLogger(ScannerIndex.class);
    static final Duration SYNC_WAIT = Duration.ofSeconds(10);
    static final Duration DEBOUNCE = Duration.ofMillis(50);
    /** How often the index looks whether a replica took or published heartbeats (the facade's lastHeartbeatAt). */
    static final Duration LIVENESS_POLL = Duration.ofMillis(500);

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
    private volatile boolean livenessDue;
    /** When a row's heartbeat phase changes by time alone next (epoch millis; a silent scanner turning Offline). */
    private volatile long nextPhaseCheck = Long.MAX_VALUE;
    /**
     * How often the liveness poll looks at every row even when only some scanners' heartbeats
     * moved: a backstop for what moves a row without a mark (a change of leadership and its grace).
     */
    static final long LOOK_AT_ALL_EVERY_MILLIS = 10_000;
    // guarded by rebuildLock: where the liveness poll goes on reading moved heartbeats from, when it last looked at all
    private long movedFrom = -1;
    private long lookedAtAll;
    /** Rows the liveness poll looked at: the cost counter the tests read. */
    private long heartbeatLookups;

    Clock clock = Clock.systemUTC();

    private final CompletableFuture<Void> synced = new CompletableFuture<>();

    private final Overlay<Scanner> scannerWrites = new Overlay<>();
    private final Overlay<ScannerBinding> bindingWrites = new Overlay<>();
    /** Ids whose Scanner, binding or overlay entry changed since they were last looked at. */
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    private final AtomicLong groupChanges = new AtomicLong(1);
    private final Object rebuildLock = new Object();

    // ---- guarded by rebuildLock ----
    private boolean loaded;
    private long groupVersion;
    private List<ScannerGroup> groups = List.of();
    private final Map<String, Source> sources = new HashMap<>();
    /** Rows made (views built and serialised): the cost counter the tests read. */
    private long rowsBuilt;

    // ---- read without a lock; written under rebuildLock ----
    private final Map<String, Scanner> scanners = new ConcurrentHashMap<>();
    private final Map<String, ScannerBinding> bindings = new ConcurrentHashMap<>();
    /** Scanner ids by display-name key (lower case), immutable sets: the facade's name uniqueness check. */
    private final Map<String, Set<String>> byNameKey = new ConcurrentHashMap<>();
    private final RowIndex rows = new RowIndex(() -> scheduleRebuild(0));

    /** When the earliest scheduled rebuild is due (epoch millis), 0 when none is. */
    private long nextRebuildAt;
    private final ScheduledExecutorService rebuilder = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mipo-facade-index");
        t.setDaemon(true);
        return t;
    });

    /** What a scanner's row was made from, so an unchanged row is not made again. */
    private record Source(Scanner scanner, ScannerBinding binding, long groupVersion, List<String> memberOf,
                          String lastHeartbeatAt, LiveHeartbeat.Parsed times, ScannerRow row) {
    }

    void start(@Observes StartupEvent event) {
        if (liveness != null) {
            // The liveness poll asks it about every moved scanner: through the client proxy, each call
            // looked the bean up in its context again, a fifth of this thread's time under heartbeats.
            liveness = io.quarkus.arc.ClientProxy.unwrap(liveness);
        }
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
        synced.complete(null);
        rebuildNow();
        rebuilder.scheduleWithFixedDelay(this::pollLiveness, LIVENESS_POLL.toMillis(), LIVENESS_POLL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Heartbeats change no resource: look at the rows' last heartbeats when the merged liveness view moved. */
    private void pollLiveness() {
        long seen = liveness == null ? 0 : liveness.changes();
        if (seen != livenessSeen || (nextPhaseCheck != Long.MAX_VALUE && liveness.now().toEpochMilli() >= nextPhaseCheck)) {
            livenessSeen = seen;
            livenessDue = true;
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
                changed(obj);
            }

            private boolean ours(T obj) {
                return namespace().equals(obj.getMetadata().getNamespace());
            }

            private void seen(T obj) {
                if (overlay != null) {
                    overlay.observed(obj);
                }
                changed(obj);
            }

            private void changed(T obj) {
                if (isGroup) {
                    groupChanges.incrementAndGet();
                } else {
                    dirty.add(obj.getMetadata().getName());
                }
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
        applyNow(scanner.getMetadata().getName());
    }

    public void deleted(Scanner scanner) {
        scannerWrites.deleted(scanner.getMetadata().getName(), scanner.getMetadata().getUid(), scanner.getMetadata().getResourceVersion(),
                clock.millis());
        applyNow(scanner.getMetadata().getName());
    }

    public void written(ScannerBinding binding) {
        bindingWrites.written(binding, clock.millis());
        applyNow(binding.getMetadata().getName());
    }

    public void bindingDeleted(String name, String resourceVersion) {
        bindingWrites.deleted(name, resourceVersion, clock.millis());
        applyNow(name);
    }

    private void applyNow(String id) {
        dirty.add(id);
        apply(false);
    }

    // ---- reads ----

    public Optional<Scanner> scanner(String id) {
        view();
        return Optional.ofNullable(scanners.get(id));
    }

    /** Every scanner of the namespace that is not being deleted (a live, unmodifiable view). */
    public Collection<Scanner> scanners() {
        view();
        return Collections.unmodifiableCollection(scanners.values());
    }

    /** The scanners whose display name is {@code displayName}, case-insensitively (not being deleted). */
    public List<Scanner> withDisplayName(String displayName) {
        view();
        Set<String> ids = byNameKey.get(DisplayNames.key(displayName));
        if (ids == null) {
            return List.of();
        }
        List<Scanner> out = new ArrayList<>(ids.size());
        for (String id : ids) {
            Scanner s = scanners.get(id);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    /** The last heartbeat the facade shows for the scanner now. */
    Optional<String> shownLastHeartbeat(String id) {
        synchronized (rebuildLock) {
            return Optional.ofNullable(sources.get(id)).map(c -> c.row().view().lastHeartbeatAt());
        }
    }

    /** The status the facade shows for the scanner now (its heartbeats' phase over status' Active or Offline). */
    public Optional<String> shownStatus(String id) {
        synchronized (rebuildLock) {
            return Optional.ofNullable(sources.get(id)).map(c -> c.row().view().status());
        }
    }

    public Optional<ScannerBinding> binding(String id) {
        view();
        return Optional.ofNullable(bindings.get(id));
    }

    Optional<ScannerRow> row(String id) {
        view();
        return Optional.ofNullable(rows.row(id));
    }

    /** Every row, by name. */
    List<ScannerRow> rows() {
        return List.of(view().byName());
    }

    RowIndex.Matches query(ScannerQuery q) {
        return rows.query(view(), q);
    }

    ScannerPage list(ScannerQuery q) {
        RowIndex.Matches m = query(q);
        return new ScannerPage(m.rows().stream().map(ScannerRow::view).toList(), m.total(), q.page(), q.pageSize());
    }

    /**
     * The same page as {@link #list}, as the JSON the client receives, put together from each
     * row's JSON made when the row changed: no serialisation per request.
     */
    byte[] listJson(ScannerQuery q) {
        RowIndex.Matches m = query(q);
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

    /** Counted as rows change, not per request. */
    FilterValues filterValues() {
        return view().values();
    }

    /** Rows made since start (cost counter). */
    long rowsBuilt() {
        synchronized (rebuildLock) {
            return rowsBuilt;
        }
    }

    /** Comparator calls of the sorted orders since start (cost counter). */
    long comparisons() {
        return rows.comparisons();
    }

    // ---- maintenance ----

    /** The current view; the first read waits for the cache to list everything once. */
    RowIndex.View view() {
        RowIndex.View v = rows.view();
        if (v.version() != 0) {
            return v;
        }
        awaitSynced();
        rebuildNow();
        return rows.view();
    }

    /**
     * Makes sure a rebuild runs within {@code delayMillis}: skipped when one is already due by
     * then, so a burst of events costs one pass over the marked ids; a later one (an overlay
     * expiry) does not hold back an earlier need.
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

    /** Applies every pending change (and the liveness view's, when it moved); safe to call from any thread. */
    void rebuildNow() {
        apply(true);
    }

    private void apply(boolean withLiveness) {
        if (!isSynced()) {
            return;
        }
        synchronized (rebuildLock) {
            try {
                long now = clock.millis();
                if (!loaded) {
                    loadAll(now);
                    loaded = true;
                } else {
                    if (groupChanges.get() != groupVersion) {
                        regroup(now);
                    }
                    dirty.addAll(scannerWrites.expire(now));
                    dirty.addAll(bindingWrites.expire(now));
                    for (Iterator<String> it = dirty.iterator(); it.hasNext(); ) {
                        String id = it.next();
                        it.remove();
                        try {
                            refresh(id, now);
                        } catch (RuntimeException e) {
                            dirty.add(id);
                            throw e;
                        }
                    }
                    if (withLiveness && livenessDue) {
                        livenessDue = false;
                        refreshHeartbeats();
                    }
                    rows.keepWanted();
                }
                rows.publish();
                long expiry = earliest(scannerWrites.earliestExpiry(), bindingWrites.earliestExpiry());
                if (expiry > 0) {
                    // Drop expired overlay entries even when no event arrives.
                    scheduleRebuild(Math.max(1, expiry - clock.millis()));
                }
            } catch (RuntimeException e) {
                LOG.errorf(e, "Updating the facade's scanner index failed; retrying");
                scheduleRebuild(1000);
            }
        }
    }

    private static long earliest(long a, long b) {
        return a == 0 ? b : b == 0 ? a : Math.min(a, b);
    }

    /** The first list: every id the cache or the overlay knows, one sort per kept key. */
    private void loadAll(long now) {
        String ns = namespace();
        dirty.clear();
        loadGroups();
        Set<String> ids = new HashSet<>();
        fleet.scanners().list(ns).forEach(s -> ids.add(s.getMetadata().getName()));
        fleet.bindings().list(ns).forEach(b -> ids.add(b.getMetadata().getName()));
        ids.addAll(scannerWrites.names());
        ids.addAll(bindingWrites.names());
        List<ScannerRow> all = new ArrayList<>(ids.size());
        for (String id : ids) {
            ScannerRow r = compute(id, now);
            if (r != null) {
                all.add(r);
            }
        }
        rows.load(all);
    }

    private void loadGroups() {
        groupVersion = groupChanges.get();
        groups = fleet.groups().list(namespace()).stream()
                .filter(g -> g.getMetadata().getDeletionTimestamp() == null)
                .sorted(Comparator.comparing(g -> g.getMetadata().getName()))
                .toList();
    }

    /** The groups changed: every row's membership is looked at again; rows whose groups changed are made again. */
    private void regroup(long now) {
        loadGroups();
        for (String id : new ArrayList<>(sources.keySet())) {
            dirty.remove(id);
            refresh(id, now);
        }
    }

    /** Looks at one id again: its row is added, replaced or removed, or left alone when nothing it shows changed. */
    private void refresh(String id, long now) {
        ScannerRow r = compute(id, now);
        if (r == null) {
            rows.remove(id);
        } else {
            rows.put(r);
        }
    }

    /**
     * Makes again the rows whose shown heartbeat or phase moved: those whose heartbeats liveness
     * marked as moved since the last poll, or every row when liveness cannot tell (a ledger
     * restored, another replica's ledger moving thousands at once), when a phase is due to change by time alone, and at least every
     * {@link #LOOK_AT_ALL_EVERY_MILLIS}. At 100,000 scanners heartbeating every 30 s, a poll looks
     * at about 1,700 rows instead of all of them.
     */
    private void refreshHeartbeats() {
        io.mipo.operator.liveness.MovedJournal.Moved moved = liveness == null ? null : liveness.movedSince(movedFrom);
        long now = clock.millis();
        boolean phaseDue = liveness != null && nextPhaseCheck != Long.MAX_VALUE && liveness.now().toEpochMilli() >= nextPhaseCheck;
        if (moved != null) {
            movedFrom = moved.next();
        }
        if (moved == null || moved.everything() || phaseDue || now - lookedAtAll >= LOOK_AT_ALL_EVERY_MILLIS) {
            lookedAtAll = now;
            nextPhaseCheck = Long.MAX_VALUE;
            for (Source c : new ArrayList<>(sources.values())) {
                refreshHeartbeat(c);
            }
            return;
        }
        String ns = namespace();
        for (io.mipo.operator.core.ScannerRef ref : moved.refs()) {
            Source c = ref.namespace().equals(ns) ? sources.get(ref.name()) : null;
            if (c != null) {
                refreshHeartbeat(c);
            }
        }
    }

    private void refreshHeartbeat(Source c) {
        heartbeatLookups++;
        LiveHeartbeat.Parsed times = c.times();
        Instant last = lastHeartbeat(c.scanner());
        String lastHeartbeatAt = LiveHeartbeat.of(times, liveness != null, last);
        Phase live = livePhase(times, last);
        ScannerRow old = c.row();
        boolean sameStatus = shown(c.scanner(), live).equals(old.view().status());
        if (sameStatus && Objects.equals(lastHeartbeatAt, c.lastHeartbeatAt())) {
            return;
        }
        ScannerRow row;
        if (sameStatus) {
            // Only the last heartbeat moved, and everything else the row shows comes from the same
            // Scanner, binding and groups: the row is copied with it instead of being made again.
            row = old.withLastHeartbeat(lastHeartbeatAt, times.instantOf(lastHeartbeatAt), this::toJson);
            sources.put(old.id(), new Source(c.scanner(), c.binding(), c.groupVersion(), c.memberOf(), lastHeartbeatAt, times, row));
            rowsBuilt++;
        } else {
            row = make(c.scanner(), c.binding(), c.memberOf(), lastHeartbeatAt, times, live);
        }
        rows.put(row);
    }

    /** Rows looked at by the liveness poll since start (cost counter). */
    long heartbeatLookups() {
        synchronized (rebuildLock) {
            return heartbeatLookups;
        }
    }

    private String shown(Scanner s, Phase live) {
        return ScannerViews.status(s, clock.instant(), config.liveness().offlineAfter(), live).name();
    }

    /**
     * The latest heartbeat liveness knows of the scanner (null when none, or without liveness), looked
     * up once per row for both the time shown and the phase.
     */
    private Instant lastHeartbeat(Scanner s) {
        return liveness == null ? null : liveness.lastHeartbeat(s.getMetadata().getNamespace(), s.getMetadata().getName()).orElse(null);
    }

    /**
     * The phase an External scanner's heartbeats give now ({@code last} is {@link #lastHeartbeat}),
     * when its status says Active or Offline (null otherwise: Pending, Disabled and DaemonSet scanners
     * show their status). Notes when the answer will change by time alone, so that the liveness poll
     * looks again then.
     */
    private Phase livePhase(LiveHeartbeat.Parsed times, Instant last) {
        Scanner s = times.scanner;
        ScannerStatus st = s.getStatus();
        if (liveness == null || st == null || (st.getPhase() != Phase.Active && st.getPhase() != Phase.Offline)
                || ScannerViews.deploymentMode(s) != io.mipo.operator.model.DeploymentMode.External) {
            return null;
        }
        Optional<io.mipo.operator.liveness.LivenessRules.Verdict> v = liveness.phase(times.registeredAt, last, st.getPhase());
        if (v.isEmpty()) {
            return null;
        }
        v.get().changesAt().ifPresent(at -> nextPhaseCheck = Math.min(nextPhaseCheck, at.toEpochMilli()));
        return v.get().phase();
    }

    /**
     * The row of one id as the cache and the overlay show it now (null when there is no scanner),
     * keeping the maps readers use in step. The overlay entries are taken before the cache is read
     * ({@link Overlay#capture} says why).
     */
    private ScannerRow compute(String id, long now) {
        String ns = namespace();
        Overlay.Entry<Scanner> scannerEntry = scannerWrites.live(id, now);
        Overlay.Entry<ScannerBinding> bindingEntry = bindingWrites.live(id, now);
        Scanner s = Overlay.resolve(scannerEntry, fleet.scanners().get(ns, id).orElse(null));
        if (s != null && s.getMetadata().getDeletionTimestamp() != null) {
            s = null;
        }
        ScannerBinding b = Overlay.resolve(bindingEntry, fleet.bindings().get(ns, id).orElse(null));
        if (b != null && b.getMetadata().getDeletionTimestamp() != null) {
            b = null;
        }
        if (b == null) {
            bindings.remove(id);
        } else {
            bindings.put(id, b);
        }
        Scanner before = s == null ? scanners.remove(id) : scanners.put(id, s);
        if (before != s) {
            if (before != null) {
                byNameKey.computeIfPresent(DisplayNames.key(DisplayNames.effective(before)), (k, set) -> without(set, id));
            }
            if (s != null) {
                byNameKey.merge(DisplayNames.key(DisplayNames.effective(s)), Set.of(id), ScannerIndex::with);
            }
        }
        if (s == null) {
            sources.remove(id);
            return null;
        }
        Source c = sources.get(id);
        boolean sameScanner = c != null && c.scanner() == s;
        LiveHeartbeat.Parsed times = sameScanner ? c.times() : new LiveHeartbeat.Parsed(s);
        Instant last = lastHeartbeat(s);
        String lastHeartbeatAt = LiveHeartbeat.of(times, liveness != null, last);
        List<String> memberOf = sameScanner && c.groupVersion() == groupVersion ? c.memberOf() : memberOf(s);
        if (sameScanner && c.binding() == b && c.memberOf().equals(memberOf) && Objects.equals(c.lastHeartbeatAt(), lastHeartbeatAt)) {
            if (c.groupVersion() != groupVersion) {
                sources.put(id, new Source(s, b, groupVersion, memberOf, lastHeartbeatAt, times, c.row()));
            }
            return c.row();
        }
        return make(s, b, memberOf, lastHeartbeatAt, times, livePhase(times, last));
    }

    /** Small immutable sets: a display name is held by one scanner but for conflicts made outside the facade. */
    private static Set<String> with(Set<String> set, Set<String> more) {
        Set<String> out = new HashSet<>(set);
        out.addAll(more);
        return Set.copyOf(out);
    }

    private static Set<String> without(Set<String> set, String id) {
        if (!set.contains(id)) {
            return set;
        }
        Set<String> out = new HashSet<>(set);
        out.remove(id);
        return out.isEmpty() ? null : Set.copyOf(out);
    }

    /** {@code times} are {@code s}'s; {@code live} is {@link #livePhase} of them. */
    private ScannerRow make(Scanner s, ScannerBinding b, List<String> memberOf, String lastHeartbeatAt, LiveHeartbeat.Parsed times,
                            Phase live) {
        ScannerView view = ScannerViews.of(s, b, memberOf, clock.instant(), config.liveness().offlineAfter(), lastHeartbeatAt, live);
        ScannerRow row = ScannerRow.of(view, s.getMetadata().getResourceVersion(), this::toJson);
        sources.put(s.getMetadata().getName(), new Source(s, b, groupVersion, memberOf, lastHeartbeatAt, times, row));
        rowsBuilt++;
        return row;
    }

    private List<String> memberOf(Scanner s) {
        List<String> out = new ArrayList<>(2);
        for (ScannerGroup g : groups) {
            if (g.getSpec() != null && Selectors.matches(g.getSpec().getSelector(), s.getMetadata().getLabels())) {
                out.add(g.getMetadata().getName());
            }
        }
        return out.isEmpty() ? List.of() : List.copyOf(out);
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
}
