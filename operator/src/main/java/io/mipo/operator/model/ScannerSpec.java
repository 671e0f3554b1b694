package io.mipo.operator.model;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

@JsonClassDescription("The desired state of the scanner. Written with kubectl or GitOps, or by the mipo UI through the REST facade (see docs/gitops.md for the fields both may write).")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ScannerSpec {
    /** Same expression as {@link ValidationPatterns#DISPLAY_NAME}; annotations need a constant. */
    @Pattern(ValidationPatterns.DISPLAY_NAME)
    @Size(max = 63)
    @JsonPropertyDescription("Editable name shown in the UI: letters, digits and inner hyphens, unique per namespace (case-insensitive). Defaults to metadata.name.")
    private String displayName;

    @Size(max = ValidationPatterns.MAX_DESCRIPTION)
    @JsonPropertyDescription("Free text, at most 10,000 characters.")
    private String description;

    @Min(0)
    @Max(ValidationPatterns.MAX_RATE)
    @Default("0")
    @JsonPropertyDescription("Probe rate limit in probes per second, 0-100000; 0 means unlimited.")
    private Integer rateLimit;

    @Default("false")
    @JsonPropertyDescription("A disabled scanner keeps heartbeating but takes no new work.")
    private Boolean disabled;

    @JsonPropertyDescription("How the agent runs: installed on a host (External) or as a DaemonSet run by the operator.")
    private DeploymentSpec deployment;

    public String getDisplayName() {
        return displayName;
    }

    public void setDisplayName(String displayName) {
        this.displayName = displayName;
    }

    public String getDescription() {
        return description;
    }

    public void setDescription(String description) {
        this.description = description;
    }

    public Integer getRateLimit() {
        return rateLimit;
    }

    public void setRateLimit(Integer rateLimit) {
        this.rateLimit = rateLimit;
    }

    public Boolean getDisabled() {
        return disabled;
    }

    public void setDisabled(Boolean disabled) {
        this.disabled = disabled;
    }

    public DeploymentSpec getDeployment() {
        return deployment;
    }

    public void setDeployment(DeploymentSpec deployment) {
        this.deployment = deployment;
    }
}
