package io.mipo.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;

import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class DaemonSetSpec {
    @JsonPropertyDescription("Nodes the agent pods may run on.")
    private Map<String, String> nodeSelector;

    @JsonPropertyDescription("Taints of nodes the agent pods tolerate, as in a pod spec.")
    private List<Toleration> tolerations;

    @JsonPropertyDescription("CPU and memory requests and limits of each agent pod.")
    private ResourceRequirements resources;

    @JsonPropertyDescription("Run the agent in the node's network namespace, so probes leave from the node's address.")
    private Boolean hostNetwork;

    @Size(max = 512)
    @JsonPropertyDescription("Agent image; defaults to the operator's configured scanner image.")
    private String image;

    public Map<String, String> getNodeSelector() {
        return nodeSelector;
    }

    public void setNodeSelector(Map<String, String> nodeSelector) {
        this.nodeSelector = nodeSelector;
    }

    public List<Toleration> getTolerations() {
        return tolerations;
    }

    public void setTolerations(List<Toleration> tolerations) {
        this.tolerations = tolerations;
    }

    public ResourceRequirements getResources() {
        return resources;
    }

    public void setResources(ResourceRequirements resources) {
        this.resources = resources;
    }

    public Boolean getHostNetwork() {
        return hostNetwork;
    }

    public void setHostNetwork(Boolean hostNetwork) {
        this.hostNetwork = hostNetwork;
    }

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }
}
