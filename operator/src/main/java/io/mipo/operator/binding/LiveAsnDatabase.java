package io.mipo.operator.binding;

import io.mipo.operator.config.MipoConfig;
import io.mipo.operator.net.AsnDatabase;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The AS database named by {@code mipo.asn.database}, reloaded when the file changes (its
 * modification time, size or identity; polled every {@code mipo.asn.reload-interval}). When none
 * is configured, or the file cannot be read, there is no database: {@code asn} bindings then fail
 * closed and say why in their {@code AsnDatabaseAvailable} condition.
 */
@ApplicationScoped
public class LiveAsnDatabase {
    private static final Logger LOG = Logger.getLogger(LiveAsnDatabase.class);

    public static final String LOADED = "Loaded";
    public static final String NOT_CONFIGURED = "NotConfigured";
    public static final String UNREADABLE = "Unreadable";

    /** The database in use (empty when unavailable), with a condition reason and message. */
    public record Availability(Optional<AsnDatabase> database, String reason, String message) {
        public boolean available() {
            return database.isPresent();
        }
    }

    private record Stamp(long modified, long size, Object fileKey) {
    }

    private static final Stamp MISSING = new Stamp(-2, -2, null);

    @Inject
    MipoConfig config;

    private Optional<Path> path = Optional.empty();
    private volatile Availability current = new Availability(Optional.empty(), NOT_CONFIGURED,
            "No AS database is configured (mipo.asn.database): asn bindings fail closed.");
    private Stamp loadedStamp;
    private volatile Optional<Instant> loadedModified = Optional.empty();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    public LiveAsnDatabase() {
    }

    /** For tests and tools: watch this file (or nothing). */
    public LiveAsnDatabase(Optional<Path> path) {
        this.path = path;
        reloadIfChanged();
    }

    @PostConstruct
    void init() {
        path = config.asn().database().map(String::trim).filter(s -> !s.isEmpty()).map(Path::of);
        reloadIfChanged();
    }

    public Availability current() {
        return current;
    }

    /**
     * When the data in use was built: the build time a MaxMind DB records, else the file's
     * modification time. Empty when no database is in use.
     */
    public Optional<Instant> dataTime() {
        Availability a = current;
        Optional<Instant> modified = loadedModified;
        return a.database().flatMap(db -> db.builtAt().or(() -> modified));
    }

    /** Called (on the polling thread) whenever the availability or the loaded database changes. */
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    @Scheduled(every = "${mipo.asn.reload-interval:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        reloadIfChanged();
    }

    /** Loads the file if it changed since the last look; returns true when the availability changed. */
    public synchronized boolean reloadIfChanged() {
        if (path.isEmpty()) {
            return false;
        }
        Path p = path.get();
        Stamp stamp;
        try {
            BasicFileAttributes attrs = Files.readAttributes(p, BasicFileAttributes.class);
            stamp = new Stamp(attrs.lastModifiedTime().toMillis(), attrs.size(), attrs.fileKey());
        } catch (NoSuchFileException e) {
            stamp = MISSING;
        } catch (IOException e) {
            stamp = new Stamp(-1, -1, e.getClass().getName());
        }
        if (loadedStamp != null && Objects.equals(stamp, loadedStamp)) {
            return false;
        }
        Availability next;
        if (stamp == MISSING) {
            next = new Availability(Optional.empty(), UNREADABLE,
                    "The AS database " + p + " does not exist: asn bindings fail closed.");
        } else {
            try {
                AsnDatabase db = AsnDatabase.open(p);
                next = new Availability(Optional.of(db), LOADED, "Using " + db.description() + " from " + p + ".");
            } catch (IOException | RuntimeException e) {
                next = new Availability(Optional.empty(), UNREADABLE,
                        "The AS database " + p + " cannot be read (" + e.getMessage() + "): asn bindings fail closed.");
            }
        }
        loadedStamp = stamp;
        loadedModified = next.available() && stamp.modified() >= 0 ? Optional.of(Instant.ofEpochMilli(stamp.modified())) : Optional.empty();
        boolean changed = !Objects.equals(next.reason(), current.reason()) || !Objects.equals(next.message(), current.message())
                || next.available();
        // The old database is not closed: a lookup may still be running on it; it is garbage once unused.
        current = next;
        if (next.available()) {
            LOG.infof("AS database loaded: %s", next.message());
        } else {
            LOG.warnf("%s", next.message());
        }
        if (changed) {
            for (Runnable l : listeners) {
                try {
                    l.run();
                } catch (RuntimeException e) {
                    LOG.warnf(e, "AS database change listener failed");
                }
            }
        }
        return changed;
    }
}
