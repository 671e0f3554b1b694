package io.mipo.operator.observability;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** Where findings ({@code POST /scanner/results}) go: docs/operations.md, "Findings". */
@ConfigMapping(prefix = "mipo.results")
public interface ResultsConfig {

    enum Sink {
        /** One bare JSON line per finding on stdout, through the log category mipo.results (never the log format). */
        STDOUT,
        /** One JSON line per finding appended to {@code mipo.results.file}; nothing on stdout. */
        FILE
    }

    /** {@code stdout} (default) or {@code file}. */
    @WithDefault("stdout")
    Sink sink();

    /** The JSON-lines file of the {@code file} sink; created with its directories when missing. */
    Optional<String> file();
}
