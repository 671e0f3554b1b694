package io.mipo.operator.distribution;

import io.fabric8.kubernetes.api.model.Condition;
import io.mipo.operator.kube.Conditions;
import io.mipo.operator.kube.Times;
import io.mipo.operator.model.AgentInfo;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerStatus;
import io.mipo.operator.scanner.ScannerStatusContributor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The agent's life on its host, in the Scanner status: an agent whose uninstaller told the operator
 * (annotation {@value #UNINSTALLED_AT}, set by {@code POST /scanner/uninstall}) shows Offline with
 * the Registered condition False, reason {@value #REASON_UNINSTALLED}, until it registers again; and
 * a registered agent older than the version this operator serves has the condition
 * {@value #AGENT_OUTDATED} True (False when current), which {@code kubectl get scanners -o wide}
 * shows as OUTDATED.
 */
@ApplicationScoped
public class AgentLifecycleStatusContributor implements ScannerStatusContributor {
    public static final String UNINSTALLED_AT = "mipo.io/uninstalled-at";
    public static final String REASON_UNINSTALLED = "Uninstalled";
    public static final String AGENT_OUTDATED = "AgentOutdated";
    /** An automatic upgrade of this scanner's agent: True while it upgrades, False (reason Failed) when it did not complete. */
    public static final String AUTO_UPGRADE = "AutoUpgrade";

    @Inject
    AgentVersionPolicy versions;

    @Override
    public int order() {
        return Order.AGENT_LIFECYCLE;
    }

    @Override
    public Optional<Duration> contribute(Scanner scanner, ScannerStatus previous, ScannerStatus next, Instant now) {
        Long generation = scanner.getMetadata().getGeneration();
        Instant uninstalledAt = uninstalledAt(scanner);
        if (uninstalledAt != null) {
            Instant registeredAt = Times.parse(next.getRegisteredAt());
            if (registeredAt == null || !registeredAt.isAfter(uninstalledAt)) {
                next.setPhase(Phase.Offline);
                next.getConditions().removeIf(c -> Conditions.REGISTERED.equals(c.getType()));
                next.getConditions().add(Conditions.of(Conditions.REGISTERED, false, REASON_UNINSTALLED,
                        "The agent was uninstalled from its host at " + Times.format(uninstalledAt)
                                + " and its API key revoked. Delete the scanner, or regenerate its token and install it again.",
                        generation));
                return Optional.empty();
            }
        }
        AgentInfo agent = next.getAgent();
        Optional<String> served = versions.servedVersion();
        if (agent != null && agent.getVersion() != null && served.isPresent()) {
            boolean outdated = versions.outdated(agent.getVersion());
            Condition c = Conditions.of(AGENT_OUTDATED, outdated, outdated ? "Outdated" : "Current", outdated
                    ? "The agent is version " + agent.getVersion() + "; this operator serves " + served.get()
                    + ". Upgrade it on its host: sudo /opt/mipo-scanner/bin/mipo-scanner upgrade"
                    : "The agent is version " + agent.getVersion() + "; this operator serves " + served.get() + ".",
                    generation);
            next.getConditions().add(c);
        }
        AutoUpgrades.mark(scanner).ifPresent(mark -> next.getConditions().add(mark.state() == AutoUpgradeRules.State.Upgrading
                ? Conditions.of(AUTO_UPGRADE, true, "Upgrading", "Upgrading automatically to agent " + mark.version() + " since "
                        + Times.format(mark.since()) + ": the agent was told to upgrade (mipo-scanner-upgrade.path on its host runs it)",
                        generation)
                : Conditions.of(AUTO_UPGRADE, false, "Failed", "The automatic upgrade to agent " + mark.version()
                        + " did not complete (no heartbeat with that version by " + Times.format(mark.since())
                        + "); not tried again for this version. See journalctl -u mipo-scanner-upgrade on the host; remove the"
                        + " annotation " + AutoUpgradeRules.ANNOTATION + " to try again", generation)));
        return Optional.empty();
    }

    static Instant uninstalledAt(Scanner scanner) {
        Map<String, String> a = scanner.getMetadata().getAnnotations();
        return a == null ? null : Times.parse(a.get(UNINSTALLED_AT));
    }

    /** For views: the AutoUpgrade condition's reason (Upgrading, Failed), or null without one. */
    public static String autoUpgrade(ScannerStatus status) {
        if (status == null || status.getConditions() == null) {
            return null;
        }
        return status.getConditions().stream().filter(c -> AUTO_UPGRADE.equals(c.getType())).map(Condition::getReason)
                .findFirst().orElse(null);
    }

    /** For views: whether the status says the agent is older than the served version. */
    public static boolean outdated(ScannerStatus status) {
        return status != null && Conditions.isTrue(status.getConditions(), AGENT_OUTDATED);
    }
}
