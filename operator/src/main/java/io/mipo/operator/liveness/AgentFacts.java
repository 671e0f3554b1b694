package io.mipo.operator.liveness;

import java.util.Objects;

/**
 * What an agent reports about itself on heartbeats and what the operator saw of it (the source
 * address): the part of an agent's report that is shown in {@code status.agent}. Heartbeats may
 * leave fields out; a missing field keeps the value known before.
 */
public record AgentFacts(String version, String hostname, String internalIp, String sourceAddress) {

    /** These facts updated by a heartbeat's fields (null = not reported, keep the old value). */
    public AgentFacts updatedWith(String version, String hostname, String internalIp, String sourceAddress) {
        String v = version != null ? version : this.version;
        String h = hostname != null ? hostname : this.hostname;
        String i = internalIp != null ? internalIp : this.internalIp;
        String s = sourceAddress != null ? sourceAddress : this.sourceAddress;
        if (Objects.equals(v, this.version) && Objects.equals(h, this.hostname)
                && Objects.equals(i, this.internalIp) && Objects.equals(s, this.sourceAddress)) {
            return this;
        }
        return new AgentFacts(v, h, i, s);
    }

    /** Whether every fact is known. */
    public boolean complete() {
        return version != null && hostname != null && internalIp != null && sourceAddress != null;
    }

    /** These facts with each missing one taken from {@code base} (this object when none is missing or base is null). */
    public AgentFacts filledFrom(AgentFacts base) {
        if (base == null || complete()) {
            return this;
        }
        AgentFacts filled = new AgentFacts(version != null ? version : base.version, hostname != null ? hostname : base.hostname,
                internalIp != null ? internalIp : base.internalIp, sourceAddress != null ? sourceAddress : base.sourceAddress);
        return filled.equals(this) ? this : filled;
    }

    public static AgentFacts of(String version, String hostname, String internalIp, String sourceAddress) {
        return new AgentFacts(version, hostname, internalIp, sourceAddress);
    }
}
