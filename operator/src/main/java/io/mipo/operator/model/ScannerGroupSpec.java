package io.mipo.operator.model;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.LabelSelector;

import java.util.List;

@JsonClassDescription("Which scanners are members and what each of them scans.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ScannerGroupSpec {
    @Pattern(ValidationPatterns.DISPLAY_NAME)
    @Size(max = 63)
    @JsonPropertyDescription("Editable name shown in the UI; defaults to metadata.name.")
    private String displayName;

    @Size(max = ValidationPatterns.MAX_DESCRIPTION)
    @JsonPropertyDescription("Free text, at most 10,000 characters.")
    private String description;

    @JsonPropertyDescription("Members are the Scanners of this namespace that match.")
    private LabelSelector selector;

    @Size(max = 1000)
    @JsonPropertyDescription("What every member scans.")
    private List<GroupTarget> targets;

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

    public LabelSelector getSelector() {
        return selector;
    }

    public void setSelector(LabelSelector selector) {
        this.selector = selector;
    }

    public List<GroupTarget> getTargets() {
        return targets;
    }

    public void setTargets(List<GroupTarget> targets) {
        this.targets = targets;
    }
}
