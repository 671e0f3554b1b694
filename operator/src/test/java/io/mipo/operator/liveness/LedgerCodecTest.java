package io.mipo.operator.liveness;

import io.mipo.operator.core.ScannerRef;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LedgerCodecTest {

    @Test
    void recordsRoundTripGroupedByNamespaceAndMissingFactsStayMissing() {
        String text = LedgerCodec.text(List.of(
                new LedgerCodec.Line(new ScannerRef("ns-a", "edge-1"), 1_714_557_600_123L, AgentFacts.of("1.2.3", "host", "10.0.0.1", "203.0.113.7")),
                new LedgerCodec.Line(new ScannerRef("ns-a", "edge-2"), 1_714_557_600_000L, null),
                new LedgerCodec.Line(new ScannerRef("ns-b", "edge-2"), 1_714_557_601_000L, AgentFacts.of(null, "h2", null, null)),
                new LedgerCodec.Line(new ScannerRef("ns-b", "ds/pod-1"), 1_714_557_602_000L, AgentFacts.of(null, null, null, "2001:db8::1"))));
        assertEquals(String.join("\n", LedgerCodec.HEADER, "base=1714557600000", "@ns-a", "edge-1\t123\t1.2.3\thost\t10.0.0.1\t203.0.113.7",
                "edge-2\t0", "@ns-b", "edge-2\t1000\t\th2", "ds/pod-1\t2000\t\t\t\t2001:db8::1", ""), text);
        Map<ScannerRef, Sighting> m = LedgerCodec.parse(text);
        assertEquals(4, m.size(), m.toString());
        Sighting a = m.get(new ScannerRef("ns-a", "edge-1"));
        assertEquals(1_714_557_600_123L, a.lastSeenMillis());
        assertEquals(AgentFacts.of("1.2.3", "host", "10.0.0.1", "203.0.113.7"), a.facts());
        assertEquals(AgentFacts.of(null, null, null, null), m.get(new ScannerRef("ns-a", "edge-2")).facts());
        assertEquals(AgentFacts.of(null, "h2", null, null), m.get(new ScannerRef("ns-b", "edge-2")).facts());
        Sighting pod = m.get(new ScannerRef("ns-b", "ds/pod-1"));
        assertEquals(1_714_557_602_000L, pod.lastSeenMillis());
        assertEquals("2001:db8::1", pod.facts().sourceAddress());
    }

    @Test
    void aLedgerWrittenByAnEarlierVersionIsStillRead() {
        String v1 = "# mipo heartbeat ledger v1: namespace/name, last heartbeat (epoch ms), version, hostname, internal IP, source address\n"
                + "ns-a/edge-1\t1714557600123\t1.2.3\thost\t10.0.0.1\t203.0.113.7\n"
                + "ns-b/ds/pod-1\t42\t\t\t\t2001:db8::1\n";
        Map<ScannerRef, Sighting> m = LedgerCodec.parse(v1);
        assertEquals(2, m.size(), m.toString());
        assertEquals(new Sighting(1_714_557_600_123L, AgentFacts.of("1.2.3", "host", "10.0.0.1", "203.0.113.7")), m.get(new ScannerRef("ns-a", "edge-1")));
        assertEquals(new Sighting(42, AgentFacts.of(null, null, null, "2001:db8::1")), m.get(new ScannerRef("ns-b", "ds/pod-1")));
    }

    @Test
    void malformedLinesAreSkippedAndDuplicatesKeepTheLatest() {
        String v1 = "garbage\nns/x\tnot-a-number\n/x\t1\nns/\t1\nns/y\t5\t\t\t\t\nns/y\t9\tv2\t\t\t\n";
        Map<ScannerRef, Sighting> m = LedgerCodec.parse(v1);
        assertEquals(1, m.size(), m.toString());
        assertEquals(9, m.get(new ScannerRef("ns", "y")).lastSeenMillis());
        assertEquals("v2", m.get(new ScannerRef("ns", "y")).facts().version());

        String v2 = "base=100\n@\n\t5\n@ns\nx\tsoon\n\t3\ny\t5\ny\t9\tv2\nbase=oops\nz\t1\n";
        m = LedgerCodec.parse(v2);
        assertEquals(2, m.size(), m.toString());
        assertEquals(109, m.get(new ScannerRef("ns", "y")).lastSeenMillis());
        assertEquals("v2", m.get(new ScannerRef("ns", "y")).facts().version());
        assertEquals(1, m.get(new ScannerRef("ns", "z")).lastSeenMillis(), "a broken base line counts as 0");
    }

    @Test
    void valuesWithSeparatorsAreDroppedNotWritten() {
        String text = LedgerCodec.text(List.of(new LedgerCodec.Line(new ScannerRef("ns", "z"), 1, AgentFacts.of("1\t2", "h\nx", "10.0.0.9", null))));
        Sighting s = LedgerCodec.parse(text).get(new ScannerRef("ns", "z"));
        assertNull(s.facts().version());
        assertNull(s.facts().hostname());
        assertEquals("10.0.0.9", s.facts().internalIp());
    }

    @Test
    void onlyFactsThatDifferFromTheRegistrationAreWritten() {
        AgentFacts registered = AgentFacts.of("1.2.3", "host", "10.0.0.1", "203.0.113.7");
        assertNull(LedgerCodec.beyond(registered, registered));
        assertNull(LedgerCodec.beyond(AgentFacts.of(null, "host", null, null), registered), "unreported facts are not differences");
        assertEquals(AgentFacts.of("1.3.0", null, null, "198.51.100.1"),
                LedgerCodec.beyond(AgentFacts.of("1.3.0", "host", "10.0.0.1", "198.51.100.1"), registered));
        assertEquals(registered, LedgerCodec.beyond(registered, null), "nothing registered known: everything is written");
        assertNull(LedgerCodec.beyond(null, registered));
    }

    @Test
    void theLengthEstimateIsNeverBelowTheTextWritten() {
        ScannerRef ref = new ScannerRef("ns", "a-fairly-long-scanner-name-01");
        AgentFacts f = AgentFacts.of("1.2.3", null, "10.0.0.1", null);
        String text = LedgerCodec.text(List.of(new LedgerCodec.Line(ref, 1_000, null), new LedgerCodec.Line(ref, 1_000 + 987_654, f)));
        int overhead = text.indexOf("@ns\n") + "@ns\n".length();
        assertTrue(text.length() - overhead <= LedgerCodec.lineLength(ref, 0, null) + LedgerCodec.lineLength(ref, 987_654, f), text);
    }
}
