package io.mipo.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class MemberRate {
    private String scanner;
    private Double maxProbesPerSecond;
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
