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
 * the snapshot file, in the background, on a thread of its own (never the API server's event loop).
 * A save rewrites the whole snapshot, so it is done seldom enough that its cost per write stays
 * bounded however many objects there are:
 * <ul>
 * <li>when the log has grown as large as the snapshot (and at least {@link #MIN_LOG_BYTES}): each
 *     byte appended to the log then pays for at most one byte of snapshot;</li>
 * <li>after {@link #QUIET} without writes, when the log holds at least an eighth of the snapshot's
 *     size (so a quiet store's file catches up, and a start replays little);</li>
 * <li>on {@link #flush()} (start and shutdown).</li>
 * </ul>
 * Between saves nothing is at risk: the log holds every change and is replayed over the snapshot on start.
 */
final class StoreWriter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StoreWriter.class);
    static final long MIN_LOG_BYTES = 4L << 20;
    static final Duration QUIET = Duration.ofSeconds(30);
    static final Duration RETRY = Duration.ofSeconds(5);

    private final ObjectStore store;
    private final StoreFile file;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean saveScheduled = new AtomicBoolean();
    private final AtomicBoolean quietCheckScheduled = new AtomicBoolean();
    private final AtomicLong changes = new AtomicLong();
    private volatile long lastChangeNanos = System.nanoTime();
    private long savedChanges;
    private volatile long snapshotBytes;
    private volatile Instant lastSavedAt;
    private volatile String lastError;
    private final AtomicLong saves = new AtomicLong();

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
        lastChangeNanos = System.nanoTime();
        if (store.logBytes() >= Math.max(MIN_LOG_BYTES, snapshotBytes)) {
            scheduleSave(Duration.ZERO);
        } else {
            scheduleQuietCheck(QUIET);
        }
    }

    private void scheduleSave(Duration after) {
        if (saveScheduled.compareAndSet(false, true)) {
            try {
                executor.schedule(this::scheduledSave, after.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shutting down: close() saves what is there
                saveScheduled.set(false);
            }
        }
    }

    private void scheduleQuietCheck(Duration after) {
        if (quietCheckScheduled.compareAndSet(false, true)) {
            try {
                executor.schedule(this::quietCheck, after.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                quietCheckScheduled.set(false);
            }
        }
    }

    private void scheduledSave() {
        saveScheduled.set(false);
        if (!flush()) {
            scheduleSave(RETRY);
        }
    }

    private void quietCheck() {
        quietCheckScheduled.set(false);
        if (changes.get() == savedChanges) {
            return;
        }
        long quietFor = System.nanoTime() - lastChangeNanos;
        if (quietFor < QUIET.toNanos()) {
            scheduleQuietCheck(Duration.ofNanos(QUIET.toNanos() - quietFor));
        } else if (store.logBytes() >= snapshotBytes / 8) {
            if (!flush()) {
                scheduleSave(RETRY);
            }
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
            saves.incrementAndGet();
            snapshotBytes = java.nio.file.Files.size(file.path());
            lastSavedAt = Instant.now();
            LOG.debugf("Standalone store saved: %d bytes in %d ms", snapshotBytes, (System.nanoTime() - start) / 1_000_000);
            if (lastError != null) {
                LOG.infof("The standalone store is saved again to %s", file.path());
            }
            lastError = null;
            return true;
        } catch (Exception e) {
            lastError = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.errorf(e, "Cannot save the standalone store to %s; objects written since the last save "
                    + "are in the log %s only. Retrying in %ss.", file.path(), WriteAheadLog.FILE, RETRY.toSeconds());
            return false;
        }
    }

    /** Snapshots written since start (tests: saving must not follow every few writes). */
    long saves() {
        return saves.get();
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
