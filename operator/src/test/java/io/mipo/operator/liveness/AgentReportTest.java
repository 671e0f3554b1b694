package io.mipo.operator.liveness;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** A kept report holds one copy of what did not change since the scanner's previous heartbeat. */
class AgentReportTest {
    private static final Instant T0 = Instant.parse("2026-12-04T12:00:00Z");

    private static AgentMetrics metrics(double load) {
        return new AgentMetrics(load, 0.4, 0.3, 8_000_000_000L, 4_000_000_000L, 1L, 2L, 4);
    }

    private static AgentReport decoded(double load, String state, Instant at) {
        // as decoded from a request: new list, new strings, new metrics every time
        return new AgentReport(new ArrayList<>(List.of(new String("tcp-connect"), new String("ipv4"))), metrics(load),
                state == null ? null : new String(state), at);
    }

    @Test
    void whatDidNotChangeIsTheSameObjectAsBefore() {
        AgentReport first = decoded(0.5, "idle", T0).sharingWith(null);
        assertSame("idle", first.state(), "the state is one of the constant texts");
        AgentReport second = decoded(0.5, "idle", T0.plusSeconds(30)).sharingWith(first);
        assertSame(first.capabilities(), second.capabilities());
        assertSame(first.metrics(), second.metrics());
        assertEquals(T0.plusSeconds(30), second.receivedAt(), "the time is always the new one");

        AgentReport third = decoded(0.9, "scanning", T0.plusSeconds(60)).sharingWith(second);
        assertSame(second.capabilities(), third.capabilities());
        assertNotSame(second.metrics(), third.metrics(), "changed metrics are the new ones");
        assertEquals(0.9, third.metrics().loadAvg1m());
        assertSame("scanning", third.state());
    }

    @Test
    void aChangedOrMissingPartIsTakenAsReported() {
        AgentReport first = decoded(0.5, "idle", T0).sharingWith(null);
        AgentReport fewer = new AgentReport(List.of("ipv4"), null, null, T0.plusSeconds(30)).sharingWith(first);
        assertEquals(List.of("ipv4"), fewer.capabilities());
        assertEquals(null, fewer.metrics());
        assertEquals(null, fewer.state());
        AgentReport none = new AgentReport(null, null, null, T0.plusSeconds(60));
        assertSame(none, none.sharingWith(fewer), "nothing to share: the report itself");
    }
}
