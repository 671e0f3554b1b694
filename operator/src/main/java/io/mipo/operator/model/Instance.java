package io.mipo.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One agent pod of a DaemonSet scanner. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Instance {
    private String node;
    private String pod;
    private String address;
    private String lastHeartbeatTime;
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
