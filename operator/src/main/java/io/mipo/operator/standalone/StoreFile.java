package io.mipo.operator.standalone;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The embedded API server's objects on disk: {@code <data-dir>/store.json}, one document with every
 * object as the store holds it. Written whole to a temporary file, forced to disk, then renamed over
 * the old one, so a crash leaves either the previous or the new snapshot, never a torn one. The file
 * holds Secrets, so it is readable by its owner only. A lock file keeps two processes off one
 * data directory (each would overwrite the other's objects).
 */
final class StoreFile implements AutoCloseable {
    static final String FORMAT = "mipo.io/standalone-store/v1";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

    private final Path file;
    private final Path lockFile;
    private FileChannel lockChannel;
    private FileLock lock;

    StoreFile(Path dataDir) {
        this.file = dataDir.resolve("store.json");
        this.lockFile = dataDir.resolve(".lock");
    }

    Path path() {
        return file;
    }

    /** Creates the data directory (owner only) and takes its lock; fails when another process holds it. */
    void open() throws IOException {
        createPrivateDirectory(file.getParent());
        lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("the data directory " + file.getParent().toAbsolutePath()
                    + " is in use by another mipo standalone process (stop it, or choose another mipo.standalone.data-dir)");
        }
    }

    static void createPrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (posix(dir.toAbsolutePath().getParent())) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
        } else {
            Files.createDirectories(dir);
        }
    }

    private static boolean posix(Path existing) {
        Path p = existing;
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p != null && p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** The saved snapshot, if there is one. A file that cannot be read is an error, never silently ignored. */
    Optional<ObjectStore.Snapshot> load() throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        JsonNode doc;
        try {
            doc = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException("cannot read the standalone store " + file.toAbsolutePath()
                    + " (" + e.getMessage() + "); move it away to start empty", e);
        }
        if (doc == null || !FORMAT.equals(doc.path("format").asText())) {
            throw new IOException(file.toAbsolutePath() + " is not a mipo standalone store (format "
                    + FORMAT + " expected); move it away to start empty");
        }
        List<ObjectStore.StoredObject> objects = new ArrayList<>();
        for (JsonNode o : doc.path("objects")) {
            objects.add(new ObjectStore.StoredObject(o.path("resource").asText(), Json.write(o.path("object"))));
        }
        return Optional.of(new ObjectStore.Snapshot(doc.path("resourceVersion").asLong(0), List.copyOf(objects)));
    }

    /** Replaces the file with {@code snapshot}, atomically. */
    void save(ObjectStore.Snapshot snapshot) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        FileAttribute<?>[] attrs = posix(file.getParent())
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)} : new FileAttribute<?>[0];
        Files.createFile(tmp, attrs);
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE);
             OutputStream out = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel));
             JsonGenerator json = Json.MAPPER.getFactory().createGenerator(nonClosing(out))) {
            json.writeStartObject();
            json.writeStringField("format", FORMAT);
            json.writeStringField("savedAt", Instant.now().toString());
            json.writeNumberField("resourceVersion", snapshot.resourceVersion());
            json.writeArrayFieldStart("objects");
            for (ObjectStore.StoredObject o : snapshot.objects()) {
                // one object per line: the file stays readable and diffable, and objects are not re-parsed
                json.writeRaw("\n");
                json.writeStartObject();
                json.writeStringField("resource", o.resource());
                json.writeFieldName("object");
                json.writeRawValue(o.json());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
            json.writeRaw("\n");
            json.flush();
            out.flush();
            channel.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static OutputStream nonClosing(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }

    @Override
    public void close() throws IOException {
        if (lock != null) {
            lock.release();
            lock = null;
        }
        if (lockChannel != null) {
            lockChannel.close();
            lockChannel = null;
        }
    }
}
