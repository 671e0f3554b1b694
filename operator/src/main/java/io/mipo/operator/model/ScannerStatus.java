package io.mipo.operator.model;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;

import java.util.ArrayList;
import java.util.List;

@JsonClassDescription("The observed state of the scanner, written only by the operator.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ScannerStatus {
    @JsonPropertyDescription("Pending, Active, Offline or Disabled.")
    private Phase phase;

    @JsonPropertyDescription("Valid, Registered, AgentConnected, Ready and Stalled, after Kubernetes API conventions. Ready means the operator has done its part (true while Pending, Offline or Disabled); AgentConnected is the agent's own state.")
    private List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("When the agent registered (RFC 3339).")
    private String registeredAt;

    @JsonPropertyDescription("Last heartbeat known to the operator; refreshed at most every mipo.liveness.status-refresh.")
    private String lastHeartbeatTime;

    @JsonPropertyDescription("Summary of the source-address binding in force, for kubectl get.")
    private String binding;

    @JsonPropertyDescription("What the agent reported about itself and the address it connected from; empty until it registers.")
    private AgentInfo agent;

    @JsonPropertyDescription("The provisioning token's lifecycle; never the token itself.")
    private TokenStatus token;

    @JsonPropertyDescription("The group targets this scanner scans, each with the probe rate it may use.")
    private List<Assignment> assignments;

    @JsonPropertyDescription("Assignments left out of status.assignments to keep the object small (mipo.limits.status-assignments and -bytes); agents get the full list from GET /scanner/assignments.")
    private Integer assignmentsOmitted;

    @JsonPropertyDescription("DaemonSet mode: one entry per agent pod.")
    private List<Instance> instances;

    @JsonPropertyDescription("The metadata.generation this status was computed for.")
    private Long observedGeneration;

    public Phase getPhase() {
        return phase;
    }

    public void setPhase(Phase phase) {
        this.phase = phase;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    public String getRegisteredAt() {
        return registeredAt;
    }

    public void setRegisteredAt(String registeredAt) {
        this.registeredAt = registeredAt;
    }

    public String getLastHeartbeatTime() {
        return lastHeartbeatTime;
    }

    public void setLastHeartbeatTime(String lastHeartbeatTime) {
        this.lastHeartbeatTime = lastHeartbeatTime;
    }

    public String getBinding() {
        return binding;
    }

    public void setBinding(String binding) {
        this.binding = binding;
    }

    public AgentInfo getAgent() {
        return agent;
    }

    public void setAgent(AgentInfo agent) {
        this.agent = agent;
    }

    public TokenStatus getToken() {
        return token;
    }

    public void setToken(TokenStatus token) {
        this.token = token;
    }

    public Integer getAssignmentsOmitted() {
        return assignmentsOmitted;
    }

    public void setAssignmentsOmitted(Integer assignmentsOmitted) {
        this.assignmentsOmitted = assignmentsOmitted;
    }

    public List<Assignment> getAssignments() {
        return assignments;
    }

    public void setAssignments(List<Assignment> assignments) {
        this.assignments = assignments;
    }

    public List<Instance> getInstances() {
        return instances;
    }

    public void setInstances(List<Instance> instances) {
        this.instances = instances;
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }
}
