package io.mipo.operator.api.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;

/**
 * The default results sink: each finding becomes one JSON line on the log category
 * {@value #CATEGORY}, so users send results wherever they like with ordinary logging configuration
 * (a file, syslog, a JSON log shipper) without mipo knowing about it. application.properties gives
 * the category its own handler that writes the bare line, so stdout carries clean JSON lines.
 */
@ApplicationScoped
public class ResultsLog {
    public static final String CATEGORY = "mipo.results";
    private static final Logger LOG = Logger.getLogger(CATEGORY);

    /** One line; fields in this order. */
    record Line(String namespace, String scanner, String ip, int port, String state, String observedAt, String receivedAt) {
    }

    @Inject
    ObjectMapper mapper;

    public void write(String namespace, String scanner, List<Findings.Finding> findings, Instant receivedAt) {
        String received = receivedAt.toString();
        for (Findings.Finding f : findings) {
            try {
                LOG.info(mapper.writeValueAsString(new Line(namespace, scanner, f.ip(), f.port(), f.state(), f.observedAt(), received)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a checked finding always serialises", e);
            }
        }
    }
}
