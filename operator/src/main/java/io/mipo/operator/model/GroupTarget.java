package io.mipo.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class GroupTarget {
    @Required
    @Size(max = 64)
    @Pattern(ValidationPatterns.SUBNET)
    @JsonPropertyDescription("The target network as a CIDR (IPv4 or IPv6).")
    private String subnet;

    @Min(0)
    @Max(ValidationPatterns.MAX_RATE)
    @Default("0")
    @JsonPropertyDescription("Probes/s for this subnet, shared among the group's enabled members; 0 = unlimited.")
    private Integer rateLimit;

    @Size(max = 4096)
    @Pattern(ValidationPatterns.PORTS)
    @JsonPropertyDescription("Ports such as 22,80,443,8000-8100.")
    private String ports;

    @Min(0)
    @Max(ValidationPatterns.MAX_RATE)
    @Default("0")
    @JsonPropertyDescription("Probes/s limit of the port list for each member; 0 = unlimited.")
    private Integer portListRateLimit;

    public String getSubnet() {
        return subnet;
    }

    public void setSubnet(String subnet) {
        this.subnet = subnet;
    }

    public Integer getRateLimit() {
        return rateLimit;
    }

    public void setRateLimit(Integer rateLimit) {
        this.rateLimit = rateLimit;
    }

    public String getPorts() {
        return ports;
    }

    public void setPorts(String ports) {
        this.ports = ports;
    }

    public Integer getPortListRateLimit() {
        return portListRateLimit;
    }

    public void setPortListRateLimit(Integer portListRateLimit) {
        this.portListRateLimit = portListRateLimit;
    }
}
