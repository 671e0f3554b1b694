package io.mipo.operator.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Crash safety of standalone mode: every change to the embedded API server's objects is appended to
 * {@code <data-dir>/store.wal} and forced to disk before the write is answered, so a client never
 * hears of a write that a crash (kill -9, power loss) can take back. The snapshot {@code store.json}
 * is still written in the background ({@link StoreWriter}); each save compacts the log:
 * <ol>
 * <li>under the store's write lock, the snapshot is taken and the log is sealed
 *     ({@code store.wal} renamed to {@code store.wal.sealed}, a new empty log opened);</li>
 * <li>the snapshot is written (atomically, see {@link StoreFile});</li>
 * <li>the sealed log is deleted.</li>
 * </ol>
 * On start the snapshot is loaded and the sealed log, then the current one, are replayed over it.
 * Each line holds an object's whole new state (or its deletion), so replaying a log whose changes
 * the snapshot already holds ends in the same state. A torn last line (a crash during an append,
 * never answered) is ignored.
 */
final class WriteAheadLog implements AutoCloseable {
    static final String FILE = "store.wal";
    static final String SEALED = "store.wal.sealed";

    private final Path dir;
    private final Path current;
    private final Path sealed;
    private FileChannel channel;
    private final List<byte[]> pending = new ArrayList<>();
    private volatile long appended;

    WriteAheadLog(Path dataDir) {
        this.dir = dataDir;
        this.current = dataDir.resolve(FILE);
        this.sealed = dataDir.resolve(SEALED);
    }

    /** Opens the current log for appending (creating it owner-only). */
    void open() throws IOException {
        if (!Files.exists(current)) {
            try {
                Files.createFile(current, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(current);
            }
            forceDirectory();
        }
        channel = FileChannel.open(current, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    /** A changed object (its whole new state) — kept in memory until {@link #commit}. Caller holds the store's write lock. */
    void put(String resource, String json) {
        pending.add(line("put", resource, json));
    }

    /** A deleted object (its last state identifies it). Caller holds the store's write lock. */
    void delete(String resource, String json) {
        pending.add(line("del", resource, json));
    }

    /** Appends what was recorded since the last commit and forces it to disk. Caller holds the store's write lock. */
    void commit() throws IOException {
        if (pending.isEmpty()) {
            return;
        }
        int size = 0;
        for (byte[] b : pending) {
            size += b.length;
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        for (byte[] b : pending) {
            buf.put(b);
        }
        pending.clear();
        buf.flip();
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
        channel.force(false);
        appended += size;
    }

    /** Drops what was recorded but not committed (the write failed). */
    void discard() {
        pending.clear();
    }

    long appendedBytes() {
        return appended;
    }

    /** Step 1 of compaction: the log so far becomes the sealed one; a new log is opened. Caller holds the store's write lock. */
    void seal() throws IOException {
        channel.close();
        if (Files.exists(sealed)) {
            // an earlier compaction did not finish: keep both, in order
            byte[] older = Files.readAllBytes(sealed);
            byte[] newer = Files.readAllBytes(current);
            Path merged = dir.resolve(SEALED + ".tmp");
            try (FileChannel out = FileChannel.open(merged, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                out.write(ByteBuffer.wrap(older));
                out.write(ByteBuffer.wrap(newer));
                out.force(false);
            }
            Files.move(merged, sealed, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.delete(current);
        } else {
            Files.move(current, sealed, StandardCopyOption.ATOMIC_MOVE);
        }
        forceDirectory();
        appended = 0;
        open();
    }

    /** Step 3: the snapshot holding everything sealed is on disk. */
    void dropSealed() throws IOException {
        Files.deleteIfExists(sealed);
    }

    /** The snapshot with the logs replayed over it (sealed first, then current). */
    static Optional<ObjectStore.Snapshot> replay(Optional<ObjectStore.Snapshot> saved, Path dataDir) throws IOException {
        Path sealed = dataDir.resolve(SEALED);
        Path current = dataDir.resolve(FILE);
        if (!Files.exists(sealed) && !Files.exists(current)) {
            return saved;
        }
        Map<String, ObjectStore.StoredObject> objects = new LinkedHashMap<>();
        long rv = saved.map(ObjectStore.Snapshot::resourceVersion).orElse(0L);
        for (ObjectStore.StoredObject o : saved.map(ObjectStore.Snapshot::objects).orElse(List.of())) {
            objects.put(identity(o.resource(), Json.read(o.json())), o);
        }
        int applied = 0;
        for (Path log : List.of(sealed, current)) {
            if (!Files.exists(log)) {
                continue;
            }
            try (BufferedReader r = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
                String text;
                while ((text = r.readLine()) != null) {
                    if (text.isBlank()) {
                        continue;
                    }
                    JsonNode entry;
                    try {
                        entry = Json.read(text);
                    } catch (RuntimeException e) {
                        break; // a torn last line: that write was never answered
                    }
                    String resource = entry.path("resource").asText();
                    JsonNode object = entry.path("object");
                    String id = identity(resource, object);
                    if ("del".equals(entry.path("op").asText())) {
                        objects.remove(id);
                    } else {
                        objects.put(id, new ObjectStore.StoredObject(resource, Json.write(object)));
                    }
                    rv = Math.max(rv, entry.path("rv").asLong(0));
                    applied++;
                }
            }
        }
        if (applied == 0 && saved.isPresent()) {
            return saved;
        }
        return Optional.of(new ObjectStore.Snapshot(rv, List.copyOf(objects.values())));
    }

    private static String identity(String resource, JsonNode object) {
        JsonNode m = object.path("metadata");
        return object.path("apiVersion").asText() + "|" + resource + "|" + m.path("namespace").asText("") + "|" + m.path("name").asText();
    }

    private static byte[] line(String op, String resource, String json) {
        JsonNode object = Json.read(json);
        ObjectNode entry = Json.MAPPER.createObjectNode();
        entry.put("op", op);
        entry.put("resource", resource);
        long rv = 0;
        try {
            rv = Long.parseLong(object.path("metadata").path("resourceVersion").asText("0"));
        } catch (NumberFormatException e) {
            // opaque
        }
        entry.put("rv", rv);
        entry.set("object", object);
        return (Json.write(entry) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private void forceDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | RuntimeException e) {
            // not every file system lets a directory be forced; the rename is still atomic
        }
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
