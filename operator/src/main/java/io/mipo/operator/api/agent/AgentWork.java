package io.mipo.operator.api.agent;

import io.mipo.operator.api.agent.AgentWorkResource.WorkItem;
import io.mipo.operator.model.Assignment;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.ratelimit.AgentShare;

import java.util.List;

/**
 * What one agent of a scanner is told to do: the scanner's {@code status.assignments}, with each
 * rate divided among the agents that run as that scanner ({@link AgentShare}: one agent per pod
 * of a DaemonSet scanner, each with an equal share).
 *
 * <p>{@link #version} hashes exactly what {@link #items} answers, so a change in the number of pods
 * moves the version heartbeats report and every pod fetches its new share.
 */
public final class AgentWork {

    private AgentWork() {
    }

    /** The number of agents sharing the scanner's rate: its pods in DaemonSet mode (at least 1), else 1. */
    public static int sharers(Scanner scanner) {
        return AgentShare.sharers(scanner);
    }

    /** True when the scanner's agents must take no new work. */
    public static boolean disabled(Scanner scanner) {
        return scanner != null && scanner.getSpec() != null && Boolean.TRUE.equals(scanner.getSpec().getDisabled());
    }

    /** The assignments one agent of the scanner receives; empty when disabled or unknown. */
    public static List<WorkItem> items(Scanner scanner) {
        if (scanner == null || disabled(scanner) || scanner.getStatus() == null || scanner.getStatus().getAssignments() == null) {
            return List.of();
        }
        int sharers = sharers(scanner);
        return scanner.getStatus().getAssignments().stream().map(a -> item(a, sharers)).toList();
    }

    /** The version of {@link #items}: "0" when there is nothing to do. */
    public static String version(Scanner scanner) {
        return AssignmentsVersion.of(items(scanner));
    }

    static WorkItem item(Assignment a, int sharers) {
        double rate = a.getMaxProbesPerSecond() == null ? 0.0 : a.getMaxProbesPerSecond();
        return new WorkItem(a.getGroup(), a.getSubnet(), a.getPorts(), AgentShare.perAgent(rate, sharers));
    }
}
