package io.mipo.operator.api.config;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** A scanner as the mipo UI shows it (docs/api.md). Read from the informer cache. */
@Schema(name = "Scanner", description = "A scanner as the mipo UI shows it.")
public record ScannerView(
        @Schema(description = "Immutable id: the Scanner's metadata.name.", example = "edge-1") String id,
        @Schema(description = "Editable display name: letters, digits and inner hyphens; unique per namespace, case-insensitively.", example = "Edge-1") String name,
        String description,
        @Schema(enumeration = {"Pending", "Active", "Offline", "Disabled"}) String status,
        BindingSummary binding,
        @Schema(description = "The user who created it through the facade (annotation mipo.io/created-by); null for scanners created otherwise.", nullable = true) String createdBy,
        @Schema(description = "Probes per second; 0 = unlimited.") int rateLimit,
        @Schema(description = "RFC 3339.") String createdAt,
        @Schema(description = "RFC 3339; the latest heartbeat any operator replica took, at most mipo.liveness.ledger-flush-interval + 2 s old (status.lastHeartbeatTime is refreshed far less often).", nullable = true) String lastHeartbeatAt,
        @Schema(nullable = true, description = "What the agent reported at registration; null before it registered.") AgentView agent,
        @Schema(description = "Names of the ScannerGroups whose selector matches this scanner.") List<String> groups,
        @Schema(enumeration = {"External", "DaemonSet"}) String deploymentMode,
        List<AssignmentView> assignments) {

    /** The same view with another last heartbeat. */
    ScannerView withLastHeartbeatAt(String at) {
        return new ScannerView(id, name, description, status, binding, createdBy, rateLimit, createdAt, at, agent, groups,
                deploymentMode, assignments);
    }

    @Schema(name = "BindingSummary")
    public record BindingSummary(
            @Schema(enumeration = {"ip", "subnet", "asn", "none"}) String mode,
            @Schema(description = "The value in force (learned or explicit); null while waiting to learn.", nullable = true) String value,
            @Schema(enumeration = {"Enforce", "Audit"}, nullable = true) String enforcement,
            long mismatchCount) {
        static final BindingSummary NONE = new BindingSummary("none", null, null, 0);
    }

    @Schema(name = "AgentInfo")
    public record AgentView(String version, String hostname, String os, String arch,
                            @Schema(description = "The address the agent connected from, as the ingest endpoint saw it.") String sourceAddress,
                            @Schema(description = "True when the agent is older than the version this operator serves (condition AgentOutdated): upgrade it on its host.") boolean outdated,
                            @Schema(description = "Automatic upgrades (condition AutoUpgrade): Upgrading while it is this agent's turn,"
                                    + " Failed when its turn ended without a heartbeat from the new version; absent otherwise.",
                                    enumeration = {"Upgrading", "Failed"}, nullable = true)
                            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                            String autoUpgrade) {
    }

    @Schema(name = "Assignment")
    public record AssignmentView(String group, String subnet, String ports,
                                 @Schema(description = "0 = unlimited; may be fractional.") double maxProbesPerSecond,
                                 @Schema(enumeration = {"scanner", "subnet", "portList", "none"}) String limitedBy) {
    }
}
