package io.mipo.operator.api.config;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** One row of the scanner-health page (GET /api/scanners). */
@Schema(name = "ScannerHealth")
public record ScannerHealthView(
        String id,
        String name,
        @Schema(enumeration = {"Pending", "Active", "Offline", "Disabled"}) String status,
        @Schema(nullable = true, description = "Agent version reported at registration.") String version,
        @Schema(nullable = true, description = "The address the agent connects from, as the ingest endpoint sees it.") String externalIp,
        @Schema(nullable = true, description = "The address the agent reports for itself.") String internalIp,
        @Schema(nullable = true) String hostname,
        @Schema(nullable = true, description = "The latest heartbeat any operator replica took (RFC 3339), at most mipo.liveness.ledger-flush-interval + 2 s behind.") String lastSeen) {
}
