package io.mipo.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.daemonSet) || (has(self.mode) && self.mode == 'DaemonSet')",
        message = "spec.deployment.daemonSet is only allowed with mode DaemonSet",
        reason = "FieldValueForbidden", fieldPath = ".daemonSet")
public class DeploymentSpec {
    @Default("External")
    @JsonPropertyDescription("External: installed on a host with the curl command. DaemonSet: the operator runs it in-cluster.")
    private DeploymentMode mode;

    @JsonPropertyDescription("Pod settings for DaemonSet mode.")
    private DaemonSetSpec daemonSet;

    public DeploymentMode getMode() {
        return mode;
    }

    public void setMode(DeploymentMode mode) {
        this.mode = mode;
    }

    public DaemonSetSpec getDaemonSet() {
        return daemonSet;
    }

    public void setDaemonSet(DaemonSetSpec daemonSet) {
        this.daemonSet = daemonSet;
    }
}
