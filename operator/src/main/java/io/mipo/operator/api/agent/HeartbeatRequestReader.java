package io.mipo.operator.api.agent;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.mipo.operator.liveness.AgentMetrics;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a heartbeat body. A body of the shape agents send (an object whose known fields hold a
 * string, a number, an array of strings or null as declared; unknown fields ignored) is read from
 * the token stream straight into the record. Anything else (a field twice, a type Jackson would
 * coerce, a syntax error, content after the object) is read again by Jackson's data binding, which
 * gives the same answer for what it accepts and the usual error for what it refuses
 * ({@code HeartbeatRequestReaderTest} compares both on generated bodies).
 *
 * <p>Why: every heartbeat is read on an event loop, and binding a record through its constructor
 * made Jackson's data binding about an eighth of the event loops' time at the highest rate
 * (docs/benchmarks.md, "Growth curve").
 */
final class HeartbeatRequestReader {
    /** Stands for "not a plain value of the declared type": the caller falls back to data binding. */
    private static final Object NOT_PLAIN = new Object();

    private final ObjectMapper mapper;
    private final ObjectReader binding;

    HeartbeatRequestReader(ObjectMapper mapper) {
        this.mapper = mapper;
        this.binding = mapper.readerFor(AgentMessages.HeartbeatRequest.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** The request in a non-empty body; Jackson's exceptions for a body it refuses. */
    AgentMessages.HeartbeatRequest read(byte[] body) throws IOException {
        AgentMessages.HeartbeatRequest plain = plain(body);
        return plain != null ? plain : binding.readValue(body);
    }

    /** The request read from the token stream; null when the body is not of the plain shape. */
    AgentMessages.HeartbeatRequest plain(byte[] body) throws IOException {
        try (JsonParser p = mapper.getFactory().createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            Object[] v = fields(p, 6, HeartbeatRequestReader::requestField, HeartbeatRequestReader::requestValue);
            if (v == null || p.nextToken() != null) {
                return null;
            }
            @SuppressWarnings("unchecked")
            List<String> capabilities = (List<String>) v[3];
            return new AgentMessages.HeartbeatRequest((String) v[0], (String) v[1], (String) v[2], capabilities,
                    (AgentMetrics) v[4], (String) v[5]);
        } catch (JsonProcessingException e) {
            return null; // the data binding reads it again and says what is wrong
        }
    }

    /** Reads one field's value, the parser on its first token; {@link #NOT_PLAIN} when the data binding must decide. */
    private interface ValueReader {
        Object read(JsonParser p, JsonToken t, int field) throws IOException;
    }

    /**
     * The values of the known fields of the object the parser is in, by their index ({@code index}
     * gives it for a name, -1 for a field not ours, which is skipped as the data binding is told to);
     * null when a field comes twice, a value is not plain or the object does not end.
     */
    private static Object[] fields(JsonParser p, int count, java.util.function.ToIntFunction<String> index, ValueReader values)
            throws IOException {
        Object[] out = new Object[count];
        int seen = 0;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            int i = index.applyAsInt(p.currentName());
            JsonToken value = p.nextToken();
            if (i < 0) {
                p.skipChildren();
                continue;
            }
            if ((seen & 1 << i) != 0) {
                return null;
            }
            seen |= 1 << i;
            Object v = values.read(p, value, i);
            if (v == NOT_PLAIN) {
                return null;
            }
            out[i] = v;
        }
        return t == JsonToken.END_OBJECT ? out : null;
    }

    /** The index of a field of {@link AgentMessages.HeartbeatRequest}, in the order of its components. */
    private static int requestField(String name) {
        return switch (name) {
            case "version" -> 0;
            case "hostname" -> 1;
            case "internalIp" -> 2;
            case "capabilities" -> 3;
            case "metrics" -> 4;
            case "state" -> 5;
            default -> -1;
        };
    }

    private static Object requestValue(JsonParser p, JsonToken t, int field) throws IOException {
        return switch (field) {
            case 3 -> strings(p, t);
            case 4 -> metrics(p, t);
            default -> t == JsonToken.VALUE_NULL ? null : t == JsonToken.VALUE_STRING ? p.getText() : NOT_PLAIN;
        };
    }

    private static Object strings(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.START_ARRAY) {
            return NOT_PLAIN;
        }
        List<String> list = new ArrayList<>();
        JsonToken e;
        while ((e = p.nextToken()) == JsonToken.VALUE_STRING) {
            list.add(p.getText());
        }
        return e == JsonToken.END_ARRAY ? list : NOT_PLAIN;
    }

    private static Object metrics(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.START_OBJECT) {
            return NOT_PLAIN;
        }
        Object[] v = fields(p, 8, HeartbeatRequestReader::metricField, HeartbeatRequestReader::metricValue);
        return v == null ? NOT_PLAIN : new AgentMetrics((Double) v[0], (Double) v[1], (Double) v[2], (Long) v[3], (Long) v[4],
                (Long) v[5], (Long) v[6], (Integer) v[7]);
    }

    /** The index of a field of {@link AgentMetrics}, in the order of its components. */
    private static int metricField(String name) {
        return switch (name) {
            case "loadAvg1m" -> 0;
            case "loadAvg5m" -> 1;
            case "loadAvg15m" -> 2;
            case "memoryTotalBytes" -> 3;
            case "memoryAvailableBytes" -> 4;
            case "networkRxBytes" -> 5;
            case "networkTxBytes" -> 6;
            case "numCpus" -> 7;
            default -> -1;
        };
    }

    /**
     * Load averages from any number; counts only from an integer (a fraction is the data binding's to
     * coerce); one out of range throws, and the data binding then gives its answer.
     */
    private static Object metricValue(JsonParser p, JsonToken t, int field) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (field <= 2) {
            return t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT ? p.getDoubleValue() : NOT_PLAIN;
        }
        if (t != JsonToken.VALUE_NUMBER_INT) {
            return NOT_PLAIN;
        }
        return field == 7 ? (Object) p.getIntValue() : (Object) p.getLongValue();
    }
}
