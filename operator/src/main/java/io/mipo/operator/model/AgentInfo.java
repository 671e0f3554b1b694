package io.mipo.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/** What the agent reported about itself, and the address it connected from. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AgentInfo {
    private String version;
    private String hostname;
    private String os;
    private String arch;
    private String sourceAddress;
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
