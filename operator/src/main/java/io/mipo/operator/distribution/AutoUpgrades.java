package io.mipo.operator.distribution;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mipo.operator.config.MipoConfig;
import io.mipo.operator.core.FleetCache;
import io.mipo.operator.core.ReconcileTrigger;
import io.mipo.operator.core.ScannerEvents;
import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.distribution.AutoUpgradeRules.Change;
import io.mipo.operator.distribution.AutoUpgradeRules.Mark;
import io.mipo.operator.distribution.AutoUpgradeRules.Member;
import io.mipo.operator.distribution.AutoUpgradeRules.Plan;
import io.mipo.operator.liveness.AgentFacts;
import io.mipo.operator.liveness.Leadership;
import io.mipo.operator.liveness.LivenessView;
import io.mipo.operator.model.DeploymentMode;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Automatic, staged agent upgrades (docs/operations.md, "Automatic upgrades"; off unless
 * {@code mipo.agent.auto-upgrade.enabled}). Only the leader decides: every
 * {@code mipo.agent.auto-upgrade.interval} it applies {@link AutoUpgradeRules} to the fleet and writes
 * each scanner's turn as the annotation {@value AutoUpgradeRules#ANNOTATION} on the Scanner. Every
 * replica answers heartbeats from that annotation in its fleet cache ({@link #upgradeTo}), so the
 * decision holds across replicas, and a new leader continues from the marks (their times included)
 * without any state of its own. The agent, told {@code upgradeTo}, asks its host's root path unit
 * to run the upgrade; the leader sees the new version in the heartbeats (through the ledgers).
 */
@Startup
@ApplicationScoped
public class AutoUpgrades {
    private static final Logger LOG = Logger.getLogger(AutoUpgrades.class);
    public static final String METRIC_UPGRADES = "mipo.agent.auto.upgrades";
    public static final String METRIC_IN_PROGRESS = "mipo.agent.auto.upgrades.in.progress";
    public static final String METRIC_HALTED = "mipo.agent.auto.upgrades.halted";
    public static final String EVENT_STARTED = "AgentUpgradeStarted";
    public static final String EVENT_SUCCEEDED = "AgentUpgraded";
    public static final String EVENT_FAILED = "AgentUpgradeFailed";
    public static final String EVENT_HALTED = "AgentUpgradesHalted";
    /** How long an own write overrides a cache that has not shown it yet. */
    static final Duration OWN_WRITE_HORIZON = Duration.ofMinutes(1);

    @Inject
    MipoConfig config;

    @Inject
    FleetCache fleet;

    @Inject
    LivenessView liveness;

    @Inject
    Leadership leadership;

    @Inject
    AgentVersionPolicy versions;

    @Inject
    KubernetesClient client;

    @Inject
    ScannerEvents events;

    @Inject
    ReconcileTrigger trigger;

    @Inject
    MeterRegistry registry;

    Clock clock = Clock.systemUTC();

    private record Written(String value, Instant at) {
    }

    private final Map<ScannerRef, Written> written = new ConcurrentHashMap<>();
    private final Map<Change.Kind, Counter> counters = new HashMap<>();
    private volatile Plan last = Plan.IDLE;
    private volatile String haltedReported;
    private ScheduledExecutorService executor;

    @PostConstruct
    void start() {
        for (Change.Kind k : Change.Kind.values()) {
            counters.put(k, Counter.builder(METRIC_UPGRADES)
                    .description("Automatic agent upgrades decided by the leader: started (a scanner's turn), succeeded, failed (deadline passed)")
                    .tag("result", k.name().toLowerCase(java.util.Locale.ROOT)).register(registry));
        }
        Gauge.builder(METRIC_IN_PROGRESS, this, a -> a.last.upgrading())
                .description("Scanners upgrading automatically now, as the leader last decided (0 on other replicas)").register(registry);
        Gauge.builder(METRIC_HALTED, this, a -> a.last.halted() ? 1 : 0)
                .description("1 while the automatic rollout of the served agent version is halted by failures (leader only)").register(registry);
        MipoConfig.AutoUpgrade s = config.agent().autoUpgrade();
        if (!s.enabled()) {
            return;
        }
        if (s.maxPercent() < 1 || s.maxPercent() > 100 || s.maxFailures() < 0 || s.deadline().isNegative()
                || s.deadline().isZero() || s.interval().toMillis() < 100) {
            throw new IllegalStateException("mipo.agent.auto-upgrade: max-percent must be 1 to 100 (is " + s.maxPercent()
                    + "), max-failures 0 or more (is " + s.maxFailures() + "), deadline positive (is " + s.deadline()
                    + "), interval at least 100ms (is " + s.interval() + ")");
        }
        LOG.infof("Automatic agent upgrades are on: at most %d %% of the fleet at a time, deadline %s, halt after %d failures",
                s.maxPercent(), s.deadline(), s.maxFailures());
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mipo-auto-upgrades");
            t.setDaemon(true);
            return t;
        });
        long every = s.interval().toMillis();
        executor.scheduleWithFixedDelay(this::tickSafely, every, every, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    /**
     * What the heartbeat answer's {@code upgradeTo} says to this scanner's agent: the served version
     * while automatic upgrades are on, the scanner's mark says Upgrading and the agent reports an
     * older version; otherwise empty (the field is left out).
     */
    public Optional<String> upgradeTo(Scanner scanner, String reportedVersion) {
        if (!config.agent().autoUpgrade().enabled() || scanner == null || reportedVersion == null) {
            return Optional.empty();
        }
        Optional<Mark> mark = mark(scanner);
        if (mark.isEmpty() || mark.get().state() != AutoUpgradeRules.State.Upgrading) {
            return Optional.empty();
        }
        return versions.servedVersion().filter(served -> AgentVersionPolicy.older(reportedVersion, served));
    }

    /** The scanner's automatic-upgrade mark, if it has one. */
    public static Optional<Mark> mark(Scanner scanner) {
        Map<String, String> a = scanner.getMetadata().getAnnotations();
        return a == null ? Optional.empty() : Mark.parse(a.get(AutoUpgradeRules.ANNOTATION));
    }

    /** For tests: the clock deadlines are measured on (a method, so that it reaches the bean behind its proxy). */
    void useClock(Clock clock) {
        this.clock = clock;
    }

    /** The leader's last decision (for status and tests). */
    public Plan lastPlan() {
        return last;
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.warnf("Automatic agent upgrades: this round failed (%s); trying again in %s", e.toString(),
                    config.agent().autoUpgrade().interval());
        }
    }

    /** One round: on the leader, with the fleet cache in sync, decide and write the changes. */
    void tick() {
        if (!leadership.isLeader() || !fleet.scanners().hasSynced()) {
            last = Plan.IDLE;
            return;
        }
        Optional<String> served = versions.servedVersion();
        if (served.isEmpty()) {
            last = Plan.IDLE;
            return;
        }
        Instant now = clock.instant();
        Map<ScannerRef, Scanner> byRef = new HashMap<>();
        List<Member> members = new ArrayList<>();
        for (Scanner s : fleet.scanners().all()) {
            if (!external(s) || s.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            ScannerRef ref = new ScannerRef(s.getMetadata().getNamespace(), s.getMetadata().getName());
            String version = liveness.agent(ref.namespace(), ref.name()).map(AgentFacts::version)
                    .orElse(s.getStatus() == null || s.getStatus().getAgent() == null ? null : s.getStatus().getAgent().getVersion());
            if (version == null) {
                continue; // never registered: not part of the fleet yet
            }
            boolean active = s.getStatus() != null && s.getStatus().getPhase() == Phase.Active;
            showMark(ref, s);
            byRef.put(ref, s);
            members.add(new Member(ref, version, active, effectiveMark(ref, s, now)));
        }
        MipoConfig.AutoUpgrade c = config.agent().autoUpgrade();
        Plan plan = AutoUpgradeRules.plan(served.get(), members,
                new AutoUpgradeRules.Settings(c.enabled(), c.maxPercent(), c.deadline(), c.maxFailures()), now);
        Scanner lastFailed = null;
        for (Change change : plan.changes()) {
            Scanner s = byRef.get(change.ref());
            if (!write(change, s, now)) {
                continue;
            }
            counters.get(change.kind()).increment();
            switch (change.kind()) {
                case Started -> {
                    LOG.infof("Scanner %s: automatic upgrade to %s started (%d of at most %d upgrading)", change.ref(),
                            change.version(), plan.upgrading(), plan.slots());
                    events.emit(s, EVENT_STARTED, "Normal", "Automatic upgrade to agent " + change.version()
                            + " started: the agent is told to upgrade at its next heartbeat", change.version());
                }
                case Succeeded -> {
                    LOG.infof("Scanner %s: automatic upgrade to %s succeeded", change.ref(), change.version());
                    events.emit(s, EVENT_SUCCEEDED, "Normal", "The agent heartbeats as version " + change.version()
                            + " after its automatic upgrade", change.version());
                }
                case Failed -> {
                    lastFailed = s;
                    LOG.warnf("Scanner %s: automatic upgrade to %s failed: no heartbeat with that version within %s;"
                            + " not tried again for this version", change.ref(), change.version(), c.deadline());
                    events.emit(s, EVENT_FAILED, "Warning", "No heartbeat with agent version " + change.version() + " within "
                            + c.deadline() + " of the automatic upgrade's start (see journalctl -u mipo-scanner-upgrade on the host);"
                            + " not tried again for this version", change.version());
                }
            }
        }
        if (plan.halted() && !served.get().equals(haltedReported)) {
            haltedReported = served.get();
            LOG.warnf("Automatic upgrades to agent %s are halted: %d scanners failed to upgrade (mipo.agent.auto-upgrade.max-failures=%d)."
                    + " Remove the annotation %s from the failed Scanners to try again, or serve a newer agent",
                    served.get(), plan.failed(), c.maxFailures(), AutoUpgradeRules.ANNOTATION);
            if (lastFailed != null) {
                events.emit(lastFailed, EVENT_HALTED, "Warning", "Automatic upgrades to agent " + served.get() + " are halted: "
                        + plan.failed() + " scanners failed to upgrade", served.get());
            }
        } else if (!plan.halted()) {
            haltedReported = null;
        }
        last = plan;
    }

    static boolean external(Scanner s) {
        return s.getSpec() == null || s.getSpec().getDeployment() == null || s.getSpec().getDeployment().getMode() == null
                || s.getSpec().getDeployment().getMode() == DeploymentMode.External;
    }

    /**
     * Asks the reconciler to look again at a scanner whose AutoUpgrade condition does not show its
     * annotation yet. A mark changes metadata only (no new generation), and the reconciliation asked
     * for right after the write may still read the object from before it; so every round repeats the
     * request until the status agrees.
     */
    private void showMark(ScannerRef ref, Scanner s) {
        Map<String, String> a = s.getMetadata().getAnnotations();
        String shown = AgentLifecycleStatusContributor.autoUpgrade(s.getStatus());
        String marked = Mark.parse(a == null ? null : a.get(AutoUpgradeRules.ANNOTATION)).map(m -> m.state().name()).orElse(null);
        if (!Objects.equals(shown, marked)) {
            trigger.fire(ref);
        }
    }

    /** The cache's mark, unless this leader wrote another one that the cache has not shown yet. */
    private Mark effectiveMark(ScannerRef ref, Scanner s, Instant now) {
        Map<String, String> a = s.getMetadata().getAnnotations();
        String cached = a == null ? null : a.get(AutoUpgradeRules.ANNOTATION);
        Written w = written.get(ref);
        if (w != null) {
            if (Objects.equals(w.value(), cached) || now.isAfter(w.at().plus(OWN_WRITE_HORIZON))) {
                written.remove(ref);
            } else {
                return Mark.parse(w.value()).orElse(null);
            }
        }
        return Mark.parse(cached).orElse(null);
    }

    /** Sets or removes the mark (JSON merge patch of one annotation); false when the write failed. */
    private boolean write(Change change, Scanner s, Instant now) {
        String value = change.mark() == null ? null : change.mark().format();
        Map<String, Object> annotations = new HashMap<>();
        annotations.put(AutoUpgradeRules.ANNOTATION, value);
        try {
            client.resources(Scanner.class).inNamespace(change.ref().namespace()).withName(change.ref().name())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("metadata", Map.of("annotations", annotations))));
        } catch (KubernetesClientException e) {
            LOG.warnf("Scanner %s: cannot record the automatic upgrade (%s): %s", change.ref(), change.kind(), e.getMessage());
            return false;
        }
        written.put(change.ref(), new Written(value, now));
        trigger.fire(change.ref()); // annotations do not change the generation: reconcile for the status condition
        return true;
    }
}
