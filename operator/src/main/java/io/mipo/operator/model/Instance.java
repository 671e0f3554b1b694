package io.mipo.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One agent pod of a DaemonSet scanner. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Instance {
    @JsonPropertyDescription("Node the agent pod runs on.")
    private String node;
    @JsonPropertyDescription("Name of the agent pod.")
    private String pod;
    @JsonPropertyDescription("Address the pod's agent connects from.")
    private String address;
    @JsonPropertyDescription("Last heartbeat of this pod's agent known to the operator (RFC 3339).")
    private String lastHeartbeatTime;
    @JsonPropertyDescription("This pod's liveness: Pending (not registered), Active or Offline.")
    private Phase phase;

    public String getNode() {
        return node;
    }

    public void setNode(String node) {
        this.node = node;
    }

    public String getPod() {
        return pod;
    }

    public void setPod(String pod) {
        this.pod = pod;
    }

    public String getAddress() {
        return address;
    }

    public void setAddress(String address) {
        this.address = address;
    }

    public String getLastHeartbeatTime() {
        return lastHeartbeatTime;
    }

    public void setLastHeartbeatTime(String lastHeartbeatTime) {
        this.lastHeartbeatTime = lastHeartbeatTime;
    }

    public Phase getPhase() {
        return phase;
    }

    public void setPhase(Phase phase) {
        this.phase = phase;
    }
}
