package io.mipo.operator.liveness;

import java.time.Instant;
import java.util.List;

/**
 * The latest heartbeat's volatile part — capabilities, host metrics, idle/scanning — kept in the
 * memory of the replica that received it and never written to the Kubernetes API.
 */
public record AgentReport(List<String> capabilities, AgentMetrics metrics, String state, Instant receivedAt) {
}
