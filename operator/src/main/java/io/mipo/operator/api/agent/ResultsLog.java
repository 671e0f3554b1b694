package io.mipo.operator.api.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mipo.operator.observability.ResultsSink;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Findings as JSON lines, one per finding, written to the results sink ({@link ResultsSink}:
 * stdout through the log category {@value #CATEGORY} by default, or a file), never into the
 * operator's logs; each accepted finding counts in {@code mipo_findings_total{state}}.
 */
@Startup
@ApplicationScoped
public class ResultsLog {
    public static final String CATEGORY = ResultsSink.CATEGORY;
    public static final String METRIC_FINDINGS = "mipo.findings";

    /** One line; fields in this order. */
    record Line(String namespace, String scanner, String ip, int port, String state, String observedAt, String receivedAt) {
    }

    @Inject
    ObjectMapper mapper;

    @Inject
    ResultsSink sink;

    @Inject
    MeterRegistry registry;

    private final Map<String, Counter> findings = new ConcurrentHashMap<>();

    @PostConstruct
    void counters() {
        for (String state : new String[] {"open", "closed", "filtered"}) {
            counter(state); // present from the start, so that rates can be computed
        }
    }

    public void write(String namespace, String scanner, List<Findings.Finding> findings, Instant receivedAt) {
        String received = receivedAt.toString();
        List<String> lines = new ArrayList<>(findings.size());
        for (Findings.Finding f : findings) {
            try {
                lines.add(mapper.writeValueAsString(new Line(namespace, scanner, f.ip(), f.port(), f.state(), f.observedAt(), received)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a checked finding always serialises", e);
            }
        }
        sink.write(lines);
        for (Findings.Finding f : findings) {
            counter(f.state()).increment();
        }
    }

    private Counter counter(String state) {
        return findings.computeIfAbsent(state, s -> Counter.builder(METRIC_FINDINGS)
                .description("Findings accepted by POST /scanner/results, by port state").tag("state", s).register(registry));
    }
}
