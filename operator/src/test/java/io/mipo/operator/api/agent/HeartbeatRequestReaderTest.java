package io.mipo.operator.api.agent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The heartbeat reader's token-stream path answers what Jackson's data binding answers, and leaves
 * to the data binding every body it does not read the same way.
 */
class HeartbeatRequestReaderTest {
    private static final String AGENT_BODY = "{\"version\":\"1.4.2\",\"hostname\":\"edge-1.example.com\",\"internalIp\":\"10.0.0.7\","
            + "\"capabilities\":[\"tcp-connect\",\"ipv4\",\"ipv6\",\"fractional-rate\",\"results-batch\"],"
            + "\"metrics\":{\"numCpus\":4,\"loadAvg1m\":0.5,\"loadAvg5m\":0.42,\"loadAvg15m\":1,\"memoryTotalBytes\":8000000000,"
            + "\"memoryAvailableBytes\":4000000000,\"networkRxBytes\":123456789,\"networkTxBytes\":98765432},\"state\":\"idle\"}";

    private final ObjectMapper mapper = new ObjectMapper();
    private final ObjectReader binding = mapper.readerFor(AgentMessages.HeartbeatRequest.class)
            .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private final HeartbeatRequestReader reader = new HeartbeatRequestReader(mapper);

    @Test
    void whatAgentsSendIsReadFromTheTokenStream() throws Exception {
        for (String body : List.of(AGENT_BODY, "{}", "{\"version\":\"1.0.0\"}",
                "{\"version\":null,\"capabilities\":[],\"metrics\":{},\"newerField\":{\"a\":[1,{\"b\":null}]},\"state\":\"scanning\"}",
                " {\"metrics\":{\"loadAvg1m\":-0.0,\"numCpus\":null,\"future\":[1,2]},\"hostname\":\"h\\u0041\"} \n")) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            AgentMessages.HeartbeatRequest plain = reader.plain(bytes);
            assertNotNull(plain, "not read from the token stream: " + body);
            assertEquals(binding.readValue(bytes), plain, body);
        }
        AgentMessages.HeartbeatRequest r = reader.read(AGENT_BODY.getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("tcp-connect", "ipv4", "ipv6", "fractional-rate", "results-batch"), r.capabilities());
        assertEquals(1.0, r.metrics().loadAvg15m());
        assertEquals(8_000_000_000L, r.metrics().memoryTotalBytes());
        assertEquals("idle", r.state());
    }

    @Test
    void whatItDoesNotReadTheSameWayIsLeftToTheDataBinding() throws Exception {
        for (String body : List.of("null", "[]", "5", "\"x\"", "{\"version\":1}", "{\"version\":true}", "{\"version\":\"a\",\"version\":\"b\"}",
                "{\"capabilities\":\"ipv4\"}", "{\"capabilities\":[\"ipv4\",null]}", "{\"capabilities\":[1]}",
                "{\"metrics\":{\"numCpus\":4.5}}", "{\"metrics\":{\"numCpus\":\"4\"}}", "{\"metrics\":{\"memoryTotalBytes\":1e3}}",
                "{\"metrics\":{\"numCpus\":99999999999}}", "{\"metrics\":{\"networkRxBytes\":99999999999999999999}}",
                "{\"metrics\":{\"loadAvg1m\":\"0.5\"}}", "{\"metrics\":[]}", "{\"state\":\"idle\"} {}", "{\"state\":\"idle\"", "{\"version\"")) {
            assertNull(reader.plain(body.getBytes(StandardCharsets.UTF_8)), "read from the token stream: " + body);
        }
    }

    /**
     * Generated bodies (each field absent, null, of its type, of another type, twice; unknown fields;
     * then cut short or with a character changed): where the token-stream path answers, it answers
     * what the data binding does; everywhere {@code read} answers or fails as the data binding does.
     */
    @Test
    void onGeneratedBodiesTheAnswerIsTheDataBindingsAnswer() throws Exception {
        Random random = new Random(42);
        int plainCount = 0;
        int refused = 0;
        int n = 60_000;
        for (int i = 0; i < n; i++) {
            String body = generated(random);
            if (random.nextInt(4) == 0) {
                body = mutated(body, random);
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            String expected = outcome(() -> binding.readValue(bytes));
            String actual = outcome(() -> reader.read(bytes));
            String b = body;
            assertEquals(expected, actual, () -> "body " + b);
            AgentMessages.HeartbeatRequest plain = reader.plain(bytes);
            if (plain != null) {
                plainCount++;
                assertEquals(expected, "value " + plain, () -> "token-stream path on body " + b);
            }
            if (expected.startsWith("error")) {
                refused++;
            }
        }
        // the generator is not degenerate: both paths and refusals are exercised
        int plainShare = plainCount;
        int refusedShare = refused;
        assertTrue(plainShare > n / 4 && refusedShare > n / 20, () -> plainShare + " of " + n + " read from the token stream, "
                + refusedShare + " refused");
    }

    private interface Read {
        Object read() throws Exception;
    }

    private static String outcome(Read r) {
        try {
            return "value " + r.read();
        } catch (Exception e) {
            return "error " + e.getClass().getName() + ": " + e.getMessage();
        }
    }

    private static final String[] STRING_FIELDS = {"version", "hostname", "internalIp", "state"};
    private static final String[] METRIC_FIELDS = {"loadAvg1m", "loadAvg5m", "loadAvg15m", "memoryTotalBytes",
        "memoryAvailableBytes", "networkRxBytes", "networkTxBytes", "numCpus"};

    /** Half of them with each field absent, null or of its type only; the other half hostile too. */
    private static String generated(Random random) {
        boolean hostile = random.nextBoolean();
        List<String> fields = new ArrayList<>();
        for (String f : STRING_FIELDS) {
            field(fields, f, hostile, random, () -> "\"" + word(random) + "\"");
        }
        field(fields, "capabilities", hostile, random, () -> {
            StringBuilder b = new StringBuilder("[");
            int k = random.nextInt(4);
            for (int j = 0; j < k; j++) {
                b.append(j > 0 ? "," : "").append(hostile && random.nextInt(10) == 0 ? anyValue(random) : "\"" + word(random) + "\"");
            }
            return b.append(']').toString();
        });
        field(fields, "metrics", hostile, random, () -> {
            List<String> m = new ArrayList<>();
            for (String f : METRIC_FIELDS) {
                field(m, f, hostile, random, () -> hostile ? number(random) : (f.startsWith("load") ? "0.5" : "4"));
            }
            java.util.Collections.shuffle(m, random);
            return "{" + String.join(",", m) + "}";
        });
        if (random.nextInt(3) == 0) {
            fields.add("\"extra" + random.nextInt(3) + "\":" + anyValue(random));
        }
        java.util.Collections.shuffle(fields, random);
        return "{" + String.join(random.nextBoolean() ? "," : " , ", fields) + "}";
    }

    /** Absent, null, a value of the type, any value, or twice. */
    private static void field(List<String> into, String name, boolean hostile, Random random, java.util.function.Supplier<String> typed) {
        switch (hostile ? random.nextInt(8) : 4 + random.nextInt(5)) {
            case 0, 8 -> { }
            case 1, 4 -> into.add("\"" + name + "\":null");
            case 2 -> into.add("\"" + name + "\":" + anyValue(random));
            case 3 -> {
                into.add("\"" + name + "\":" + typed.get());
                into.add("\"" + name + "\":" + typed.get());
            }
            default -> into.add("\"" + name + "\":" + typed.get());
        }
    }

    private static String word(Random random) {
        String[] words = {"1.4.2", "idle", "scanning", "10.0.0.7", "edge-1", "", "ipv4", "caf\\u00e9", "a\\\"b"};
        return words[random.nextInt(words.length)];
    }

    private static String number(Random random) {
        String[] numbers = {"0", "4", "-1", "0.5", "1e3", "8000000000", "99999999999999999999", "2147483648", "-0.0", "1.0"};
        return numbers[random.nextInt(numbers.length)];
    }

    private static String anyValue(Random random) {
        return switch (random.nextInt(7)) {
            case 0 -> "true";
            case 1 -> number(random);
            case 2 -> "\"" + word(random) + "\"";
            case 3 -> "[1,\"x\",null]";
            case 4 -> "{\"a\":{\"b\":[]}}";
            case 5 -> "null";
            default -> "[]";
        };
    }

    private static String mutated(String body, Random random) {
        if (body.isEmpty()) {
            return body;
        }
        int at = random.nextInt(body.length());
        if (random.nextBoolean()) {
            return body.substring(0, at);
        }
        String replacement = String.valueOf("{}[]\",:0a ".charAt(random.nextInt(10)));
        return body.substring(0, at) + replacement + body.substring(at + 1);
    }
}
