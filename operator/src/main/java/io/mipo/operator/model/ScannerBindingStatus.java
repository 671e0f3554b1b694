package io.mipo.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;

import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ScannerBindingStatus {
    @JsonPropertyDescription("The value in force: spec.value, or the one learned on first use.")
    private String boundValue;

    private String learnedAt;

    private Long mismatchCount;

    private Mismatch lastMismatch;

    @JsonPropertyDescription("The last 10 distinct addresses that did not match.")
    private List<String> recentMismatchAddresses;

    private String lastSeenAddress;

    private List<Condition> conditions = new ArrayList<>();

    private Long observedGeneration;

    public String getBoundValue() {
        return boundValue;
    }

    public void setBoundValue(String boundValue) {
        this.boundValue = boundValue;
    }

    public String getLearnedAt() {
        return learnedAt;
    }

    public void setLearnedAt(String learnedAt) {
        this.learnedAt = learnedAt;
    }

    public Long getMismatchCount() {
        return mismatchCount;
    }

    public void setMismatchCount(Long mismatchCount) {
        this.mismatchCount = mismatchCount;
    }

    public Mismatch getLastMismatch() {
        return lastMismatch;
    }

    public void setLastMismatch(Mismatch lastMismatch) {
        this.lastMismatch = lastMismatch;
    }

    public List<String> getRecentMismatchAddresses() {
        return recentMismatchAddresses;
    }

    public void setRecentMismatchAddresses(List<String> recentMismatchAddresses) {
        this.recentMismatchAddresses = recentMismatchAddresses;
    }

    public String getLastSeenAddress() {
        return lastSeenAddress;
    }

    public void setLastSeenAddress(String lastSeenAddress) {
        this.lastSeenAddress = lastSeenAddress;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }
}
