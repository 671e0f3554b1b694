package io.mipo.operator.api.agent;

import io.mipo.operator.api.agent.AgentWorkResource.WorkItem;
import io.mipo.operator.model.Assignment;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.scanner.DaemonSetWorkload;

import java.util.List;

/**
 * What one agent of a scanner is told to do: the scanner's {@code status.assignments}, with each
 * rate divided among the agents that run as that scanner.
 *
 * <p>An External scanner is one agent and gets its assignments as they are. A DaemonSet scanner is
 * one agent per pod, and every pod of its DaemonSet (each entry of {@code status.instances},
 * whatever its phase) gets an equal share of the scanner's rate for each target, so that the
 * probes of all its pods together stay within the scanner's effective rate (DESIGN §7): 12
 * probes/s over 3 pods is 4 each, 10 over 4 is 2.5. Like Offline group members, Offline and
 * not-yet-registered pods keep their share, since a silent pod may still be scanning and a new
 * one is about to start. The division is exact: a positive rate never becomes 0 = unlimited; an
 * unlimited rate stays unlimited.
 *
 * <p>{@link #version} hashes exactly what {@link #items} answers, so a change in the number of pods
 * moves the version heartbeats report and every pod fetches its new share.
 */
public final class AgentWork {

    private AgentWork() {
    }

    /** The number of agents sharing the scanner's rate: its pods in DaemonSet mode (at least 1), else 1. */
    public static int sharers(Scanner scanner) {
        if (scanner == null || scanner.getSpec() == null || !DaemonSetWorkload.isDaemonSetMode(scanner)
                || scanner.getStatus() == null || scanner.getStatus().getInstances() == null) {
            return 1;
        }
        return Math.max(1, scanner.getStatus().getInstances().size());
    }

    /** True when the scanner's agents must take no new work. */
    public static boolean disabled(Scanner scanner) {
        return scanner != null && scanner.getSpec() != null && Boolean.TRUE.equals(scanner.getSpec().getDisabled());
    }

    /** The assignments one agent of the scanner receives; empty when disabled or unknown. */
    public static List<WorkItem> items(Scanner scanner) {
        return items(scanner, scanner == null || scanner.getStatus() == null ? null : scanner.getStatus().getAssignments());
    }

    /** The same for the scanner's full assignment list (status may hold only part of it). */
    public static List<WorkItem> items(Scanner scanner, List<io.mipo.operator.model.Assignment> assignments) {
        if (scanner == null || disabled(scanner) || assignments == null) {
            return List.of();
        }
        int sharers = sharers(scanner);
        return assignments.stream().map(a -> item(a, sharers)).toList();
    }

    /** The version of {@link #items}: "0" when there is nothing to do. */
    public static String version(Scanner scanner) {
        return AssignmentsVersion.of(items(scanner));
    }

    /** The version of the full list. */
    public static String version(Scanner scanner, List<io.mipo.operator.model.Assignment> assignments) {
        return AssignmentsVersion.of(items(scanner, assignments));
    }

    static WorkItem item(Assignment a, int sharers) {
        double rate = a.getMaxProbesPerSecond() == null ? 0.0 : a.getMaxProbesPerSecond();
        return new WorkItem(a.getGroup(), a.getSubnet(), a.getPorts(), rate / sharers);
    }
}
