package io.mipo.operator.liveness;

import io.mipo.operator.scanner.ScannerReconciler;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ClientProxy;

import java.lang.reflect.Field;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock the test moves by hand, put in place of the system clock where liveness reads the time (the
 * heartbeat intake and sweeper in {@link Liveness}, the phase decision in {@link ScannerReconciler})
 * of the running application, and the system clocks put back on {@link #close}. Starts at the real now,
 * so nothing the application did before looks as if it happened in the future.
 */
final class InjectedClock extends Clock implements AutoCloseable {
    private volatile Instant now = Instant.now();
    private final Liveness liveness;
    private final Object reconciler;
    private final Clock livenessBefore;
    private final Clock reconcilerBefore;

    InjectedClock() {
        liveness = ClientProxy.unwrap(Arc.container().instance(Liveness.class).get());
        reconciler = ClientProxy.unwrap(Arc.container().instance(ScannerReconciler.class).get());
        livenessBefore = liveness.clock;
        reconcilerBefore = swap(reconciler, this);
        liveness.clock = this;
    }

    long millis(Instant at) {
        return at.toEpochMilli();
    }

    /** Moves the clock to {@code at} (never backwards). */
    synchronized void set(Instant at) {
        if (at.isAfter(now)) {
            now = at;
        }
    }

    void advance(Duration d) {
        set(now.plus(d));
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public void close() {
        liveness.clock = livenessBefore;
        swap(reconciler, reconcilerBefore);
    }

    private static Clock swap(Object target, Clock clock) {
        try {
            Field f = ScannerReconciler.class.getDeclaredField("clock");
            f.setAccessible(true);
            Clock before = (Clock) f.get(target);
            f.set(target, clock);
            return before;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot inject the clock into ScannerReconciler", e);
        }
    }
}
