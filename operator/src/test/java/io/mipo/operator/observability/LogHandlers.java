package io.mipo.operator.observability;

import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.LogContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

/** The handlers Quarkus configured, and a handler that keeps what it is given (with its MDC). */
final class LogHandlers {
    private LogHandlers() {
    }

    /** Every handler below the root logger, through Quarkus' delayed and async wrappers. */
    static List<Handler> rootHandlers() {
        List<Handler> all = new ArrayList<>();
        for (Handler h : LogContext.getLogContext().getLogger("").getHandlers()) {
            collect(h, all);
        }
        return all;
    }

    private static void collect(Handler h, List<Handler> into) {
        into.add(h);
        if (h instanceof ExtHandler ext) {
            for (Handler child : ext.getHandlers()) {
                collect(child, into);
            }
        }
    }

    /** The console handler Quarkus set up from quarkus.log.console.*. */
    static Handler console() {
        return rootHandlers().stream().filter(h -> h instanceof org.jboss.logmanager.handlers.ConsoleHandler).findFirst()
                .orElseThrow(() -> new AssertionError("no console handler below the root logger: " + rootHandlers()));
    }

    /** Keeps the records it is given; the MDC is copied at once, as an async handler would. */
    static final class Capture extends Handler {
        final List<ExtLogRecord> records = new CopyOnWriteArrayList<>();

        @Override
        public void publish(LogRecord record) {
            if (record instanceof ExtLogRecord r) {
                r.copyMdc();
                records.add(r);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        boolean anyMessageContains(String text) {
            return records.stream().anyMatch(r -> String.valueOf(r.getFormattedMessage()).contains(text));
        }
    }
}
