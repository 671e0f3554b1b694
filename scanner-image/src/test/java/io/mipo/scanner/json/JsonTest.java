package io.mipo.scanner.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void readsTheAssignmentsShape() {
        Map<String, Object> m = Json.parseObject("""
                { "disabled": false, "version": "7",
                  "assignments": [ {"group": "g", "subnet": "10.0.0.0/24", "ports": "22,80",
                                    "maxProbesPerSecond": 0.5},
                                   {"group": null, "subnet": "::1/128", "ports": "1-3", "maxProbesPerSecond": 0} ] }
                """);
        assertEquals(false, m.get("disabled"));
        assertEquals("7", m.get("version"));
        List<Object> a = Json.array(m, "assignments");
        assertEquals(2, a.size());
        @SuppressWarnings("unchecked")
        Map<String, Object> first = (Map<String, Object>) a.get(0);
        assertEquals(0.5, first.get("maxProbesPerSecond"));
        @SuppressWarnings("unchecked")
        Map<String, Object> second = (Map<String, Object>) a.get(1);
        assertEquals(0L, second.get("maxProbesPerSecond"));
        assertNull(second.get("group"));
    }

    @Test
    void numbers() {
        assertEquals(42L, Json.parse("42"));
        assertEquals(-7L, Json.parse("-7"));
        assertEquals(1.5e3, Json.parse("1.5e3"));
        assertEquals(0.25, Json.parse("0.25"));
        assertEquals(1e20, Json.parse("100000000000000000000"));
    }

    @Test
    void stringEscapesRoundTrip() {
        String s = "quote \" backslash \\ newline \n tab \t ctrl \u0001 unicode é € 😀 sep \u2028";
        String json = Json.write(s);
        assertEquals(s, Json.parse(json));
        assertEquals("\"a\\u0001b\"", Json.write("a\u0001b"));
        assertEquals("é😀", Json.parse("\"\\u00e9\\ud83d\\ude00\""));
    }

    @Test
    void writesObjectsInInsertionOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ip", "10.0.0.1");
        m.put("port", 22);
        m.put("rate", 0.5);
        m.put("whole", 3.0);
        m.put("ok", true);
        m.put("none", null);
        m.put("list", List.of(1, "two", List.of()));
        assertEquals("{\"ip\":\"10.0.0.1\",\"port\":22,\"rate\":0.5,\"whole\":3,\"ok\":true,\"none\":null,"
                + "\"list\":[1,\"two\",[]]}", Json.write(m));
        assertEquals(m.toString(), Json.parseObject(Json.write(m)).toString().replace("=3,", "=3.0,"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "[1,]", "{\"a\":}", "{\"a\" 1}", "01", "1.", "-", "tru", "\"abc", "\"\\x\"",
        "{} x", "[1 2]", "{a:1}", "\"tab\there\"", "NaN"})
    void rejectsMalformedInput(String text) {
        assertThrows(JsonException.class, () -> Json.parse(text));
    }

    @Test
    void refusesDeepNesting() {
        String deep = "[".repeat(Json.MAX_DEPTH + 5) + "]".repeat(Json.MAX_DEPTH + 5);
        assertThrows(JsonException.class, () -> Json.parse(deep));
    }

    @Test
    void refusesNonFiniteNumbersAndUnknownTypes() {
        assertThrows(JsonException.class, () -> Json.write(Double.NaN));
        assertThrows(JsonException.class, () -> Json.write(new Object()));
    }

    @Test
    void typedAccessorsCheckTypes() {
        Map<String, Object> m = Json.parseObject("{\"s\":1,\"n\":\"x\",\"b\":\"true\",\"a\":{}}");
        assertThrows(JsonException.class, () -> Json.string(m, "s"));
        assertThrows(JsonException.class, () -> Json.number(m, "n", 0));
        assertThrows(JsonException.class, () -> Json.bool(m, "b", false));
        assertThrows(JsonException.class, () -> Json.array(m, "a"));
        assertEquals(9.0, Json.number(m, "missing", 9));
        assertThrows(JsonException.class, () -> Json.parseObject("[]"));
    }
}
