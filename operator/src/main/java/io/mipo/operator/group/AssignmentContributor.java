package io.mipo.operator.group;

import io.mipo.operator.kube.Selectors;
import io.mipo.operator.model.Assignment;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerGroup;
import io.mipo.operator.model.ScannerGroupStatus;
import io.mipo.operator.model.ScannerStatus;
import io.mipo.operator.scanner.ScannerStatusContributor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Fills {@code Scanner.status.assignments}: one entry per target of every group that selects the
 * scanner, at its effective rate (docs/rate-limits.md). A disabled scanner gets none.
 *
 * <p>How other members follow a change: when a member is disabled, enabled or relabelled, the
 * group reconciler writes the group's new {@code enabledMembers}/{@code members}, and the Scanner
 * reconciler's group event source maps that group change to every member, which lands here.
 * The count of enabled members is read from {@link GroupCache}, which can trail the event that
 * triggered this pass by a moment; when the cached group's status does not yet agree with what
 * this pass computed, the scanner is looked at again shortly.
 */
@ApplicationScoped
public class AssignmentContributor implements ScannerStatusContributor {
    /** Order of the assignments part of Scanner status (after liveness, credentials and binding). */
    public static final int ORDER = ScannerStatusContributor.Order.ASSIGNMENTS;
    static final Duration SETTLE_RECHECK = Duration.ofSeconds(3);

    @Inject
    GroupCache cache;

    @Override
    public int order() {
        return ORDER;
    }

    @Override
    public Optional<Duration> contribute(Scanner scanner, ScannerStatus previous, ScannerStatus next, Instant now) {
        if (!GroupRates.enabled(scanner) || scanner.getMetadata().getDeletionTimestamp() != null) {
            next.setAssignments(null);
            return Optional.empty();
        }
        String ns = scanner.getMetadata().getNamespace();
        String self = scanner.getMetadata().getName();
        List<GroupRates.Share> shares = new ArrayList<>();
        boolean settled = true;
        for (ScannerGroup g : cache.groupsSelecting(ns, scanner.getMetadata().getLabels())) {
            // This scanner as handed in is fresher than the cache: count it from here, the others from the cache.
            boolean selfCounted = cache.scanner(ns, self)
                    .filter(c -> c.getMetadata().getDeletionTimestamp() == null && GroupRates.enabled(c))
                    .filter(c -> Selectors.matches(g.getSpec().getSelector(), c.getMetadata().getLabels()))
                    .isPresent();
            int enabled = cache.enabledMembers(g) - (selfCounted ? 1 : 0) + 1;
            shares.add(new GroupRates.Share(g, enabled));
            settled &= agrees(g, enabled, self);
        }
        List<Assignment> assignments = GroupRates.assignments(scanner, shares);
        next.setAssignments(assignments.isEmpty() ? null : assignments);
        return settled ? Optional.empty() : Optional.of(SETTLE_RECHECK);
    }

    /** Whether the group's own status (written by its reconciler) says the same as this pass. */
    private static boolean agrees(ScannerGroup g, int enabled, String self) {
        ScannerGroupStatus st = g.getStatus();
        return st != null
                && Objects.equals(st.getObservedGeneration(), g.getMetadata().getGeneration())
                && Objects.equals(st.getEnabledMembers(), enabled)
                && st.getMembers() != null && st.getMembers().contains(self);
    }
}
