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
    private static final int VERSION = 1;
    private static final int HOSTNAME = 1 << 1;
    private static final int INTERNAL_IP = 1 << 2;
    private static final int CAPABILITIES = 1 << 3;
    private static final int METRICS = 1 << 4;
    private static final int STATE = 1 << 5;

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
            String version = null;
            String hostname = null;
            String internalIp = null;
            List<String> capabilities = null;
            AgentMetrics metrics = null;
            String state = null;
            int seen = 0;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                int bit = switch (field) {
                    case "version" -> VERSION;
                    case "hostname" -> HOSTNAME;
                    case "internalIp" -> INTERNAL_IP;
                    case "capabilities" -> CAPABILITIES;
                    case "metrics" -> METRICS;
                    case "state" -> STATE;
                    default -> 0;
                };
                if (bit == 0) {
                    p.skipChildren(); // not ours: ignored, as the data binding is told to
                    continue;
                }
                if ((seen & bit) != 0) {
                    return null;
                }
                seen |= bit;
                Object v = switch (bit) {
                    case CAPABILITIES -> strings(p, value);
                    case METRICS -> metrics(p, value);
                    default -> string(p, value);
                };
                if (v == NOT_PLAIN) {
                    return null;
                }
                switch (bit) {
                    case VERSION -> version = (String) v;
                    case HOSTNAME -> hostname = (String) v;
                    case INTERNAL_IP -> internalIp = (String) v;
                    case CAPABILITIES -> capabilities = cast(v);
                    case METRICS -> metrics = (AgentMetrics) v;
                    default -> state = (String) v;
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                return null;
            }
            return new AgentMessages.HeartbeatRequest(version, hostname, internalIp, capabilities, metrics, state);
        } catch (JsonProcessingException e) {
            return null; // the data binding reads it again and says what is wrong
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> cast(Object v) {
        return (List<String>) v;
    }

    private static Object string(JsonParser p, JsonToken t) throws IOException {
        return t == JsonToken.VALUE_NULL ? null : t == JsonToken.VALUE_STRING ? p.getText() : NOT_PLAIN;
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
        Double load1 = null;
        Double load5 = null;
        Double load15 = null;
        Long memoryTotal = null;
        Long memoryAvailable = null;
        Long rx = null;
        Long tx = null;
        Integer cpus = null;
        int seen = 0;
        JsonToken f;
        while ((f = p.nextToken()) == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            int bit = switch (field) {
                case "loadAvg1m" -> 1;
                case "loadAvg5m" -> 1 << 1;
                case "loadAvg15m" -> 1 << 2;
                case "memoryTotalBytes" -> 1 << 3;
                case "memoryAvailableBytes" -> 1 << 4;
                case "networkRxBytes" -> 1 << 5;
                case "networkTxBytes" -> 1 << 6;
                case "numCpus" -> 1 << 7;
                default -> 0;
            };
            if (bit == 0) {
                p.skipChildren();
                continue;
            }
            if ((seen & bit) != 0) {
                return NOT_PLAIN;
            }
            seen |= bit;
            if (v == JsonToken.VALUE_NULL) {
                continue;
            }
            boolean integer = v == JsonToken.VALUE_NUMBER_INT;
            if (bit <= 1 << 2) {
                if (!integer && v != JsonToken.VALUE_NUMBER_FLOAT) {
                    return NOT_PLAIN;
                }
                double d = p.getDoubleValue();
                switch (bit) {
                    case 1 -> load1 = d;
                    case 1 << 1 -> load5 = d;
                    default -> load15 = d;
                }
                continue;
            }
            if (!integer) {
                return NOT_PLAIN; // a fraction where a count is due: the data binding decides
            }
            if (bit == 1 << 7) {
                cpus = p.getIntValue(); // out of range: an exception, and the data binding's answer
                continue;
            }
            long n = p.getLongValue();
            switch (bit) {
                case 1 << 3 -> memoryTotal = n;
                case 1 << 4 -> memoryAvailable = n;
                case 1 << 5 -> rx = n;
                default -> tx = n;
            }
        }
        if (f != JsonToken.END_OBJECT) {
            return NOT_PLAIN;
        }
        return new AgentMetrics(load1, load5, load15, memoryTotal, memoryAvailable, rx, tx, cpus);
    }
}
