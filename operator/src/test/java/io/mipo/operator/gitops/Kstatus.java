package io.mipo.operator.gitops;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The status kstatus (sigs.k8s.io/cli-utils) computes for a custom resource, which Flux
 * ({@code wait: true}, health checks) and {@code kubectl wait}-style tools use. Its rules for a
 * kind it has no special knowledge of, in order: a deletion timestamp means Terminating; an
 * {@code observedGeneration} behind {@code metadata.generation} means InProgress; a
 * {@code Reconciling=True} condition means InProgress; {@code Stalled=True} means Failed; then
 * {@code Ready}: True is Current, False or Unknown is InProgress; without any of these, Current.
 */
final class Kstatus {
    enum Status { Current, InProgress, Failed, Terminating }

    private Kstatus() {
    }

    static Status compute(JsonNode obj) {
        if (!obj.at("/metadata/deletionTimestamp").asText("").isEmpty()) {
            return Status.Terminating;
        }
        JsonNode observed = obj.at("/status/observedGeneration");
        JsonNode generation = obj.at("/metadata/generation");
        if (observed.isNumber() && generation.isNumber() && observed.asLong() != generation.asLong()) {
            return Status.InProgress;
        }
        for (JsonNode c : obj.at("/status/conditions")) {
            String type = c.path("type").asText();
            boolean isTrue = "True".equals(c.path("status").asText());
            if ("Reconciling".equals(type) && isTrue) {
                return Status.InProgress;
            }
            if ("Stalled".equals(type) && isTrue) {
                return Status.Failed;
            }
        }
        for (JsonNode c : obj.at("/status/conditions")) {
            if ("Ready".equals(c.path("type").asText())) {
                return "True".equals(c.path("status").asText()) ? Status.Current : Status.InProgress;
            }
        }
        return Status.Current;
    }
}
