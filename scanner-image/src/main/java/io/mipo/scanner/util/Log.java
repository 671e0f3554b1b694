package io.mipo.scanner.util;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Line-oriented log to one stream (stderr in production, where systemd's journal or the
 * container runtime collects it). Every line passes through {@link Secrets#redact}.
 */
public final class Log {
    private final PrintStream out;
    private final boolean debug;

    public Log(PrintStream out, boolean debug) {
        this.out = out;
        this.debug = debug;
    }

    public static Log stderr() {
        String level = System.getenv("MIPO_LOG_LEVEL");
        return new Log(System.err, "debug".equalsIgnoreCase(level));
    }

    public void info(String format, Object... args) {
        line("INFO ", format, args);
    }

    public void warn(String format, Object... args) {
        line("WARN ", format, args);
    }

    public void error(String format, Object... args) {
        line("ERROR", format, args);
    }

    public void debug(String format, Object... args) {
        if (debug) {
            line("DEBUG", format, args);
        }
    }

    private void line(String level, String format, Object... args) {
        String message = args.length == 0 ? format : String.format(format, args);
        out.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + " " + level + " " + Secrets.redact(message));
    }
}
