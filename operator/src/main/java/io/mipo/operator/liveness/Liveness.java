package io.mipo.operator.liveness;

import io.mipo.operator.core.ReconcileTrigger;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mipo.operator.config.MipoConfig;
import io.mipo.operator.credentials.CredentialIndex;
import io.mipo.operator.credentials.CredentialRecord;
import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.model.Phase;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Heartbeats, from the request to the reconciler (docs/liveness.md):
 * <ol>
 * <li>a heartbeat lands in this replica's memory ({@link HeartbeatLedger#record}) — no API call;</li>
 * <li>every replica writes its ledger when the leader needs it ({@link HeartbeatLedger#flushIfDue});</li>
 * <li>every replica reads all ledgers ({@link LedgerBoard}); the merged view answers "when was this
 *     scanner last seen" anywhere, e.g. for the REST facade;</li>
 * <li>on the leader, a sweeper compares the merged view with the phase each scanner's status shows
 *     and asks the reconciler to look at a scanner only when they disagree, so that status is
 *     written on phase changes (and rate-limited refreshes), never per heartbeat.</li>
 * </ol>
 */
@ApplicationScoped
public class Liveness {
    private static final Logger LOG = Logger.getLogger(Liveness.class);

    @Inject
    KubernetesClient client;

    @Inject
    MipoConfig config;

    @Inject
    OperatorIdentity identity;

    @Inject
    ScannerPhases phases;

    @Inject
    ReconcileTrigger trigger;

    @Inject
    Leadership leadership;

    @Inject
    MeterRegistry registry;

    @Inject
    Transitions transitions;

    @Inject
    CredentialIndex credentials;

    Clock clock = Clock.systemUTC();

    private LivenessSettings settings;
    private HeartbeatLedger ledger;
    private final LedgerBoard board = new LedgerBoard();
    /** Counts heartbeats taken here and ledger changes seen: readers of the merged view poll it to know when to look again. */
    private final java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();
    /** Whose last heartbeat moved here, for readers that look at those only. */
    private final MovedJournal moved = new MovedJournal(1 << 16);
    /** Beyond this many scanners moved by one ledger read, readers are told to look at everything. */
    private static final int MOVED_ONE_BY_ONE_AT_MOST = 4_096;
    private final Map<ScannerRef, AgentReport> reports = new ConcurrentHashMap<>();
    private StatusRefreshBudget budget;
    private Counter heartbeats;
    private SharedIndexInformer<ConfigMap> boardInformer;
    private ScheduledExecutorService scheduler;
    private long nextSweep;
    private long nextCollection;
    private long lastWarning;

    /** What the scanner's agent registered with, as facts: the ledger leaves out what equals it. */
    private AgentFacts registeredFacts(ScannerRef ref) {
        return credentials.registration(ref).map(CredentialRecord::agent)
                .map(a -> AgentFacts.of(a.version(), a.hostname(), a.internalIp(), a.sourceAddress())).orElse(null);
    }

    void start(@Observes StartupEvent e) {
        init();
    }

    synchronized void init() {
        if (scheduler != null) {
            return;
        }
        settings = LivenessSettings.of(config.liveness());
        ledger = new HeartbeatLedger(client, identity.namespace(), identity.replicaId(), settings, this::registeredFacts);
        int restored = ledger.restore();
        moved.everything();
        if (restored > 0) {
            LOG.infof("Liveness: replica %s resumed its heartbeat ledger (%d scanners)", identity.replicaId(), restored);
        }
        budget = new StatusRefreshBudget(settings.statusRefreshBudget(), clock.millis());
        heartbeats = Counter.builder("mipo.heartbeats").description("Heartbeats accepted from agents").register(registry);
        board.onChange(merged -> {
            markMoved(merged);
            changes.incrementAndGet();
            reviveFromLedgers();
        });
        try {
            boardInformer = board.inform(client, identity.namespace());
        } catch (KubernetesClientException ex) {
            LOG.errorf("Cannot watch heartbeat ledgers in namespace %s (HTTP %d): heartbeats taken by other replicas are not seen",
                    identity.namespace(), ex.getCode());
        }
        // two threads: the tick, and a sign of life four times a second that a slow ledger write cannot hold up
        // (a gap in it is a pause of the process, after which nothing is marked Offline for a while: Leadership)
        scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "mipo-liveness");
            t.setDaemon(true);
            return t;
        });
        long tick = settings.tick().toMillis();
        scheduler.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
        scheduler.scheduleAtFixedRate(leadership::awake, 0, 250, TimeUnit.MILLISECONDS);
        LOG.infof("Liveness: replica %s keeps its heartbeat ledger in namespace %s; offline after %s, ledger refresh after %s",
                identity.replicaId(), identity.namespace(), settings.offlineAfter(), settings.refreshAfter());
    }

    /**
     * Marks the scanners a ledger moved: none for this replica's own (its heartbeats were marked
     * when taken), every one for another replica's, or "everything" when they are many.
     */
    private void markMoved(LedgerBoard.Merged merged) {
        if (identity.replicaId().equals(merged.replica()) || merged.moved().isEmpty()) {
            return;
        }
        if (merged.moved().size() > MOVED_ONE_BY_ONE_AT_MOST) {
            moved.everything();
        } else {
            merged.moved().forEach(moved::moved);
        }
    }

    void stop(@Observes ShutdownEvent e) {
        if (scheduler != null) {
            scheduler.shutdownNow();
            // Leave the ledger as it is: the next leader reads it, and it ages out when this replica is gone.
        }
        if (boardInformer != null) {
            boardInformer.stop();
        }
    }

    public LivenessSettings settings() {
        return settings;
    }

    // ---- intake ----

    /** A heartbeat taken on this replica. Memory only: no API call. */
    public void heartbeat(ScannerRef ref, String version, String hostname, String internalIp, String sourceAddress, AgentReport report) {
        long now = clock.millis();
        ledger.record(ref, now, version, hostname, internalIp, sourceAddress);
        moved.moved(ref);
        if (report != null) {
            reports.compute(ref, (r, previous) -> report.sharingWith(previous));
        }
        heartbeats.increment();
        changes.incrementAndGet();
        if (phases.isOffline(ref)) {
            transitions.offer(ref, Phase.Active, now); // back online: no need to wait for the sweeper
        }
    }

    /** A registration counts as the first heartbeat. */
    public void registered(ScannerRef ref, Instant at, String version, String hostname, String internalIp, String sourceAddress) {
        ledger.record(ref, at.toEpochMilli(), version, hostname, internalIp, sourceAddress);
        moved.moved(ref);
        changes.incrementAndGet();
        trigger.fire(ref);
    }

    /**
     * A heartbeat of one pod of a DaemonSet scanner, kept in the ledger under the instance's own key
     * (see {@link InstancesStatusContributor#instanceRef}) so that every replica's sightings of it are merged too.
     */
    public void instanceSeen(ScannerRef instance, long atMillis, String version, String hostname, String internalIp, String sourceAddress) {
        ledger.record(instance, atMillis, version, hostname, internalIp, sourceAddress);
    }

    // ---- the merged view ----

    /**
     * The latest heartbeat of the scanner known here, from this replica's memory or any ledger. Facts
     * a ledger left out because they equal the registration's are filled in from it, so that the
     * same agent looks the same whichever replica took its last heartbeat.
     */
    public Optional<Sighting> sighting(ScannerRef ref) {
        Sighting local = ledger.sighting(ref).orElse(null);
        Sighting s = Sighting.latest(local, board.latest(ref).orElse(null));
        if (s == null) {
            return Optional.empty();
        }
        AgentFacts f = s.facts() == null ? AgentFacts.of(null, null, null, null) : s.facts();
        if (f.complete()) {
            return Optional.of(s);
        }
        AgentFacts registered = registeredFacts(ref);
        if (registered == null) {
            return Optional.of(s);
        }
        AgentFacts filled = f.filledFrom(registered);
        return Optional.of(filled == s.facts() ? s : new Sighting(s.lastSeenMillis(), filled));
    }

    public long lastSeen(ScannerRef ref) {
        return Math.max(ledger.lastSeen(ref), board.lastSeen(ref));
    }

    /** Grows whenever the merged view may have changed (a heartbeat here, a ledger read from any replica). */
    public long changes() {
        return changes.get();
    }

    /** Whose last heartbeat moved after {@code from} (a position from an earlier answer; negative: everyone's). */
    public MovedJournal.Moved movedSince(long from) {
        return moved.since(from);
    }

    /** Capabilities, host metrics and state from the latest heartbeat this replica took. */
    public Optional<AgentReport> report(ScannerRef ref) {
        return Optional.ofNullable(reports.get(ref));
    }

    /** A refresh of lastHeartbeatTime/agent may be written now: the budget allows it, and this replica surely leads. */
    public boolean tryRefresh() {
        leadership.awake();
        if (leadership.unsureOfTheLease()) {
            return false;
        }
        return budget.tryAcquire(clock.millis());
    }

    public void forget(ScannerRef ref) {
        ledger.forget(ref);
        board.forget(ref);
        reports.remove(ref);
        phases.remove(ref);
    }

    // ---- background work ----

    void tick() {
        long now = clock.millis();
        try {
            ledger.flushIfDue(now, board::lastSeen);
        } catch (RuntimeException ex) {
            warn(now, "Heartbeat ledger flush failed: " + ex.getClass().getSimpleName());
        }
        if (now >= nextSweep) {
            nextSweep = now + settings.sweep().toMillis();
            try {
                sweep(now);
            } catch (RuntimeException ex) {
                warn(now, "Liveness sweep failed: " + ex.getClass().getSimpleName());
            }
        }
        try {
            transitions.tick(now);
        } catch (RuntimeException ex) {
            warn(now, "Liveness transitions failed: " + ex.getClass().getSimpleName());
        }
        if (now >= nextCollection) {
            nextCollection = now + settings.retention().toMillis();
            board.prune(now - settings.retention().toMillis());
            collectAbandonedLedgers(now);
        }
    }

    /**
     * Asks the reconciler to look at each scanner whose status no longer matches the heartbeats:
     * Active but silent past offline-after (once the leader's grace is over), Offline but heard
     * from again, or reporting different agent facts than the status was based on. Phase changes go
     * through {@link Transitions}: written at once when few, at transition-rate and scanners coming
     * back first when many, slower still for Offline during a fleet-wide outage.
     */
    void sweep(long now) {
        if (phases.entries().isEmpty()) {
            return;
        }
        long offlineAfter = settings.offlineAfter().toMillis();
        long graceUntil = leadership.graceUntil(Instant.ofEpochMilli(now), settings.offlineAfter()).toEpochMilli();
        List<ScannerRef> comingBack = new ArrayList<>();
        List<ScannerRef> goingOffline = new ArrayList<>();
        int shownActive = 0;
        int overdue = 0;
        long overdueAfter = Math.min(2 * settings.heartbeatInterval().toMillis(), offlineAfter);
        for (Map.Entry<ScannerRef, ScannerPhases.Observed> e : phases.entries()) {
            ScannerRef ref = e.getKey();
            ScannerPhases.Observed o = e.getValue();
            if (o.liveness() == Phase.Pending) {
                transitions.cancel(ref);
                continue;
            }
            if (!trigger.mayExist(ref)) {
                phases.remove(ref);
                transitions.cancel(ref);
                continue;
            }
            Optional<Sighting> s = sighting(ref);
            long seen = s.map(Sighting::lastSeenMillis).orElse(-1L);
            boolean silent = seen + offlineAfter < now;
            if (o.liveness() == Phase.Active && !o.disabled()) {
                shownActive++;
                if (seen + overdueAfter < now) {
                    overdue++; // missed two heartbeats: the outage detector's early sign
                }
            }
            if (o.liveness() == Phase.Active && silent && now >= graceUntil) {
                if (o.disabled()) {
                    trigger.fire(ref); // status shows Disabled either way: nothing to bound
                } else {
                    goingOffline.add(ref);
                }
            } else if (o.liveness() == Phase.Offline && !silent) {
                if (o.disabled()) {
                    trigger.fire(ref);
                } else {
                    comingBack.add(ref);
                }
            } else {
                transitions.cancel(ref);
                if (s.isPresent() && s.get().facts() != null && !s.get().facts().equals(o.seenFacts())
                        && now >= o.lastRefresh() + settings.statusRefresh().toMillis()) {
                    trigger.fire(ref);
                }
            }
        }
        transitions.assess(shownActive, overdue);
        for (ScannerRef ref : comingBack) {
            transitions.offer(ref, Phase.Active, now);
        }
        for (ScannerRef ref : goingOffline) {
            transitions.offer(ref, Phase.Offline, now);
        }
    }

    /**
     * Another replica published heartbeats: a scanner shown Offline that was heard from again is
     * looked at now rather than at the next sweep. Only Offline scanners are checked (few, usually none).
     */
    void reviveFromLedgers() {
        long now = clock.millis();
        long offlineAfter = settings.offlineAfter().toMillis();
        for (Map.Entry<ScannerRef, ScannerPhases.Observed> e : phases.entries()) {
            if (e.getValue().liveness() == Phase.Offline && board.lastSeen(e.getKey()) + offlineAfter >= now) {
                if (e.getValue().disabled()) {
                    trigger.fire(e.getKey());
                } else {
                    transitions.offer(e.getKey(), Phase.Active, now);
                }
            }
        }
    }

    /** Removes ledgers whose replica has not written for a long time (it is gone); only the leader does it. */
    private void collectAbandonedLedgers(long now) {
        if (phases.entries().isEmpty()) {
            return;
        }
        for (String name : board.abandoned(now, 2 * settings.retention().toMillis())) {
            try {
                client.configMaps().inNamespace(identity.namespace()).withName(name).delete();
                LOG.infof("Deleted abandoned heartbeat ledger %s/%s", identity.namespace(), name);
            } catch (KubernetesClientException ex) {
                LOG.debugf("Could not delete heartbeat ledger %s: HTTP %d", name, ex.getCode());
            }
        }
    }

    private void warn(long now, String message) {
        if (now - lastWarning > 60_000) {
            lastWarning = now;
            LOG.warn(message);
        }
    }
}
