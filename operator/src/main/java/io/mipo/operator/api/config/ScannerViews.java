package io.mipo.operator.api.config;

import io.mipo.operator.binding.BindingService;
import io.mipo.operator.kube.Labels;
import io.mipo.operator.kube.Times;
import io.mipo.operator.model.AgentInfo;
import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.DeploymentMode;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.model.ScannerStatus;
import io.mipo.operator.scanner.DisplayNames;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Builds the UI's view of a Scanner from the resource, its binding and the groups that select it. */
final class ScannerViews {
    private ScannerViews() {
    }

    static ScannerView of(Scanner s, ScannerBinding binding, List<String> groups, Instant now, Duration offlineAfter) {
        return of(s, summary(binding), groups, now, offlineAfter);
    }

    static ScannerView of(Scanner s, ScannerView.BindingSummary binding, List<String> groups, Instant now, Duration offlineAfter) {
        return of(s, binding, groups, now, offlineAfter, s.getStatus() == null ? null : s.getStatus().getLastHeartbeatTime());
    }

    /** With the last heartbeat to show ({@link LiveHeartbeat}): fresher than the one in status. */
    static ScannerView of(Scanner s, ScannerBinding binding, List<String> groups, Instant now, Duration offlineAfter, String lastHeartbeatAt) {
        return of(s, summary(binding), groups, now, offlineAfter, lastHeartbeatAt);
    }

    static ScannerView of(Scanner s, ScannerView.BindingSummary binding, List<String> groups, Instant now, Duration offlineAfter,
                          String lastHeartbeatAt) {
        return of(s, binding, groups, now, offlineAfter, lastHeartbeatAt, null);
    }

    /** With the phase the heartbeats give now ({@code live}, null when unknown), which wins over an Active or Offline in status. */
    static ScannerView of(Scanner s, ScannerBinding binding, List<String> groups, Instant now, Duration offlineAfter,
                          String lastHeartbeatAt, Phase live) {
        return of(s, summary(binding), groups, now, offlineAfter, lastHeartbeatAt, live);
    }

    static ScannerView of(Scanner s, ScannerView.BindingSummary binding, List<String> groups, Instant now, Duration offlineAfter,
                          String lastHeartbeatAt, Phase live) {
        ScannerStatus st = s.getStatus();
        return new ScannerView(
                s.getMetadata().getName(),
                DisplayNames.effective(s),
                s.getSpec() == null || s.getSpec().getDescription() == null ? "" : s.getSpec().getDescription(),
                status(s, now, offlineAfter, live).name(),
                binding,
                createdBy(s),
                rateLimit(s),
                s.getMetadata().getCreationTimestamp(),
                lastHeartbeatAt,
                agent(st == null ? null : st.getAgent(), io.mipo.operator.distribution.AgentLifecycleStatusContributor.outdated(st),
                        io.mipo.operator.distribution.AgentLifecycleStatusContributor.autoUpgrade(st)),
                groups,
                deploymentMode(s).name(),
                st == null || st.getAssignments() == null ? List.of() : st.getAssignments().stream()
                        .map(a -> new ScannerView.AssignmentView(a.getGroup(), a.getSubnet(), a.getPorts(),
                                a.getMaxProbesPerSecond() == null ? 0 : a.getMaxProbesPerSecond(), a.getLimitedBy()))
                        .toList());
    }

    static String createdBy(Scanner s) {
        Map<String, String> a = s.getMetadata().getAnnotations();
        return a == null ? null : a.get(Labels.CREATED_BY);
    }

    static int rateLimit(Scanner s) {
        return s.getSpec() == null || s.getSpec().getRateLimit() == null ? 0 : s.getSpec().getRateLimit();
    }

    static DeploymentMode deploymentMode(Scanner s) {
        return s.getSpec() == null || s.getSpec().getDeployment() == null || s.getSpec().getDeployment().getMode() == null
                ? DeploymentMode.External : s.getSpec().getDeployment().getMode();
    }

    /**
     * The phase the reconciler reports, except right after the facade changed {@code disabled}
     * and before the reconciler caught up: the answer to "disable" must already say Disabled,
     * and to "enable" must not still say so (docs/liveness.md decides from the spec and heartbeats).
     */
    static Phase status(Scanner s, Instant now, Duration offlineAfter) {
        return status(s, now, offlineAfter, null);
    }

    /**
     * As above; {@code live} is the phase the heartbeats give now (liveness' view, in memory). It
     * replaces an Active or Offline in status: when many scanners change at once, status follows at
     * a bounded rate (docs/liveness.md, "Many scanners at once"), and the UI shows the truth meanwhile.
     */
    static Phase status(Scanner s, Instant now, Duration offlineAfter, Phase live) {
        boolean disabled = s.getSpec() != null && Boolean.TRUE.equals(s.getSpec().getDisabled());
        if (disabled) {
            return Phase.Disabled;
        }
        ScannerStatus st = s.getStatus();
        Phase reported = st == null ? null : st.getPhase();
        if (live != null && (reported == Phase.Active || reported == Phase.Offline) && (live == Phase.Active || live == Phase.Offline)) {
            return live;
        }
        if (reported != null && reported != Phase.Disabled) {
            return reported;
        }
        if (st == null || st.getRegisteredAt() == null) {
            return Phase.Pending;
        }
        Instant last = Times.parse(st.getLastHeartbeatTime());
        return last != null && !last.plus(offlineAfter).isBefore(now) ? Phase.Active : Phase.Offline;
    }

    static ScannerView.AgentView agent(AgentInfo a, boolean outdated, String autoUpgrade) {
        return a == null ? null : new ScannerView.AgentView(a.getVersion(), a.getHostname(), a.getOs(), a.getArch(), a.getSourceAddress(),
                outdated, autoUpgrade);
    }

    static ScannerView.BindingSummary summary(ScannerBinding b) {
        if (b == null || b.getMetadata().getDeletionTimestamp() != null || b.getSpec() == null) {
            return ScannerView.BindingSummary.NONE;
        }
        BindingMode mode = b.getSpec().getMode() == null ? BindingMode.none : b.getSpec().getMode();
        String value = b.getStatus() != null && b.getStatus().getBoundValue() != null && !b.getStatus().getBoundValue().isEmpty()
                ? b.getStatus().getBoundValue()
                : emptyToNull(b.getSpec().getValue());
        String enforcement = b.getSpec().getEnforcement() == null ? "Enforce" : b.getSpec().getEnforcement().name();
        long mismatches = b.getStatus() == null || b.getStatus().getMismatchCount() == null ? 0 : b.getStatus().getMismatchCount();
        return new ScannerView.BindingSummary(mode.name(), value, enforcement, mismatches);
    }

    static ScannerView.BindingSummary summary(BindingService.BindingDetails d) {
        if (d == null || d.mode() == null) {
            return ScannerView.BindingSummary.NONE;
        }
        String value = d.boundValue() != null && !d.boundValue().isEmpty() ? d.boundValue() : emptyToNull(d.value());
        return new ScannerView.BindingSummary(d.mode(), value, d.enforcement(), d.mismatchCount());
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
