package io.mipo.operator.api.config;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** The distinct values of each filter of the scanner list, with how many scanners have each. */
@Schema(name = "ScannerFilterValues")
public record FilterValues(List<ValueCount> status, List<ValueCount> bindingMode, List<ValueCount> createdBy,
                           List<ValueCount> group) {

    @Schema(name = "ValueCount")
    public record ValueCount(String value, int count) {
    }
}
