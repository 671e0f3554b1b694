package io.mipo.operator.api.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ETagsTest {
    @Test
    void strongComparisonAsRfc9110Requires() {
        assertEquals("\"42\"", ETags.of("42"));
        assertTrue(ETags.matches("\"42\"", "42"));
        assertTrue(ETags.matches("*", "42"));
        assertTrue(ETags.matches("\"1\", \"42\"", "42"));
        assertTrue(ETags.matches("42", "42"), "unquoted tags are accepted leniently");
        assertFalse(ETags.matches("W/\"42\"", "42"), "weak tags never match If-Match");
        assertFalse(ETags.matches("\"41\"", "42"));
        assertFalse(ETags.matches("\"\"", "42"));
        assertFalse(ETags.matches("\"4\"", "42"));
    }
}
