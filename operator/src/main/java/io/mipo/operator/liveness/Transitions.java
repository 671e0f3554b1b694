package io.mipo.operator.liveness;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mipo.operator.config.MipoConfig;
import io.mipo.operator.core.ReconcileTrigger;
import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.kube.Labels;
import io.mipo.operator.kube.Times;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Phase changes of many scanners at once, bounded (docs/liveness.md, "Many scanners at once"): the
 * sweeper {@link #offer offers} them, the reconciler {@link #claim claims} them before writing, the
 * liveness thread {@link #tick drains} the queue at transition-rate and writes the summary Events of
 * {@link EventBatches}. Metrics: {@code mipo_liveness_transitions_pending{to}},
 * {@code mipo_liveness_transitions_written_total{to}}, {@code mipo_liveness_outage}.
 */
@ApplicationScoped
public class Transitions {
    private static final Logger LOG = Logger.getLogger(Transitions.class);
    /** The summary Events' reasons. */
    public static final String MANY_WENT_OFFLINE = "ScannersWentOffline";
    public static final String MANY_BACK_ONLINE = "ScannersBackOnline";

    @Inject
    MipoConfig config;

    @Inject
    ReconcileTrigger trigger;

    @Inject
    KubernetesClient client;

    @Inject
    MeterRegistry registry;

    Clock clock = Clock.systemUTC();

    private TransitionGate gate;
    private EventBatches batches;
    private Counter wentOffline;
    private Counter cameBack;
    private boolean outageLogged;

    @PostConstruct
    void init() {
        MipoConfig.Liveness c = config.liveness();
        // a grant waits for its reconciliation at most two offline-afters (at least a minute), then the sweeper offers it again
        long grantTtl = Math.max(60_000, 2 * c.offlineAfter().toMillis());
        gate = new TransitionGate(c.transitionRate(), c.transitionBurst(), c.outageThreshold(), c.outageOfflineRate(),
                grantTtl, clock.millis());
        batches = new EventBatches(c.eventBatchThreshold());
        for (Phase to : new Phase[]{Phase.Active, Phase.Offline}) {
            Gauge.builder("mipo.liveness.transitions.pending", gate, g -> g.pending(to))
                    .description("Phase changes waiting to be written to Scanner status (transition-rate)")
                    .tag("to", to.name()).register(registry);
        }
        wentOffline = written(Phase.Offline);
        cameBack = written(Phase.Active);
        Gauge.builder("mipo.liveness.outage", gate, g -> g.outage() ? 1 : 0)
                .description("1 while the leader holds that a fleet-wide outage slows Offline phase changes")
                .register(registry);
    }

    /** Creates the bean at start-up, so that its metrics are in the first scrape. */
    void onStart(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent event) {
        // @PostConstruct has registered them
    }

    private Counter written(Phase to) {
        return Counter.builder("mipo.liveness.transitions.written")
                .description("Phase changes written to Scanner status, by the phase changed to")
                .tag("to", to.name()).register(registry);
    }

    /** The sweeper (or a heartbeat) saw that the scanner's status should change to {@code to}. */
    public void offer(ScannerRef ref, Phase to, long now) {
        if (gate.offer(ref, to, now)) {
            trigger.fire(ref);
        }
    }

    /** Nothing to change for this scanner (any more). */
    public void cancel(ScannerRef ref) {
        gate.cancel(ref);
    }

    /**
     * The reconciler would change the scanner's phase to {@code to}: true when it may write it now;
     * false when the change waits in the queue (the scanner is reconciled again when its turn comes).
     */
    public boolean claim(ScannerRef ref, Phase to, long now) {
        if (!gate.claim(ref, to, now)) {
            return false;
        }
        (to == Phase.Offline ? wentOffline : cameBack).increment();
        return true;
    }

    /** The outage detector, once per sweep; see {@link TransitionGate#assess}. */
    public void assess(int shownActive, int overdue) {
        boolean outage = gate.assess(shownActive, overdue);
        if (outage != outageLogged) {
            outageLogged = outage;
            if (outage) {
                LOG.warnf("Liveness: %d of %d Active scanners missed their heartbeats at once: assuming a fault between the scanners and the operator "
                                + "(ingress, network); Offline is written at most %s a second, scanners coming back go first",
                        overdue, shownActive, config.liveness().outageOfflineRate());
            } else {
                LOG.infof("Liveness: no fleet-wide outage any more (%d of %d Active scanners missed their heartbeats)", overdue, shownActive);
            }
        }
    }

    /** Whether a written change to {@code to} gets its own Event (true), or is counted in a summary Event. */
    public boolean ownEvent(Scanner scanner, Phase to, long now) {
        return batches.record(new EventBatches.Key(scanner.getMetadata().getNamespace(), to),
                new EventBatches.First(scanner.getMetadata().getName(), scanner.getMetadata().getUid()),
                pending() > 0 || gate.outage(), now);
    }

    /** On the liveness thread: admits waiting changes as the rate allows, writes due summary Events. */
    public void tick(long now) {
        for (ScannerRef ref : gate.drain(now)) {
            trigger.fire(ref);
        }
        for (EventBatches.Summary s : batches.due(now)) {
            writeSummary(s);
        }
    }

    public int pending() {
        return gate.pending(Phase.Active) + gate.pending(Phase.Offline);
    }

    public boolean outage() {
        return gate.outage();
    }

    void writeSummary(EventBatches.Summary s) {
        String ns = s.key().namespace();
        boolean offline = s.key().to() == Phase.Offline;
        String reason = offline ? MANY_WENT_OFFLINE : MANY_BACK_ONLINE;
        String message = s.total() + " scanners in namespace " + ns + (offline ? " went Offline" : " came back online")
                + " from " + Times.format(Instant.ofEpochMilli(s.firstAt())) + " to " + Times.format(Instant.ofEpochMilli(s.lastAt()))
                + " (" + s.individual() + " with their own " + (offline ? "WentOffline" : "BackOnline") + " Event; this one first, latest "
                + s.latest() + "). Phase changes of many scanners are written at most " + fmt(config.liveness().transitionRate())
                + " a second, scanners coming back first.";
        Instant now = clock.instant();
        Event event = new EventBuilder()
                .withNewMetadata().withName(s.first().name() + "." + shortHash(s.first().uid() + "|" + reason + "|" + s.startedAt()))
                .withNamespace(ns).addToLabels(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(Scanner.GROUP + "/" + Scanner.VERSION).withKind("Scanner")
                        .withNamespace(ns).withName(s.first().name()).withUid(s.first().uid()).build())
                .withReason(reason)
                .withMessage(message)
                .withType(offline ? "Warning" : "Normal")
                .withCount(s.total())
                .withFirstTimestamp(Times.format(Instant.ofEpochMilli(s.firstAt())))
                .withLastTimestamp(Times.format(now))
                .withNewSource().withComponent(Labels.MANAGED_BY_VALUE).endSource()
                .withReportingComponent(Labels.MANAGED_BY_VALUE)
                .build();
        try {
            client.v1().events().inNamespace(ns).resource(event).createOr(NonDeletingOperation::update);
        } catch (KubernetesClientException e) {
            LOG.debugf("could not record event %s in namespace %s: HTTP %d", reason, ns, e.getCode());
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static String shortHash(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
