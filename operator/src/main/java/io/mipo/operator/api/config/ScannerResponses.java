package io.mipo.operator.api.config;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Response bodies that carry a freshly issued provisioning token: only create and regenerate-token. */
public final class ScannerResponses {
    private ScannerResponses() {
    }

    @Schema(name = "CreatedScanner")
    public record Created(ScannerView scanner,
                   @Schema(nullable = true, description = "The one-time provisioning token (mipo_pt_...); shown only here. Null for DaemonSet scanners, which authenticate with their service-account token.") String token,
                   @Schema(nullable = true, description = "The one-line install command to run on the scanner host.") String installCommand,
                   @Schema(nullable = true, description = "RFC 3339.") String tokenExpiresAt) {
    }

    @Schema(name = "IssuedToken")
    public record Token(@Schema(description = "The new one-time provisioning token (mipo_pt_...).") String token,
                 String installCommand,
                 @Schema(description = "RFC 3339.") String tokenExpiresAt) {
    }
}
