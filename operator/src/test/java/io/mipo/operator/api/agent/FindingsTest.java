package io.mipo.operator.api.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mipo.operator.api.ApiException;
import io.mipo.operator.validation.FieldError;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FindingsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aValidBatchIsNormalised() throws Exception {
        List<Findings.Finding> got = Findings.parse(json("""
                {"findings": [
                  {"ip": "192.0.2.7", "port": 22, "state": "open", "observedAt": "2024-05-01T12:00:00.123Z"},
                  {"ip": "::ffff:198.51.100.1", "port": 65535, "state": "filtered", "observedAt": "2024-05-01T14:00:00+02:00", "rtt": 3},
                  {"ip": "2001:DB8::1", "port": 1, "state": "closed", "observedAt": "2024-05-01t12:00:00z"}
                ]}"""));
        assertEquals(3, got.size());
        assertEquals(new Findings.Finding("192.0.2.7", 22, "open", "2024-05-01T12:00:00.123Z"), got.get(0));
        assertEquals("198.51.100.1", got.get(1).ip(), "IPv4-mapped addresses are unmapped");
        assertEquals("2024-05-01T12:00:00Z", got.get(1).observedAt(), "times are given in UTC");
        assertEquals("2001:db8::1", got.get(2).ip());
    }

    @Test
    void anEmptyBatchIsFine() throws Exception {
        assertTrue(Findings.parse(json("{\"findings\": []}")).isEmpty());
    }

    @Test
    void everyBadFieldIsNamedAndNothingIsTaken() throws Exception {
        ApiException e = assertThrows(ApiException.class, () -> Findings.parse(json("""
                {"findings": [
                  {"ip": "192.0.2.7", "port": 22, "state": "open", "observedAt": "2024-05-01T12:00:00Z"},
                  {"ip": "example.com", "port": 0, "state": "OPEN", "observedAt": "yesterday"},
                  {"ip": "192.0.2.8", "port": 22.5, "state": "open", "observedAt": "2024-05-01T12:00:00"},
                  {"ip": "192.0.2.9", "port": "80", "state": "open", "observedAt": "2024-05-01T12:00:00Z"},
                  "not an object"
                ]}""")));
        assertEquals(400, e.status());
        List<String> fields = e.errors().stream().map(FieldError::field).toList();
        assertEquals(List.of("findings[1].ip", "findings[1].port", "findings[1].state", "findings[1].observedAt",
                "findings[2].port", "findings[2].observedAt", "findings[3].port", "findings[4]"), fields, e.errors().toString());
    }

    @Test
    void theBatchSizeIsBounded() throws Exception {
        StringBuilder b = new StringBuilder("{\"findings\": [");
        for (int i = 0; i <= Findings.MAX_BATCH; i++) {
            b.append(i == 0 ? "" : ",").append("{\"ip\":\"192.0.2.1\",\"port\":80,\"state\":\"open\",\"observedAt\":\"2024-05-01T12:00:00Z\"}");
        }
        ApiException e = assertThrows(ApiException.class, () -> Findings.parse(json(b.append("]}").toString())));
        assertEquals(413, e.status());
        assertEquals("BATCH_TOO_LARGE", e.code());
    }

    @Test
    void aBodyWithoutFindingsIsRefused() throws Exception {
        assertEquals(400, assertThrows(ApiException.class, () -> Findings.parse(json("{}"))).status());
        assertEquals(400, assertThrows(ApiException.class, () -> Findings.parse(json("[]"))).status());
        assertEquals(400, assertThrows(ApiException.class, () -> Findings.parse(json("{\"findings\": {}}"))).status());
        assertEquals(400, assertThrows(ApiException.class, () -> Findings.parse(null)).status());
    }

    @Test
    void rfc3339NeedsAnOffset() {
        assertEquals("2024-02-29T23:59:59Z", Findings.rfc3339("2024-02-29T23:59:59Z"));
        assertNull(Findings.rfc3339("2024-02-30T00:00:00Z"));
        assertNull(Findings.rfc3339("2024-05-01 12:00:00Z"));
        assertNull(Findings.rfc3339("1714564800"));
    }

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }
}
