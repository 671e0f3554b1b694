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

    public static AgentFacts of(String version, String hostname, String internalIp, String sourceAddress) {
        return new AgentFacts(version, hostname, internalIp, sourceAddress);
    }
}
