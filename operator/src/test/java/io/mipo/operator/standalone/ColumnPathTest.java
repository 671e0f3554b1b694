package io.mipo.operator.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ColumnPathTest {
    private static final JsonNode SCANNER = Json.read("""
            {"metadata": {"name": "a", "creationTimestamp": "2024-01-01T00:00:00Z"},
             "spec": {"rateLimit": 10, "displayName": "edge"},
             "status": {"phase": "Active", "conditions": [
                 {"type": "Valid", "status": "True"},
                 {"type": "Ready", "status": "False", "observedGeneration": 3}]}}
            """);

    private static String eval(String path) {
        return ColumnPath.parse(path).first(SCANNER).map(JsonNode::asText).orElse("<none>");
    }

    @Test
    void followsFieldSteps() {
        assertEquals("10", eval(".spec.rateLimit"));
        assertEquals("Active", eval(".status.phase"));
        assertEquals("2024-01-01T00:00:00Z", eval(".metadata.creationTimestamp"));
        assertEquals("edge", eval("{.spec.displayName}"));
        assertEquals("edge", eval("$.spec['displayName']"));
    }

    @Test
    void filtersListsByEquality() {
        assertEquals("False", eval(".status.conditions[?(@.type==\"Ready\")].status"));
        assertEquals("True", eval(".status.conditions[?(@.type=='Valid')].status"));
        assertEquals("Ready", eval(".status.conditions[?(@.observedGeneration==3)].type"));
        assertEquals("Valid", eval(".status.conditions[?(@.type!=\"Ready\")].type"));
    }

    @Test
    void indexesAndWildcards() {
        assertEquals("Valid", eval(".status.conditions[0].type"));
        assertEquals("Ready", eval(".status.conditions[-1].type"));
        assertEquals("Valid", eval(".status.conditions[*].type"));
    }

    @Test
    void findsNothingWhereNothingIs() {
        assertEquals("<none>", eval(".status.binding"));
        assertEquals("<none>", eval(".status.conditions[?(@.type==\"Registered\")].status"));
        assertEquals("<none>", eval(".status.conditions[7].type"));
        assertTrue(ColumnPath.parse(".spec.rateLimit.deeper").first(SCANNER).isEmpty());
    }

    @Test
    void rejectsWhatItCannotEvaluate() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ColumnPath.parse(".status.conditions[?(@.type>1)]"));
        assertTrue(e.getMessage().contains("unsupported filter"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ColumnPath.parse(".a[0"));
    }
}
