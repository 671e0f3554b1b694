package io.mipo.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One group target this scanner scans, with the probe rate it may use (docs/rate-limits.md). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Assignment {
    @JsonPropertyDescription("The ScannerGroup (metadata.name) this work comes from.")
    private String group;
    @JsonPropertyDescription("Target network to scan, as a CIDR.")
    private String subnet;
    @JsonPropertyDescription("Ports to probe, such as 22,80,443,8000-8100; empty means the agent's default ports.")
    private String ports;

    @JsonPropertyDescription("Probes per second; 0 means unlimited. May be fractional.")
    private Double maxProbesPerSecond;

    @JsonPropertyDescription("Which limit won: scanner, subnet or portList; none when unlimited.")
    private String limitedBy;

    public String getGroup() {
        return group;
    }

    public void setGroup(String group) {
        this.group = group;
    }

    public String getSubnet() {
        return subnet;
    }

    public void setSubnet(String subnet) {
        this.subnet = subnet;
    }

    public String getPorts() {
        return ports;
    }

    public void setPorts(String ports) {
        this.ports = ports;
    }

    public Double getMaxProbesPerSecond() {
        return maxProbesPerSecond;
    }

    public void setMaxProbesPerSecond(Double maxProbesPerSecond) {
        this.maxProbesPerSecond = maxProbesPerSecond;
    }

    public String getLimitedBy() {
        return limitedBy;
    }

    public void setLimitedBy(String limitedBy) {
        this.limitedBy = limitedBy;
    }
}
