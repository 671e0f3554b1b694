package io.mipo.operator.liveness;

import io.mipo.operator.core.ScannerRef;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class LedgerCodecTest {

    @Test
    void linesRoundTripAndMissingFactsStayMissing() {
        StringBuilder sb = new StringBuilder(LedgerCodec.HEADER).append('\n');
        LedgerCodec.appendLine(sb, new ScannerRef("ns-a", "edge-1"), 1_714_557_600_123L, AgentFacts.of("1.2.3", "host", "10.0.0.1", "203.0.113.7"));
        LedgerCodec.appendLine(sb, new ScannerRef("ns-b", "edge-2"), 42L, AgentFacts.of(null, "h2", null, "2001:db8::1"));
        Map<ScannerRef, Sighting> m = LedgerCodec.parse(sb.toString());
        assertEquals(2, m.size());
        Sighting a = m.get(new ScannerRef("ns-a", "edge-1"));
        assertEquals(1_714_557_600_123L, a.lastSeenMillis());
        assertEquals(AgentFacts.of("1.2.3", "host", "10.0.0.1", "203.0.113.7"), a.facts());
        Sighting b = m.get(new ScannerRef("ns-b", "edge-2"));
        assertNull(b.facts().version());
        assertEquals("2001:db8::1", b.facts().sourceAddress());
    }

    @Test
    void malformedLinesAreSkippedAndDuplicatesKeepTheLatest() {
        String text = "garbage\nns/x\tnot-a-number\n/x\t1\nns/\t1\nns/y\t5\t\t\t\t\nns/y\t9\tv2\t\t\t\n";
        Map<ScannerRef, Sighting> m = LedgerCodec.parse(text);
        assertEquals(1, m.size(), m.toString());
        assertEquals(9, m.get(new ScannerRef("ns", "y")).lastSeenMillis());
        assertEquals("v2", m.get(new ScannerRef("ns", "y")).facts().version());
    }

    @Test
    void valuesWithSeparatorsAreDroppedNotWritten() {
        StringBuilder sb = new StringBuilder();
        LedgerCodec.appendLine(sb, new ScannerRef("ns", "z"), 1, AgentFacts.of("1\t2", "h\nx", null, null));
        Sighting s = LedgerCodec.parse(sb.toString()).get(new ScannerRef("ns", "z"));
        assertNull(s.facts().version());
        assertNull(s.facts().hostname());
    }
}
