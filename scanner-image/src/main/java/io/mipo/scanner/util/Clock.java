package io.mipo.scanner.util;

/** A monotonic nanosecond clock, injectable so timing logic can be tested without sleeping. */
@FunctionalInterface
public interface Clock {
    Clock SYSTEM = System::nanoTime;

    long nanoTime();
}
