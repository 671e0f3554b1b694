package io.mipo.operator.api.agent;

import io.mipo.operator.api.ApiException;
import io.mipo.operator.core.RetryLater;
import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.testing.Configs;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Per-scanner findings rate limit and the assigned-target rule, on an injected clock. */
class FindingsPolicyTest {
    private static final List<AgentWorkResource.WorkItem> ASSIGNED = List.of(
            new AgentWorkResource.WorkItem("g", "198.51.100.0/24", "22,8000-8100", 10),
            new AgentWorkResource.WorkItem("g", "2001:db8::/48", "443", 10));

    private static final class MovableClock extends Clock {
        Instant now = Instant.parse("2030-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static List<Findings.Finding> batch(int n) {
        List<Findings.Finding> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(new Findings.Finding("198.51.100." + (i % 250), 8000 + (i % 100), "open", "2030-01-01T00:00:00Z"));
        }
        return l;
    }

    @Test
    void eachScannerMayReportOneMinutesWorthThenWaits() {
        FindingsPolicy p = new FindingsPolicy();
        p.config = Configs.mipo(Map.of("mipo.limits.findings-per-minute", "600"));
        MovableClock clock = new MovableClock();
        p.clock = clock;
        ScannerRef a = new ScannerRef("ns", "a");
        p.check(a, ASSIGNED, batch(300));
        p.check(a, ASSIGNED, batch(300));
        RetryLater e = assertThrows(RetryLater.class, () -> p.check(a, ASSIGNED, batch(100)));
        assertEquals(429, io.mipo.operator.api.ApiException.statusOf(e));
        assertEquals("FINDINGS_RATE_LIMITED", e.code());
        assertEquals(10, e.retryAfterSeconds(), "100 findings at 10/s");
        p.check(new ScannerRef("ns", "b"), ASSIGNED, batch(600)); // another scanner has its own bucket
        clock.now = clock.now.plus(Duration.ofSeconds(10));
        p.check(a, ASSIGNED, batch(100));
        assertThrows(RetryLater.class, () -> p.check(a, ASSIGNED, batch(1)));
    }

    @Test
    void onlyAssignedSubnetsAndPortsAreTaken() {
        FindingsPolicy p = new FindingsPolicy();
        p.config = Configs.mipo(Map.of());
        p.check(new ScannerRef("ns", "a"), ASSIGNED, List.of(
                new Findings.Finding("198.51.100.1", 22, "open", "t"),
                new Findings.Finding("2001:db8::1", 443, "open", "t")));
        ApiException e = assertThrows(ApiException.class, () -> p.check(new ScannerRef("ns", "a"), ASSIGNED, List.of(
                new Findings.Finding("198.51.100.1", 23, "open", "t"),
                new Findings.Finding("198.51.101.1", 22, "open", "t"),
                new Findings.Finding("2001:db8:1::1", 443, "open", "t"))));
        assertEquals(422, e.status());
        assertEquals("TARGET_NOT_ASSIGNED", e.code());
        assertEquals(3, e.errors().size(), e.errors().toString());
    }
}
