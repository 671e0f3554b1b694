package io.mipo.scanner.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The credentials file, {@code <config-dir>/credentials}: {@code key=value} lines, mode 0600
 * in a 0700 directory. It is written to a temporary file created with mode 0600 and renamed
 * over the old one, so it is never readable by others, not even for a moment, and a crash
 * leaves either the old or the new credentials, never half of them.
 */
public final class CredentialsStore {
    public static final String FILE_NAME = "credentials";
    static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");

    private final Path dir;

    public CredentialsStore(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public Path file() {
        return dir.resolve(FILE_NAME);
    }

    /** Writes the credentials, replacing any previous ones (re-provisioning). */
    public void save(Credentials c) throws IOException {
        boolean posix = posix();
        if (!Files.isDirectory(dir)) {
            if (posix) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
            } else {
                Files.createDirectories(dir);
            }
        }
        if (posix) {
            // also tightens a directory that existed before (createDirectories obeys the umask)
            Files.setPosixFilePermissions(dir, DIR_MODE);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("# mipo scanner credentials: secret, keep mode 0600. Written ").append(Instant.now()).append('\n');
        sb.append("server=").append(c.server()).append('\n');
        sb.append("scannerId=").append(c.scannerId()).append('\n');
        sb.append("apiKey=").append(c.apiKey()).append('\n');
        sb.append("heartbeatIntervalSeconds=").append(c.heartbeatIntervalSeconds()).append('\n');
        FileAttribute<?>[] attrs = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_MODE)}
                : new FileAttribute<?>[0];
        Path tmp = Files.createTempFile(dir, ".credentials-", ".tmp", attrs);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file(), StandardCopyOption.REPLACE_EXISTING);
            }
            if (posix) {
                Files.setPosixFilePermissions(file(), FILE_MODE);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The stored credentials, or empty when there is no file. */
    public Optional<Credentials> load() throws IOException {
        Path f = file();
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            int eq = t.indexOf('=');
            if (eq > 0) {
                values.put(t.substring(0, eq).strip(), t.substring(eq + 1).strip());
            }
        }
        double interval;
        try {
            interval = Double.parseDouble(values.getOrDefault("heartbeatIntervalSeconds", "30"));
        } catch (NumberFormatException e) {
            interval = 30;
        }
        try {
            return Optional.of(new Credentials(values.get("server"), values.get("scannerId"),
                    values.get("apiKey"), interval));
        } catch (IllegalArgumentException e) {
            throw new IOException(f + " is incomplete: " + e.getMessage(), e);
        }
    }

    /** True when the file can be read by group or others (it should not). */
    public boolean tooOpen() throws IOException {
        if (!posix() || !Files.exists(file())) {
            return false;
        }
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(file());
        return p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)
                || p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE);
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
