package io.mipo.operator.model;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;

import java.util.ArrayList;
import java.util.List;

@JsonClassDescription("The members and the rate each gets per target, written only by the operator.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ScannerGroupStatus {
    @JsonPropertyDescription("Names of the member Scanners, sorted.")
    private List<String> members;
    @JsonPropertyDescription("How many Scanners the selector matches.")
    private Integer memberCount;
    @JsonPropertyDescription("Members that are not disabled; a target's subnet rate limit is divided among them.")
    private Integer enabledMembers;
    @JsonPropertyDescription("Members whose agent is heartbeating (phase Active).")
    private Integer activeMembers;
    @JsonPropertyDescription("Each target of the spec with the rate each member gets for it.")
    private List<TargetStatus> targets;
    @JsonPropertyDescription("Valid, Ready and Stalled (invalid spec), after Kubernetes API conventions.")
    private List<Condition> conditions = new ArrayList<>();
    @JsonPropertyDescription("The metadata.generation this status was computed for.")
    private Long observedGeneration;

    public List<String> getMembers() {
        return members;
    }

    public void setMembers(List<String> members) {
        this.members = members;
    }

    public Integer getMemberCount() {
        return memberCount;
    }

    public void setMemberCount(Integer memberCount) {
        this.memberCount = memberCount;
    }

    public Integer getEnabledMembers() {
        return enabledMembers;
    }

    public void setEnabledMembers(Integer enabledMembers) {
        this.enabledMembers = enabledMembers;
    }

    public Integer getActiveMembers() {
        return activeMembers;
    }

    public void setActiveMembers(Integer activeMembers) {
        this.activeMembers = activeMembers;
    }

    public List<TargetStatus> getTargets() {
        return targets;
    }

    public void setTargets(List<TargetStatus> targets) {
        this.targets = targets;
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
