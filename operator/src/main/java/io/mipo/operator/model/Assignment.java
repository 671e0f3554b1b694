package io.mipo.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One group target this scanner scans, with the probe rate it may use (docs/rate-limits.md). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Assignment {
    private String group;
    private String subnet;
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
