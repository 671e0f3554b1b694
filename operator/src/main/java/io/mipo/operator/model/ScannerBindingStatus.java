package io.mipo.operator.model;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;

import java.util.ArrayList;
import java.util.List;

@JsonClassDescription("The value in force and the connections that did not match, written only by the operator.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ScannerBindingStatus {
    @JsonPropertyDescription("The value in force: spec.value, or the one learned on first use.")
    private String boundValue;

    @JsonPropertyDescription("When the value in force was learned from the scanner's address (trust on first use); empty for an explicit spec.value.")
    private String learnedAt;

    @JsonPropertyDescription("Connections from addresses that did not match since the binding was last released; refused under Enforce, accepted under Audit.")
    private Long mismatchCount;

    @JsonPropertyDescription("The most recent connection that did not match.")
    private Mismatch lastMismatch;

    @JsonPropertyDescription("The last 10 distinct addresses that did not match.")
    private List<String> recentMismatchAddresses;

    @JsonPropertyDescription("The address the scanner last connected from, matching or not.")
    private String lastSeenAddress;

    @JsonPropertyDescription("Valid, Ready, AsnDatabaseAvailable (mode asn) and Stalled (invalid spec), after Kubernetes API conventions.")
    private List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("The metadata.generation this status was computed for.")
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
