package io.mipo.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;

import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ScannerGroupStatus {
    private List<String> members;
    private Integer memberCount;
    private Integer enabledMembers;
    private Integer activeMembers;
    private List<TargetStatus> targets;
    private List<Condition> conditions = new ArrayList<>();
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
