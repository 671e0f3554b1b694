package io.mipo.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What the agent reported about itself, and the address it connected from. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AgentInfo {
    @JsonPropertyDescription("Agent version the agent reported when it registered or last heartbeated.")
    private String version;
    @JsonPropertyDescription("Host name the agent reported.")
    private String hostname;
    @JsonPropertyDescription("Operating system the agent reported (e.g. linux).")
    private String os;
    @JsonPropertyDescription("CPU architecture the agent reported (e.g. amd64, arm64).")
    private String arch;
    @JsonPropertyDescription("Address the agent connected from, as the operator saw it (after trusted proxies).")
    private String sourceAddress;
    @JsonPropertyDescription("Address of the host's own network interface, as the agent reported it (may differ from sourceAddress behind NAT).")
    private String internalIp;

    public String getVersion() {
        return version;
    }

    public void setVersion(String version) {
        this.version = version;
    }

    public String getHostname() {
        return hostname;
    }

    public void setHostname(String hostname) {
        this.hostname = hostname;
    }

    public String getOs() {
        return os;
    }

    public void setOs(String os) {
        this.os = os;
    }

    public String getArch() {
        return arch;
    }

    public void setArch(String arch) {
        this.arch = arch;
    }

    public String getSourceAddress() {
        return sourceAddress;
    }

    public void setSourceAddress(String sourceAddress) {
        this.sourceAddress = sourceAddress;
    }

    public String getInternalIp() {
        return internalIp;
    }

    public void setInternalIp(String internalIp) {
        this.internalIp = internalIp;
    }
}
