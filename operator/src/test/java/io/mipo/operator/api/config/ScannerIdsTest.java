package io.mipo.operator.api.config;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScannerIdsTest {
    @Test
    void lowerCasesTheName() {
        assertEquals("edge-1", ScannerIds.derive("Edge-1", id -> false));
    }

    @Test
    void addsTheFirstFreeSuffix() {
        Set<String> taken = Set.of("edge", "edge-2", "edge-3");
        assertEquals("edge-4", ScannerIds.derive("EDGE", taken::contains));
    }

    @Test
    void neverHandsOutALiteralPath() {
        for (String literal : ScannerIds.RESERVED) {
            assertEquals(literal + "-2", ScannerIds.derive(literal.toUpperCase(), id -> false));
        }
    }

    @Test
    void staysWithin63CharactersAndEndsAlphanumeric() {
        String name = "a".repeat(61) + "-b";
        String id = ScannerIds.derive(name, id2 -> id2.equals(name));
        assertTrue(id.length() <= 63, id);
        assertEquals("a".repeat(61) + "-2", id);
        String hyphenAtCut = "a".repeat(60) + "-bc";
        String id3 = ScannerIds.derive(hyphenAtCut, x -> x.equals(hyphenAtCut));
        assertTrue(id3.length() <= 63 && id3.matches("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"), id3);
        assertEquals("a".repeat(60) + "-2", id3);
    }
}
