package io.mipo.operator.liveness;

import io.mipo.operator.credentials.CredentialIndex;
import io.mipo.operator.credentials.CredentialRecord;
import io.mipo.operator.credentials.RegisteredAgent;
import io.mipo.operator.core.ScannerEvents;
import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.kube.Conditions;
import io.mipo.operator.kube.StatusWriter;
import io.mipo.operator.kube.Times;
import io.mipo.operator.model.AgentInfo;
import io.mipo.operator.model.DeploymentMode;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerStatus;
import io.mipo.operator.scanner.ScannerStatusContributor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The liveness part of Scanner status: phase (Active/Offline once registered; the reconciler's
 * default is Pending and Disabled is applied after), {@code registeredAt}, {@code lastHeartbeatTime},
 * {@code agent}, and the Registered condition.
 *
 * <p>Write budget: a phase change (or a new registration) writes lastHeartbeatTime and agent;
 * otherwise they are kept as they are until a refresh is due — no sooner than status-refresh after
 * the last one, later when many scanners share the refresh budget — and the budget allows it. So an
 * unchanged scanner causes no status write however often it heartbeats.
 */
@ApplicationScoped
public class LivenessStatusContributor implements ScannerStatusContributor {

    @Inject
    Liveness liveness;

    @Inject
    CredentialIndex credentials;

    @Inject
    ScannerPhases phases;

    @Inject
    Leadership leadership;

    @Inject
    ScannerEvents events;

    @Inject
    Transitions transitions;

    @Override
    public int order() {
        return ScannerStatusContributor.Order.LIVENESS;
    }

