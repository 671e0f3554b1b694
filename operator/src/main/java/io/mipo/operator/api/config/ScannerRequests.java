package io.mipo.operator.api.config;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The request bodies of the scanner calls. Unknown fields are refused (400 UNKNOWN_FIELD), so a
 * client cannot set {@code id}, {@code status}, {@code createdBy} or anything else not listed.
 */
public final class ScannerRequests {
    private ScannerRequests() {
    }

    @Schema(name = "CreateScannerRequest", additionalProperties = Schema.False.class)
    public record Create(
            @Schema(required = true, description = "Letters, digits and inner hyphens, 1-63 characters; unique per namespace, case-insensitively. The id is derived from it.", example = "Edge-1") String name,
            @Schema(description = "At most 10,000 characters.") String description,
            @Schema(enumeration = {"ip", "subnet", "asn", "none"}, defaultValue = "none") String bindingMode,
            @Schema(description = "Address, CIDR or AS number for the mode; empty = learn from the first registration.") String bindingValue,
            @Schema(minimum = "0", maximum = "100000", defaultValue = "0", description = "Probes per second; 0 = unlimited.") Integer rateLimit,
            @Schema(enumeration = {"External", "DaemonSet"}, defaultValue = "External") String deploymentMode) {
    }

    @Schema(name = "UpdateScannerRequest", additionalProperties = Schema.False.class,
            description = "The inline edits. A field left out (or null) stays as it is.")
    public record Update(
            @Schema(example = "Edge-1") String name,
            String description,
            @Schema(minimum = "0", maximum = "100000") Integer rateLimit) {
    }

    @Schema(name = "BindingChangeRequest", additionalProperties = Schema.False.class)
    public record BindingChange(
            @Schema(required = true, enumeration = {"ip", "subnet", "asn", "none"}) String bindingMode,
            @Schema(description = "Empty = learn from the next registration or heartbeat; must be empty with mode none.") String bindingValue,
            @Schema(enumeration = {"Enforce", "Audit"}, defaultValue = "Enforce") String enforcement) {
    }
}
