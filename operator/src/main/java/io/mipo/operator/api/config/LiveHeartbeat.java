package io.mipo.operator.api.config;

import io.mipo.operator.kube.Times;
import io.mipo.operator.liveness.LivenessView;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerStatus;

import java.time.Instant;

/**
 * The last heartbeat the facade shows ({@code lastHeartbeatAt}, the health page's {@code lastSeen}):
 * the later of {@code status.lastHeartbeatTime} — refreshed only now and then to keep API writes
 * low — and the latest heartbeat any replica took, from this replica's memory and every replica's
 * heartbeat ledger. A heartbeat older than the current registration (a scanner of the same name
 * deleted and created again, or re-provisioned) is not shown.
 */
final class LiveHeartbeat {
    private LiveHeartbeat() {
    }

    static String of(Scanner s, LivenessView liveness) {
        ScannerStatus st = s.getStatus();
        String shown = st == null ? null : st.getLastHeartbeatTime();
        if (liveness == null || st == null || st.getRegisteredAt() == null) {
            return shown;
        }
        Instant registeredAt = Times.parse(st.getRegisteredAt());
        Instant live = liveness.lastHeartbeat(s.getMetadata().getNamespace(), s.getMetadata().getName()).orElse(null);
        if (live == null || registeredAt == null || live.isBefore(registeredAt)) {
            return shown;
        }
        Instant inStatus = Times.parse(shown);
        return inStatus != null && !live.isAfter(inStatus) ? shown : Times.format(live);
    }
}
