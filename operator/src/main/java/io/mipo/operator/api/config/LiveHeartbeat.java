package io.mipo.operator.api.config;

import io.mipo.operator.kube.Times;
import io.mipo.operator.liveness.LivenessView;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerStatus;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

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
        return of(new Parsed(s), liveness);
    }

    /**
     * The same, with the scanner's timestamps parsed once per Scanner object rather than at every
     * rebuild of the facade's index (parsing them for every row was a fifth of the operator's CPU
     * while provisioning 3,000 scanners). Not thread-safe: one index rebuild at a time uses it.
     */
    static String of(Parsed p, LivenessView liveness) {
        ScannerStatus st = p.scanner.getStatus();
        if (liveness == null || st == null || st.getRegisteredAt() == null) {
            return st == null ? null : st.getLastHeartbeatTime();
        }
        return of(p, true, liveness.lastHeartbeat(p.scanner.getMetadata().getNamespace(), p.scanner.getMetadata().getName()).orElse(null));
    }

    /**
     * The same, with the latest heartbeat already looked up ({@code live}, null when none is known;
     * {@code known} false when there is no liveness view at all), so that a caller that also needs it
     * for the phase looks it up once.
     */
    static String of(Parsed p, boolean known, Instant live) {
        ScannerStatus st = p.scanner.getStatus();
        String shown = st == null ? null : st.getLastHeartbeatTime();
        if (!known || st == null || st.getRegisteredAt() == null) {
            return shown;
        }
        if (live == null || p.registeredAt == null || live.isBefore(p.registeredAt)) {
            return shown;
        }
        if (p.inStatus != null && !live.isAfter(p.inStatus)) {
            return shown;
        }
        if (!live.equals(p.lastLive)) {
            p.lastLive = live;
            p.lastLiveText = Times.format(live);
            p.lastLiveShown = live.truncatedTo(ChronoUnit.SECONDS); // what parsing that text gives
        }
        return p.lastLiveText;
    }

    /** One Scanner object's registration and status heartbeat times, parsed; the last live heartbeat formatted. */
    static final class Parsed {
        final Scanner scanner;
        final Instant registeredAt;
        final Instant inStatus;
        private Instant lastLive;
        private String lastLiveText;
        /** {@code lastLiveText} read back: the time to the second, as a row sorts by it. */
        private Instant lastLiveShown;

        Parsed(Scanner scanner) {
            this.scanner = scanner;
            ScannerStatus st = scanner.getStatus();
            this.registeredAt = st == null ? null : Times.parse(st.getRegisteredAt());
            this.inStatus = st == null ? null : Times.parse(st.getLastHeartbeatTime());
        }

        /**
         * The instant of a text {@link LiveHeartbeat#of} answered for this scanner, without parsing it
         * again (the facade's index made each heartbeat's row with two parses before): the same value
         * {@code Instant.parse} gives, null for null or an unreadable text.
         */
        Instant instantOf(String shown) {
            if (shown == null) {
                return null;
            }
            if (shown.equals(lastLiveText)) {
                return lastLiveShown;
            }
            ScannerStatus st = scanner.getStatus();
            if (st != null && shown.equals(st.getLastHeartbeatTime())) {
                return inStatus;
            }
            return Times.parse(shown);
        }
    }
}
