package io.mipo.operator.observability;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/** Findings to a file, logs as JSON lines: the two switches an operator of the operator turns. */
public class FileSinkProfile implements QuarkusTestProfile {
    /** A fresh file per run, in a directory that does not exist yet (the sink creates it). */
    static final Path FILE = Path.of("target", "results-sink-" + UUID.randomUUID(), "findings.jsonl").toAbsolutePath();

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("mipo.results.sink", "file",
                "mipo.results.file", FILE.toString(),
                "quarkus.log.console.json.enabled", "true");
    }
}