    @Override
    public Optional<Duration> contribute(Scanner scanner, ScannerStatus previous, ScannerStatus next, Instant now) {
        ScannerRef ref = ScannerRef.of(scanner);
        boolean disabled = Boolean.TRUE.equals(scanner.getSpec().getDisabled());
        LivenessSettings settings = liveness.settings();
        Optional<CredentialRecord> registration = credentials.registration(ref);
        if (registration.isEmpty() || registration.get().registeredAt() == null) {
            next.setRegisteredAt(null);
            next.setLastHeartbeatTime(null);
            next.setAgent(null);
            next.getConditions().add(Conditions.of(Conditions.REGISTERED, false, "NotRegistered", notRegisteredMessage(scanner),
                    scanner.getMetadata().getGeneration()));
            phases.put(ref, new ScannerPhases.Observed(Phase.Pending, disabled, null, 0));
            return Optional.empty();
        }
        CredentialRecord reg = registration.get();
        Instant registeredAt = reg.registeredAt();
        Sighting sighting = liveness.sighting(ref).filter(s -> !s.lastSeen().isBefore(registeredAt)).orElse(null);
        Instant lastSeen = sighting == null ? registeredAt : sighting.lastSeen();

        Optional<ScannerPhases.Observed> observed = phases.get(ref);
        Phase shownBefore = observed.map(ScannerPhases.Observed::liveness)
                .orElse(previous.getPhase() == Phase.Offline ? Phase.Offline : Phase.Active);
        Instant graceUntil = leadership.graceUntil(now, settings.offlineAfter());
        LivenessRules.Verdict verdict = LivenessRules.phase(registeredAt, lastSeen, now, settings.offlineAfter(), graceUntil, shownBefore);

        String registeredAtText = Times.format(registeredAt);
        boolean newRegistration = !Objects.equals(previous.getRegisteredAt(), registeredAtText);
        // Active <-> Offline is written when Transitions admits it (at once unless many change together);
        // until then status keeps the phase it shows, and Transitions has this scanner reconciled again in its turn.
        boolean held = !disabled && !newRegistration && isLive(previous.getPhase()) && isLive(verdict.phase())
                && previous.getPhase() != verdict.phase() && !transitions.claim(ref, verdict.phase(), now.toEpochMilli());
        if (held) {
            verdict = new LivenessRules.Verdict(previous.getPhase(), Optional.empty());
        }
        Phase visible = LivenessRules.visible(verdict.phase(), disabled);
        boolean phaseChanged = previous.getPhase() != visible;
        AgentInfo agent = agentInfo(reg.agent(), sighting == null ? null : sighting.facts());

        long lastRefresh = observed.map(ScannerPhases.Observed::lastRefresh).orElse(0L);
        Optional<Duration> refreshRecheck = Optional.empty();
        if (held) {
            next.setLastHeartbeatTime(previous.getLastHeartbeatTime());
            next.setAgent(previous.getAgent());
        } else if (newRegistration || phaseChanged || previous.getLastHeartbeatTime() == null) {
            next.setLastHeartbeatTime(Times.format(lastSeen));
            next.setAgent(agent);
            lastRefresh = now.toEpochMilli();
        } else {
            Instant shown = Times.parse(previous.getLastHeartbeatTime());
            Instant since = shown == null ? Instant.EPOCH : shown;
            if (lastRefresh > since.toEpochMilli()) {
                since = Instant.ofEpochMilli(lastRefresh);
            }
            Instant heartbeatDue = since.plus(refreshPeriod(ref, settings));
            Instant agentDue = since.plus(settings.statusRefresh());
            boolean heartbeatStale = shown == null || lastSeen.minusSeconds(1).isAfter(shown);
            boolean agentChanged = !StatusWriter.sameJson(previous.getAgent(), agent);
            boolean due = (heartbeatStale && !now.isBefore(heartbeatDue)) || (agentChanged && !now.isBefore(agentDue));
            if (due && liveness.tryRefresh()) {
                next.setLastHeartbeatTime(Times.format(lastSeen));
                next.setAgent(agent);
                lastRefresh = now.toEpochMilli();
            } else {
                next.setLastHeartbeatTime(previous.getLastHeartbeatTime());
                next.setAgent(previous.getAgent());
                if (due) {
                    refreshRecheck = Optional.of(budgetRetry(settings));
                } else if (agentChanged) {
                    refreshRecheck = Optional.of(Duration.between(now, agentDue));
                } else if (heartbeatStale) {
                    refreshRecheck = Optional.of(Duration.between(now, heartbeatDue));
                }
            }
        }
        next.setRegisteredAt(registeredAtText);
        next.setPhase(verdict.phase());
        if (RegistrationProgress.incomplete(registeredAt, sighting, now, settings.offlineAfter(), graceUntil)) {
            next.getConditions().add(Conditions.of(Conditions.REGISTERED, false, RegistrationProgress.REASON,
                    RegistrationProgress.message(scanner.getMetadata().getName(), registeredAt), scanner.getMetadata().getGeneration()));
        } else {
            next.getConditions().add(Conditions.of(Conditions.REGISTERED, true, "Registered",
                    "The agent registered at " + registeredAtText + (reg.agent() != null && reg.agent().sourceAddress() != null
                            ? " from " + reg.agent().sourceAddress() : "") + ".",
                    scanner.getMetadata().getGeneration()));
        }

        if (newRegistration) {
            events.normal(scanner, ScannerEvents.REGISTERED, "The agent" + describe(reg.agent()) + " registered.", registeredAtText);
        }
        if (!disabled && !newRegistration && previous.getPhase() == Phase.Active && verdict.phase() == Phase.Offline
                && transitions.ownEvent(scanner, Phase.Offline, now.toEpochMilli())) {
            events.warning(scanner, ScannerEvents.WENT_OFFLINE, "No heartbeat since " + Times.format(lastSeen)
                    + " (offline after " + settings.offlineAfter().toSeconds() + "s). The agent may still be running.", Times.format(lastSeen));
        }
        if (!disabled && !newRegistration && previous.getPhase() == Phase.Offline && verdict.phase() == Phase.Active
                && transitions.ownEvent(scanner, Phase.Active, now.toEpochMilli())) {
            events.normal(scanner, ScannerEvents.BACK_ONLINE, "Heartbeats resumed at " + Times.format(lastSeen) + ".", Times.format(lastSeen));
        }
        phases.put(ref, new ScannerPhases.Observed(verdict.phase(), disabled, sighting == null ? null : sighting.facts(), lastRefresh));

        // Going silent is reported by the sweeper (Liveness#sweep), so an Active scanner needs no timer of its
        // own, except when the new leader's grace period holds it Active past its deadline.
        boolean heldByGrace = !held && verdict.phase() == Phase.Active && lastSeen.plus(settings.offlineAfter()).isBefore(now);
        Optional<Duration> phaseRecheck = heldByGrace ? Optional.of(Duration.between(now, graceUntil)) : Optional.empty();
        return earliest(phaseRecheck, refreshRecheck);
    }

