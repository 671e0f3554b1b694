package io.mipo.operator.observability;

import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

/**
 * Where finding lines go, apart from the operator's logs (mipo.results.sink):
 * <ul>
 * <li>{@code stdout}: each line through the log category {@value #CATEGORY}, whose one handler
 * (set here, not by the logging configuration, so that no log format, text or JSON, applies to
 * it) prints the bare line on stdout; the category does not pass lines on to the log handlers;</li>
 * <li>{@code file}: each batch appended to mipo.results.file and flushed before the agent is
 * answered. The file is opened per batch, so a log rotator may move it away at any time.</li>
 * </ul>
 */
@Startup
@ApplicationScoped
public class ResultsSink {
    public static final String CATEGORY = "mipo.results";
    private static final Logger RESULTS = Logger.getLogger(CATEGORY);
    private static final Logger LOG = Logger.getLogger(ResultsSink.class);

    @Inject
    ResultsConfig config;

    private Path file;

    @PostConstruct
    void init() {
        if (config.sink() == ResultsConfig.Sink.STDOUT) {
            java.util.logging.Logger category = java.util.logging.Logger.getLogger(CATEGORY);
            category.setUseParentHandlers(false);
            for (Handler h : category.getHandlers()) {
                if (h instanceof BareLines) {
                    category.removeHandler(h);
                }
            }
            category.addHandler(new BareLines(new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8)));
        }
        if (config.sink() == ResultsConfig.Sink.FILE) {
            String f = config.file().map(String::trim).filter(s -> !s.isEmpty()).orElseThrow(() -> new IllegalStateException(
                    "mipo.results.sink=file needs mipo.results.file, the path of the findings file"));
            file = Path.of(f).toAbsolutePath();
            try {
                if (file.getParent() != null) {
                    Files.createDirectories(file.getParent());
                }
                Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND).close();
            } catch (IOException e) {
                throw new IllegalStateException("mipo.results.file " + file + " cannot be written: " + e, e);
            }
            LOG.infof("Findings are written to %s (mipo.results.sink=file)", file);
        }
    }

    /** Prints each record's message as it is, one line, flushed: no level, time or other format. */
    static final class BareLines extends Handler {
        private final PrintStream out;

        BareLines(PrintStream out) {
            this.out = out;
        }

        @Override
        public void publish(LogRecord record) {
            String line = record.getMessage() + "\n";
            synchronized (out) {
                out.print(line);
                out.flush();
            }
        }

        @Override
        public void flush() {
            out.flush();
        }

        @Override
        public void close() {
            out.flush();
        }
    }

    /** Writes every line, or throws (the agent is then answered 500 and sends the batch again). */
    public void write(List<String> lines) {
        if (file == null) {
            for (String line : lines) {
                RESULTS.info(line);
            }
            return;
        }
        synchronized (this) {
            try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
                for (String line : lines) {
                    w.write(line);
                    w.write('\n');
                }
            } catch (IOException e) {
                throw new UncheckedIOException("findings could not be written to " + file, e);
            }
        }
    }
}
