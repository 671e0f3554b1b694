package io.mipo.operator.liveness;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The latest heartbeat's volatile part — capabilities, host metrics, idle/scanning — kept in the
 * memory of the replica that received it and never written to the Kubernetes API.
 */
public record AgentReport(List<String> capabilities, AgentMetrics metrics, String state, Instant receivedAt) {

    /**
     * This report, holding the previous report's capability list and metrics where they are equal
     * and the state as one of its two constant texts. A heartbeat's report stays in memory until the
     * scanner's next one: kept as decoded, every heartbeat would leave a new copy of what mostly did
     * not change for the collector to carry, and at thousands of heartbeats a second those copies were
     * a large part of what each young collection had to move (docs/benchmarks.md, "Growth curve").
     */
    public AgentReport sharingWith(AgentReport previous) {
        String s = "idle".equals(state) ? "idle" : "scanning".equals(state) ? "scanning" : state;
        List<String> c = previous != null && Objects.equals(capabilities, previous.capabilities) ? previous.capabilities : capabilities;
        AgentMetrics m = previous != null && Objects.equals(metrics, previous.metrics) ? previous.metrics : metrics;
        return s == state && c == capabilities && m == metrics ? this : new AgentReport(c, m, s, receivedAt);
    }
}
