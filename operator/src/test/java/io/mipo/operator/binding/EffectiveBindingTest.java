package io.mipo.operator.binding;

import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.Enforcement;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.model.ScannerBindingStatus;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which value is in force: explicit, learned, or none yet (learning) — and what a release leaves. */
class EffectiveBindingTest {

    static ScannerBinding with(BindingMode mode, String value, String learned) {
        ScannerBinding b = ScannerAclFormatsTest.binding("ns", "s", mode, value, null, learned);
        return b;
    }

    @Test
    void anExplicitValueWinsOverALearnedOne() {
        EffectiveBinding e = EffectiveBinding.of(with(BindingMode.ip, "203.0.113.7", "198.51.100.1"));
        assertEquals("203.0.113.7", e.boundValue());
        assertFalse(e.learned());
        assertEquals(Enforcement.Enforce, e.enforcement(), "Enforce by default");
        assertEquals("ip 203.0.113.7", e.summary());
    }

    @Test
    void aLearnedValueIsInForceWhileItFitsTheMode() {
        EffectiveBinding e = EffectiveBinding.of(with(BindingMode.subnet, null, "198.51.100.0/24"));
        assertEquals("198.51.100.0/24", e.boundValue());
        assertTrue(e.learned());
        assertFalse(e.learning());
        // The mode was changed to ip: a learned subnet is not an address, so the binding learns again.
        EffectiveBinding changed = EffectiveBinding.of(with(BindingMode.ip, null, "198.51.100.0/24"));
        assertNull(changed.boundValue());
        assertTrue(changed.learning());
        assertEquals("ip (learning)", changed.summary());
        // Without learnedAt, a boundValue in status is not a learned value (it mirrored an explicit one).
        ScannerBinding mirrored = with(BindingMode.ip, null, null);
        ScannerBindingStatus st = new ScannerBindingStatus();
        st.setBoundValue("203.0.113.7");
        mirrored.setStatus(st);
        assertTrue(EffectiveBinding.of(mirrored).learning());
    }

    @Test
    void aReleasedStatusLearnsAgainWithTheSameMode() {
        ScannerBinding b = with(BindingMode.asn, null, "AS15169");
        b.getStatus().setMismatchCount(12L);
        // What release writes: no value, no learnedAt, counters zeroed; the spec keeps its mode.
        b.getStatus().setBoundValue(null);
        b.getStatus().setLearnedAt(null);
        b.getStatus().setMismatchCount(0L);
        EffectiveBinding e = EffectiveBinding.of(b);
        assertEquals(BindingMode.asn, e.mode());
        assertTrue(e.learning());
    }

    @Test
    void noneAndInvalidSpecsBindNothing() {
        EffectiveBinding none = EffectiveBinding.of(with(BindingMode.none, null, "203.0.113.7"));
        assertNull(none.boundValue());
        assertFalse(none.learning());
        assertEquals("none", none.summary());
        EffectiveBinding invalid = EffectiveBinding.of(with(BindingMode.ip, "10.0.0.0/8", null));
        assertFalse(invalid.valid());
        assertNull(invalid.boundValue());
        assertFalse(invalid.learning(), "an invalid binding does not learn: it fails closed");
        ScannerBinding audit = ScannerAclFormatsTest.binding("ns", "s", BindingMode.ip, "2001:db8::1", Enforcement.Audit, null);
        assertEquals("ip 2001:db8::1 (audit)", EffectiveBinding.of(audit).summary());
    }

    @Test
    void recentAddressesAreNewestFirstDistinctAndAtMostTen() {
        List<String> older = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
        assertEquals(List.of("x", "a", "b", "c", "d", "e", "f", "g", "h", "i"), BindingObservations.mergeRecent(List.of("x"), older));
        assertEquals(List.of("c", "a", "b"), BindingObservations.mergeRecent(List.of("c", "a"), List.of("a", "b", "c")));
        assertEquals(List.of("a"), BindingObservations.mergeRecent(List.of("a"), null));
    }
}
