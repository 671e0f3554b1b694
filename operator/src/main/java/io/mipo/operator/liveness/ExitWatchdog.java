package io.mipo.operator.liveness;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;

/**
 * Makes sure a replica that lost the Lease is gone within {@link #GRACE}. The Operator SDK calls
 * {@code System.exit(1)} right after the stop-leading callback, and {@code System.exit} waits for the
 * shutdown hooks; a hook that waits in turn (the Operator SDK's executors give their tasks a
 * termination timeout, and the thread calling exit is one of them) could keep a deposed leader
 * alive for many seconds, serving and reconciling beside the new leader. Armed from the callback,
 * this daemon thread halts the JVM with status 1 when the orderly exit has not finished in time.
 */
final class ExitWatchdog {
    private static final Logger LOG = Logger.getLogger(ExitWatchdog.class);
    /** How long the orderly shutdown of a deposed leader may take before the JVM is halted. */
    static final Duration GRACE = Duration.ofSeconds(5);

    private final Duration grace;
    private final IntConsumer halt;
    private final AtomicBoolean armed = new AtomicBoolean();

    ExitWatchdog() {
        this(GRACE, status -> Runtime.getRuntime().halt(status));
    }

    ExitWatchdog(Duration grace, IntConsumer halt) {
        this.grace = grace;
        this.halt = halt;
    }

    /** Starts the countdown once; later calls do nothing. Returns the watchdog thread, or null when already armed. */
    Thread arm() {
        if (!armed.compareAndSet(false, true)) {
            return null;
        }
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(grace.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            LOG.errorf("The orderly exit after losing the Lease took longer than %s: halting", grace);
            halt.accept(1);
        }, "mipo-exit-watchdog");
        t.setDaemon(true);
        t.start();
        return t;
    }

    boolean armed() {
        return armed.get();
    }
}
