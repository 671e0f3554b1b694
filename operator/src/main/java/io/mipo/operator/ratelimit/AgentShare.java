package io.mipo.operator.ratelimit;

import io.mipo.operator.model.DeploymentMode;
import io.mipo.operator.model.Scanner;

/**
 * How a scanner's effective rate ({@link EffectiveRate}) is divided among the agents that run as
 * that scanner (docs/rate-limits.md).
 *
 * <p>An External scanner is one agent and keeps its rate. A DaemonSet scanner is one agent per
 * pod, and every pod of its DaemonSet (each entry of {@code status.instances}, whatever its phase)
 * gets an equal share of the scanner's rate for each target, so that the probes of all its pods
 * together stay within the scanner's effective rate: 12 probes/s over 3 pods is 4 each, 10 over 4
 * is 2.5. Like Offline group members, Offline and not-yet-registered pods keep their share, since a
 * silent pod may still be scanning and a new one is about to start. The division is exact: a
 * positive rate never becomes 0 = unlimited; an unlimited rate stays unlimited.
 */
public final class AgentShare {

    private AgentShare() {
    }

    /** The number of agents sharing the scanner's rate: its pods in DaemonSet mode (at least 1), else 1. */
    public static int sharers(Scanner scanner) {
        if (scanner == null || scanner.getSpec() == null || scanner.getSpec().getDeployment() == null
                || scanner.getSpec().getDeployment().getMode() != DeploymentMode.DaemonSet
                || scanner.getStatus() == null || scanner.getStatus().getInstances() == null) {
            return 1;
        }
        return Math.max(1, scanner.getStatus().getInstances().size());
    }

    /** One agent's share of a rate (probes per second, 0 = unlimited) split among {@code sharers} agents. */
    public static double perAgent(double maxProbesPerSecond, int sharers) {
        return maxProbesPerSecond / Math.max(1, sharers);
    }
}
