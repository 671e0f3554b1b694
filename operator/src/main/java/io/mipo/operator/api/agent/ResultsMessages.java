package io.mipo.operator.api.agent;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/**
 * The bodies of {@code POST /scanner/results} as the OpenAPI document shows them. The call itself
 * reads the body as a tree ({@link Findings#parse}) so that a batch is refused whole with every bad
 * field named; these types describe what it accepts and answers.
 */
public final class ResultsMessages {
    private ResultsMessages() {
    }

    @Schema(name = "FindingsBatch", description = "At most 1000 findings, taken whole or refused whole. Unknown fields are ignored.")
    public record Batch(
            @Schema(required = true, maxItems = Findings.MAX_BATCH) List<Finding> findings) {
    }

    @Schema(name = "Finding", description = "One probe's outcome.")
    public record Finding(
            @Schema(required = true, description = "The probed IPv4 or IPv6 address.", examples = "203.0.113.7") String ip,
            @Schema(required = true, minimum = "1", maximum = "65535") int port,
            @Schema(required = true, enumeration = {"open", "closed", "filtered"}) String state,
            @Schema(required = true, format = "date-time", description = "When the probe saw it (RFC 3339).") String observedAt) {
    }

    @Schema(name = "FindingsAccepted")
    public record Accepted(@Schema(description = "How many findings were taken.") int accepted) {
    }
}
