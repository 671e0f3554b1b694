package io.mipo.scanner.run;

import io.mipo.scanner.scan.ProbeState;
import java.time.Duration;
import java.util.Set;

/**
 * Tunables of {@code run}. The heartbeat interval is not here: the server sets it.
 *
 * @param scanPause pause between the end of a scan pass and the next
 * @param maxInFlight connects outstanding at once
 * @param probeTimeout per-probe connect timeout; no answer by then = filtered
 * @param reportStates which outcomes are posted (open only by default)
 * @param resultsBatchSize findings per POST to /scanner/results, 1 to {@link #MAX_RESULTS_BATCH}
 * @param resultsFlushInterval longest a finding waits before it is posted
 * @param maxBufferedFindings findings kept while the server is unreachable; the oldest go first
 * @param backoffInitial first retry delay after a failed call
 * @param backoffMax retry delay cap
 * @param internalIp reported internal address; null = detect
 */
public record AgentSettings(Duration scanPause, int maxInFlight, Duration probeTimeout, Set<ProbeState> reportStates,
        int resultsBatchSize, Duration resultsFlushInterval, int maxBufferedFindings, Duration backoffInitial,
        Duration backoffMax, String internalIp) {

    /**
     * The most findings one POST to /scanner/results may carry: the operator refuses larger
     * batches whole (413 BATCH_TOO_LARGE), so a larger batch would be lost, not merely slow.
     */
    public static final int MAX_RESULTS_BATCH = 1000;

    public AgentSettings {
        if (resultsBatchSize < 1 || resultsBatchSize > MAX_RESULTS_BATCH) {
            throw new IllegalArgumentException("resultsBatchSize must be 1 to " + MAX_RESULTS_BATCH + ", got "
                    + resultsBatchSize);
        }
    }

    public static AgentSettings defaults() {
        return new AgentSettings(Duration.ofSeconds(60), 256, Duration.ofSeconds(2), Set.of(ProbeState.OPEN), 500,
                Duration.ofSeconds(2), 100_000, Duration.ofSeconds(1), Duration.ofSeconds(60), null);
    }
}
