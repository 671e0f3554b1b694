package io.mipo.operator.api.config;

import io.mipo.operator.api.ApiException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScannerQueryTest {
    @Test
    void defaults() {
        ScannerQuery q = ScannerQuery.parse(null, null, null, null, null, null, null, null, null);
        assertEquals(ScannerQuery.Sort.name, q.sort());
        assertEquals(1, q.page());
        assertEquals(50, q.pageSize());
        assertTrue(q.filtersNothing());
    }

    @Test
    void valuesMayRepeatOrBeCommaSeparatedAndAreCaseInsensitive() {
        ScannerQuery q = ScannerQuery.parse(List.of("active,OFFLINE", "Pending"), List.of("IP"), List.of("alice,bob"), List.of("g1"),
                "  Rack ", "RATELIMIT", "DESC", "2", "10");
        assertEquals(Set.of("Active", "Offline", "Pending"), q.status());
        assertEquals(Set.of("ip"), q.bindingMode());
        assertEquals(Set.of("alice", "bob"), q.createdBy());
        assertEquals("rack", q.q());
        assertEquals(ScannerQuery.Sort.rateLimit, q.sort());
        assertTrue(q.descending());
        assertEquals(2, q.page());
        assertEquals(10, q.pageSize());
    }

    @Test
    void everyBadParameterIsReportedAtOnce() {
        ApiException e = assertThrows(ApiException.class, () -> ScannerQuery.parse(List.of("Sleeping"), List.of("dns"), null, null,
                null, "colour", "up", "0", "1000"));
        assertEquals(400, e.status());
        assertEquals(List.of("status", "bindingMode", "sort", "order", "page", "pageSize"),
                e.errors().stream().map(f -> f.field()).toList());
    }
}
