package io.mipo.scanner.register;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code <config-dir>/registration-id}: a UUID made before the first registration attempt and kept
 * until the credentials are stored, so that every retry of the same registration — in this process
 * after a timeout or a 5xx, or by running the same command again after a crash — carries the same id.
 * The operator then answers a repeat of a registration whose answer was lost with a new key instead
 * of TOKEN_USED (within the token's lifetime and 15 minutes of its first use). Not a secret: it is
 * worthless without the token.
 */
public final class RegistrationId {
    public static final String FILE_NAME = "registration-id";
    private static final Pattern UUID_TEXT = Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    private final Path file;

    public RegistrationId(Path configDir) {
        this.file = configDir.resolve(FILE_NAME);
    }

    public Path file() {
        return file;
    }

    /** The stored id, or a new one written to disk (0600, in a 0700 directory) before it is returned. */
    public String loadOrCreate() throws IOException {
        if (Files.exists(file)) {
            String v = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (UUID_TEXT.matcher(v).matches()) {
                return v;
            }
        }
        Path dir = file.getParent();
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectories(dir);
            }
        }
        String id = UUID.randomUUID().toString();
        Path tmp = dir.resolve(FILE_NAME + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException | FileAlreadyExistsException e) {
            Files.writeString(tmp, "");
        }
        Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
        try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return id;
    }

    /** The registration is complete (credentials stored): the next one starts with a new id. */
    public void clear() throws IOException {
        Files.deleteIfExists(file);
    }
}
