package io.mipo.operator.standalone;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Compacts the write-ahead log ({@link WriteAheadLog}, which makes every answered write durable) into
 * the snapshot file. Saves the store after writes, debounced: the first change schedules a save a short moment later,
 * and changes until then ride along. The pause grows with the time a save takes, so a large store
 * under heavy write load spends at most about a third of its time writing snapshots. Saves run on a
 * thread of their own, never on the API server's event loop; {@link #flush()} saves at once (shutdown).
 */
final class StoreWriter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StoreWriter.class);
    static final Duration MIN_DELAY = Duration.ofMillis(200);
    static final Duration MAX_DELAY = Duration.ofSeconds(5);

    private final ObjectStore store;
    private final StoreFile file;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicLong changes = new AtomicLong();
    private long savedChanges;
    private volatile Duration lastSaveTook = Duration.ZERO;
    private volatile Instant lastSavedAt;
    private volatile String lastError;

    StoreWriter(ObjectStore store, StoreFile file) {
        this.store = store;
        this.file = file;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mipo-standalone-store");
            t.setDaemon(true);
            return t;
        });
    }

    /** Called after each write that changed the store. */
    void changed() {
        changes.incrementAndGet();
        schedule(delay());
    }

    private void schedule(Duration after) {
        if (scheduled.compareAndSet(false, true)) {
            try {
                executor.schedule(this::scheduledSave, after.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shutting down: close() saves what is there
                scheduled.set(false);
            }
        }
    }

    private Duration delay() {
        Duration adaptive = lastSaveTook.multipliedBy(2);
        if (adaptive.compareTo(MIN_DELAY) < 0) {
            return MIN_DELAY;
        }
        return adaptive.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : adaptive;
    }

    private void scheduledSave() {
        scheduled.set(false);
        if (!flush()) {
            schedule(MAX_DELAY);
        }
    }

    /** Saves now if anything changed since the last save; true when the file is up to date. */
    synchronized boolean flush() {
        long seen = changes.get();
        if (seen == savedChanges && lastSavedAt != null) {
            return true;
        }
        long start = System.nanoTime();
        try {
            file.save(store.snapshotSealingLog());
            store.sealedLogSaved();
            savedChanges = seen;
            lastSaveTook = Duration.ofNanos(System.nanoTime() - start);
            lastSavedAt = Instant.now();
            if (lastError != null) {
                LOG.infof("The standalone store is saved again to %s", file.path());
            }
            lastError = null;
            return true;
        } catch (Exception e) {
            lastError = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.errorf(e, "Cannot save the standalone store to %s; objects written since the last save "
                    + "would be lost on restart. Retrying in %ss.", file.path(), MAX_DELAY.toSeconds());
            return false;
        }
    }

    Instant lastSavedAt() {
        return lastSavedAt;
    }

    /** Why the last save failed, or null when it succeeded. */
    String lastError() {
        return lastError;
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
    }
}
