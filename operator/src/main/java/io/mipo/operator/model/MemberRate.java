package io.mipo.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class MemberRate {
    @JsonPropertyDescription("The member Scanner (metadata.name).")
    private String scanner;
    @JsonPropertyDescription("Probes per second this member may send to the target; 0 means unlimited. May be fractional.")
    private Double maxProbesPerSecond;
    @JsonPropertyDescription("Which limit won: scanner, subnet or portList; none when unlimited.")
    private String limitedBy;

    public String getScanner() {
        return scanner;
    }

    public void setScanner(String scanner) {
        this.scanner = scanner;
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
