package io.mipo.operator.liveness;

/** Host metrics an agent reports with its heartbeats; kept in memory only (docs/api.md#agent-ingest-api). */
public record AgentMetrics(Double loadAvg1m, Double loadAvg5m, Double loadAvg15m, Long memoryTotalBytes,
                           Long memoryAvailableBytes, Long networkRxBytes, Long networkTxBytes, Integer numCpus) {
}
