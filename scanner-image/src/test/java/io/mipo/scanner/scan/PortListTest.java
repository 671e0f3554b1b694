package io.mipo.scanner.scan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PortListTest {

    @Test
    void parsesPortsAndRanges() {
        PortList p = PortList.parse("22,80,443,8000-8100");
        assertEquals(3 + 101, p.size());
        assertEquals(22, p.get(0));
        assertEquals(8000, p.get(3));
        assertEquals(8100, p.get(p.size() - 1));
        assertEquals("22,80,443,8000-8100", p.toString());
    }

    @Test
    void mergesOverlapsSortsAndTrims() {
        PortList p = PortList.parse(" 443 , 80,22, 80-81 ,81");
        assertArrayEquals(new int[] {22, 80, 81, 443}, p.toArray());
        assertEquals("22,80-81,443", p.toString());
    }

    @Test
    void acceptsTheWholeRange() {
        assertEquals(65535, PortList.parse("1-65535").size());
        assertEquals(1, PortList.parse("65535").size());
        assertEquals(PortList.parse("5-5"), PortList.parse("5"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "0", "65536", "22,,80", "22,", ",22", "80-22", "a", "22-", "-22", "1-2-3",
        "22 80", "+22", "0x16", "99999999999", "22;80", "८०"})
    void rejectsBadInput(String text) {
        assertThrows(IllegalArgumentException.class, () -> PortList.parse(text));
    }

    @Test
    void rejectsNull() {
        assertThrows(IllegalArgumentException.class, () -> PortList.parse(null));
    }
}
