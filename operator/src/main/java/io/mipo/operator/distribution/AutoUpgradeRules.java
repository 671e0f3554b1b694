package io.mipo.operator.distribution;

import io.mipo.operator.core.ScannerRef;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The staging rule of automatic agent upgrades (docs/operations.md, "Automatic upgrades"), pure:
 * given the served version, the fleet and each scanner's mark, what to change now.
 *
 * <ul>
 *   <li><b>Slots</b>: at most {@code ceil(maxPercent % of the fleet)} scanners, at least one, are
 *       upgrading at once. The fleet is every External scanner with a registered agent (Active or not).</li>
 *   <li><b>Done</b>: an upgrading scanner whose agent reports the version it was sent to (or newer)
 *       has succeeded; its mark is removed and its slot freed.</li>
 *   <li><b>Failed</b>: an upgrading scanner that has not reported that version {@code deadline} after
 *       its turn began has failed (the agent rolled back, never got the signal, or is gone); its slot
 *       is freed and it is not chosen again for that version (a newer served version tries again).</li>
 *   <li><b>Halt</b>: when {@code maxFailures} scanners (0: never) have failed to upgrade to the served
 *       version, no new scanner is chosen for it; scanners already upgrading finish or fail.</li>
 *   <li><b>Who next</b>: Active scanners whose agent is older than the served version and that have
 *       no mark for it, in namespace/name order.</li>
 * </ul>
 */
public final class AutoUpgradeRules {
    /** The annotation that carries a scanner's mark: {@code <state> <version> <since, RFC 3339>}. */
    public static final String ANNOTATION = "mipo.io/agent-upgrade";

    private AutoUpgradeRules() {
    }

    public enum State {
        Upgrading, Failed
    }

    /** A scanner's mark: upgrading to {@code version} since {@code since}, or failed to reach it at {@code since}. */
    public record Mark(State state, String version, Instant since) {
        public String format() {
            return state + " " + version + " " + since;
        }

        /** The annotation's value parsed; empty when absent or not ours (a hand-written value is ignored). */
        public static Optional<Mark> parse(String value) {
            if (value == null) {
                return Optional.empty();
            }
            String[] p = value.trim().split("\\s+");
            if (p.length != 3) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Mark(State.valueOf(p[0]), p[1], Instant.parse(p[2])));
            } catch (IllegalArgumentException | DateTimeParseException e) {
                return Optional.empty();
            }
        }
    }

    /**
     * One scanner of the fleet.
     *
     * @param agentVersion the version its agent last reported (null: unknown)
     * @param active its phase is Active (only Active scanners are chosen)
     * @param mark its current mark, if any
     */
    public record Member(ScannerRef ref, String agentVersion, boolean active, Mark mark) {
    }

    public record Settings(boolean enabled, int maxPercent, Duration deadline, int maxFailures) {
    }

    /** A change to make: set the scanner's mark to {@code mark}, or remove it when {@code mark} is null. */
    public record Change(ScannerRef ref, Kind kind, Mark mark, String version) {
        public enum Kind {
            /** its turn: heartbeat answers tell it to upgrade */
            Started,
            /** it reports the version it was sent to: mark removed */
            Succeeded,
            /** the deadline passed without that version: marked Failed */
            Failed
        }
    }

    /**
     * @param slots how many may upgrade at once
     * @param upgrading how many are upgrading after the changes
     * @param failed how many failed to upgrade to the served version (after the changes)
     * @param halted whether the rollout of the served version is halted
     */
    public record Plan(List<Change> changes, int slots, int upgrading, int failed, boolean halted) {
        public static final Plan IDLE = new Plan(List.of(), 0, 0, 0, false);
    }

    public static int slots(int fleet, int maxPercent) {
        int percent = Math.max(1, Math.min(100, maxPercent));
        return Math.max(1, (int) Math.ceil(fleet * percent / 100.0));
    }

    public static Plan plan(String served, List<Member> fleet, Settings settings, Instant now) {
        if (!settings.enabled() || served == null || served.isBlank()) {
            return Plan.IDLE;
        }
        List<Member> members = new ArrayList<>(fleet);
        members.sort(Comparator.comparing((Member m) -> m.ref().namespace()).thenComparing(m -> m.ref().name()));
        int slots = slots(members.size(), settings.maxPercent());
        List<Change> changes = new ArrayList<>();
        int upgrading = 0;
        int failed = 0;
        for (Member m : members) {
            Mark mark = m.mark();
            if (mark == null) {
                continue;
            }
            if (mark.state() == State.Upgrading) {
                if (m.agentVersion() != null && !AgentVersionPolicy.older(m.agentVersion(), mark.version())
                        && AgentVersionPolicy.numbers(m.agentVersion()) != null) {
                    changes.add(new Change(m.ref(), Change.Kind.Succeeded, null, mark.version()));
                } else if (!now.isBefore(mark.since().plus(settings.deadline()))) {
                    Mark f = new Mark(State.Failed, mark.version(), now);
                    changes.add(new Change(m.ref(), Change.Kind.Failed, f, mark.version()));
                    if (mark.version().equals(served)) {
                        failed++;
                    }
                } else {
                    upgrading++;
                }
            } else if (mark.state() == State.Failed && mark.version().equals(served)) {
                failed++;
            }
        }
        boolean halted = settings.maxFailures() > 0 && failed >= settings.maxFailures();
        if (!halted) {
            for (Member m : members) {
                if (upgrading >= slots) {
                    break;
                }
                Mark mark = m.mark();
                boolean markedForServed = mark != null && (mark.state() == State.Upgrading || mark.version().equals(served));
                if (!m.active() || markedForServed || m.agentVersion() == null
                        || !AgentVersionPolicy.older(m.agentVersion(), served)) {
                    continue;
                }
                changes.add(new Change(m.ref(), Change.Kind.Started, new Mark(State.Upgrading, served, now), served));
                upgrading++;
            }
        }
        return new Plan(List.copyOf(changes), slots, upgrading, failed, halted);
    }
}
