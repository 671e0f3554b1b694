package io.mipo.operator.api.config;

import java.util.List;

/** {@code GET /api/config/scanner-groups/filter-values}: each filter's distinct values with how many groups have them. */
public record GroupFilterValues(List<Value> status, List<Value> createdBy, List<Value> scanner) {

    public record Value(String value, long count) {
    }
}