    /**
     * When to try again after the refresh budget was spent: a random moment within the time the
     * budget needs to go round the whole fleet (at least half a minute). So the scanners waiting for
     * a refresh come back at about the rate the budget serves them, not all within half a minute:
     * with 10,000 scanners and a budget of 30 a minute, about one reconciliation a second instead of
     * hundreds, each of which would find the budget spent again.
     */
    Duration budgetRetry(LivenessSettings settings) {
        long fleetCycleMillis = credentials.registeredCount() * 60_000L / settings.statusRefreshBudget();
        return Duration.ofMillis(5_000 + ThreadLocalRandom.current().nextLong(Math.max(25_000L, fleetCycleMillis)));
    }

    /**
     * How long lastHeartbeatTime may stay unchanged: status-refresh, or longer when the refresh
     * budget could not otherwise cover every registered scanner, spread per scanner so that a fleet
     * registered at once does not come due at once.
     */
    Duration refreshPeriod(ScannerRef ref, LivenessSettings settings) {
        long perMinute = settings.statusRefreshBudget();
        Duration needed = Duration.ofMillis(credentials.registeredCount() * 60_000L / perMinute);
        Duration base = needed.compareTo(settings.statusRefresh()) > 0 ? needed : settings.statusRefresh();
        double spread = 1.0 + Math.floorMod(ref.hashCode(), 1000) / 1000.0;
        return Duration.ofMillis((long) (base.toMillis() * spread));
    }

    private static boolean isLive(Phase p) {
        return p == Phase.Active || p == Phase.Offline;
    }

    static AgentInfo agentInfo(RegisteredAgent registered, AgentFacts seen) {
        if (registered == null && seen == null) {
            return null;
        }
        AgentInfo a = new AgentInfo();
        if (registered != null) {
            a.setVersion(registered.version());
            a.setHostname(registered.hostname());
            a.setOs(registered.os());
            a.setArch(registered.arch());
            a.setInternalIp(registered.internalIp());
            a.setSourceAddress(registered.sourceAddress());
        }
        if (seen != null) {
            if (seen.version() != null) {
                a.setVersion(seen.version());
            }
            if (seen.hostname() != null) {
                a.setHostname(seen.hostname());
            }
            if (seen.internalIp() != null) {
                a.setInternalIp(seen.internalIp());
            }
            if (seen.sourceAddress() != null) {
                a.setSourceAddress(seen.sourceAddress());
            }
        }
        return a;
    }

    private static String describe(RegisteredAgent a) {
        if (a == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        if (a.version() != null) {
            sb.append(' ').append(a.version());
        }
        if (a.hostname() != null) {
            sb.append(" on ").append(a.hostname());
        }
        if (a.sourceAddress() != null) {
            sb.append(" from ").append(a.sourceAddress());
        }
        return sb.toString();
    }

    private static String notRegisteredMessage(Scanner scanner) {
        boolean daemonSet = scanner.getSpec().getDeployment() != null
                && scanner.getSpec().getDeployment().getMode() == DeploymentMode.DaemonSet;
        return daemonSet ? "No agent pod has registered yet."
                : "The agent has not registered yet; install it with the command in Secret "
                + scanner.getMetadata().getName() + "-provisioning (it works once, until the token expires).";
    }

    private static Optional<Duration> earliest(Optional<Duration> a, Optional<Duration> b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        return a.get().compareTo(b.get()) <= 0 ? a : b;
    }
}
