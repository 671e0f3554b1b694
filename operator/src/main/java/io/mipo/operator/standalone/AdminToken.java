package io.mipo.operator.standalone;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * The admin bearer token of standalone mode when none is configured: 32 random bytes in base62,
 * kept in {@code <data-dir>/admin-token} (owner-only) so it stays the same across restarts.
 */
final class AdminToken {
    static final String FILE = "admin-token";
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    /** 32 bytes need at most 43 base62 digits (62^43 > 2^256). */
    static final int LENGTH = 43;
    private static final SecureRandom RANDOM = new SecureRandom();

    private AdminToken() {
    }

    static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return base62(bytes);
    }

    static String base62(byte[] bytes) {
        BigInteger n = new BigInteger(1, bytes);
        BigInteger radix = BigInteger.valueOf(62);
        char[] digits = new char[LENGTH];
        for (int i = LENGTH - 1; i >= 0; i--) {
            BigInteger[] qr = n.divideAndRemainder(radix);
            digits[i] = BASE62.charAt(qr[1].intValue());
            n = qr[0];
        }
        return new String(digits);
    }

    /** The token saved in the data directory, or a new one saved there. */
    static String loadOrCreate(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (Files.exists(file)) {
            String saved = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (!saved.isEmpty()) {
                return saved;
            }
        }
        String token = generate();
        Path tmp = dataDir.resolve(FILE + ".tmp");
        Files.deleteIfExists(tmp);
        if (dataDir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, token + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return token;
    }
}
