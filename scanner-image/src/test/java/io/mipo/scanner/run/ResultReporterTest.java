package io.mipo.scanner.run;

import static io.mipo.scanner.FakeOperator.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mipo.scanner.FakeOperator;
import io.mipo.scanner.FakeOperator.Request;
import io.mipo.scanner.FakeOperator.Response;
import io.mipo.scanner.client.AgentClient;
import io.mipo.scanner.config.Credentials;
import io.mipo.scanner.scan.Finding;
import io.mipo.scanner.scan.ProbeState;
import io.mipo.scanner.util.Log;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Batches of {@code POST /scanner/results} stay within what the operator accepts (at most 1,000
 * findings, {@code Findings.MAX_BATCH} there), and a server with a lower limit gets the findings
 * in smaller batches instead of losing them.
 */
class ResultReporterTest {
    static final String KEY = "mipo_sk_" + "b".repeat(34) + "BAT1";

    FakeOperator operator;
    ResultReporter reporter;
    final ByteArrayOutputStream logs = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        operator = new FakeOperator();
    }

    @AfterEach
    void stop() {
        if (reporter != null) {
            reporter.stop(Duration.ofSeconds(2));
        }
        operator.close();
    }

    private ResultReporter reporter(int batchSize) {
        AgentSettings d = AgentSettings.defaults();
        AgentSettings settings = new AgentSettings(d.scanPause(), d.maxInFlight(), d.probeTimeout(), d.reportStates(),
                batchSize, Duration.ofMillis(50), d.maxBufferedFindings(), Duration.ofMillis(50), Duration.ofMillis(200),
                null);
        AgentClient client = new AgentClient(URI.create(operator.url()), "mipo-scanner/test", Duration.ofSeconds(2),
                Duration.ofSeconds(10));
        Session session = Session.fixed(new Credentials(operator.url(), "scn-batch", KEY, 30));
        Log log = new Log(new PrintStream(logs, true, StandardCharsets.UTF_8), false);
        reporter = new ResultReporter(client, session, settings, log, e -> {
        });
        return reporter;
    }

    /** {@code n} distinct findings: 127.0.0.1 on ports 1.. (the port identifies the finding). */
    private static List<Finding> findings(int n) {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        Instant now = Instant.now();
        List<Finding> out = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            out.add(new Finding(loopback, i, ProbeState.OPEN, now));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> batchOf(Request r) {
        return (List<Map<String, Object>>) r.body().get("findings");
    }

    private List<Integer> batchSizes() {
        return operator.requests("/scanner/results").stream().map(r -> batchOf(r).size()).collect(Collectors.toList());
    }

    /** The ports of every finding the server accepted (answered 2xx). */
    private Set<Long> acceptedPorts(int limit) {
        Set<Long> ports = new HashSet<>();
        for (Request r : operator.requests("/scanner/results")) {
            if (batchOf(r).size() <= limit) {
                batchOf(r).forEach(f -> ports.add((Long) f.get("port")));
            }
        }
        return ports;
    }

    @Test
    void aBatchSizeAboveTheServerLimitIsRefusedAtConfiguration() {
        AgentSettings d = AgentSettings.defaults();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AgentSettings(d.scanPause(),
                d.maxInFlight(), d.probeTimeout(), d.reportStates(), AgentSettings.MAX_RESULTS_BATCH + 1,
                d.resultsFlushInterval(), d.maxBufferedFindings(), d.backoffInitial(), d.backoffMax(), null));
        assertTrue(e.getMessage().contains("1000"), e.getMessage());
        assertEquals(1000, AgentSettings.MAX_RESULTS_BATCH, "the operator's Findings.MAX_BATCH");
    }

    @Test
    void manyFindingsGoOutInBatchesOfAtMostAThousand() throws Exception {
        operator.on("POST /scanner/results", r -> batchOf(r).size() > 1000
                ? Response.problem(413, "BATCH_TOO_LARGE", "Payload too large")
                : new Response(202, "application/json", "{\"accepted\":" + batchOf(r).size() + "}"));
        ResultReporter rr = reporter(1000);
        findings(2_500).forEach(rr::submit); // before start: all 2,500 wait at once
        rr.start();
        await("2,500 findings posted", 5000, () -> rr.posted() == 2_500);
        List<Integer> sizes = batchSizes();
        assertEquals(List.of(1000, 1000, 500), sizes, "batch sizes");
        assertEquals(2_500, acceptedPorts(1000).size(), "every finding once");
    }

    @Test
    void aServerWithASmallerLimitGetsTheFindingsSplitNotDropped() throws Exception {
        int serverLimit = 300;
        operator.on("POST /scanner/results", r -> batchOf(r).size() > serverLimit
                ? Response.problem(413, "BATCH_TOO_LARGE", "Payload too large")
                : new Response(202, "application/json", "{\"accepted\":" + batchOf(r).size() + "}"));
        ResultReporter rr = reporter(1000);
        findings(1_000).forEach(rr::submit);
        rr.start();
        await("1,000 findings posted", 5000, () -> rr.posted() == 1_000);
        List<Integer> sizes = batchSizes();
        // 1,000 refused, 500 refused, then batches of 250
        assertEquals(List.of(1000, 500, 250, 250, 250, 250), sizes, "batch sizes");
        assertEquals(1_000, acceptedPorts(serverLimit).size(), "every finding arrived: " + logs);
        assertEquals(250, rr.batchLimit(), "later batches keep the smaller size");
        assertFalse(logs.toString(StandardCharsets.UTF_8).contains("dropping"), logs.toString(StandardCharsets.UTF_8));
        assertTrue(logs.toString(StandardCharsets.UTF_8).contains("at most 250 per call"), logs.toString(StandardCharsets.UTF_8));
    }
}
