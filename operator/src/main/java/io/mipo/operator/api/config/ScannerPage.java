package io.mipo.operator.api.config;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** One page of the scanner list. */
@Schema(name = "ScannerPage")
public record ScannerPage(List<ScannerView> items,
                          @Schema(description = "How many scanners match the filters, over all pages.") int total,
                          int page, int pageSize) {
}
