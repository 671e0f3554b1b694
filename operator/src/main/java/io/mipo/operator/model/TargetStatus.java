package io.mipo.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.List;

/** A group target with the rate each member gets for it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TargetStatus {
    @JsonPropertyDescription("The target network (a CIDR), as in the spec.")
    private String subnet;
    @JsonPropertyDescription("The target's port list, as in the spec.")
    private String ports;

    @JsonPropertyDescription("The subnet limit divided by the enabled members; 0 = unlimited.")
    private Double perMemberRate;

    @JsonPropertyDescription("Each enabled member with its rate for this target.")
    private List<MemberRate> members;

    public String getSubnet() {
        return subnet;
    }

    public void setSubnet(String subnet) {
        this.subnet = subnet;
    }

    public String getPorts() {
        return ports;
    }

    public void setPorts(String ports) {
        this.ports = ports;
    }

    public Double getPerMemberRate() {
        return perMemberRate;
    }

    public void setPerMemberRate(Double perMemberRate) {
        this.perMemberRate = perMemberRate;
    }

    public List<MemberRate> getMembers() {
        return members;
    }

    public void setMembers(List<MemberRate> members) {
        this.members = members;
    }
}
