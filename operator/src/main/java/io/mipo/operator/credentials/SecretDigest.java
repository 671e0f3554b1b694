package io.mipo.operator.credentials;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of tokens and keys, the only form in which they are stored. Lookups go by the first 8
 * bytes of the hash (learning them tells an attacker nothing about the secret); the decision is
 * always a constant-time comparison of the whole hash.
 */
public final class SecretDigest {
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private SecretDigest() {
    }

    public static byte[] sha256(String secret) {
        MessageDigest md = SHA256.get();
        md.reset();
        return md.digest(secret.getBytes(StandardCharsets.UTF_8));
    }

    public static String hex(byte[] hash) {
        return HexFormat.of().formatHex(hash);
    }

    /** The hash from its hex form, or null when the text is not a SHA-256 in hex. */
    public static byte[] fromHex(String hex) {
        if (hex == null || hex.length() != 64) {
            return null;
        }
        try {
            return HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Constant-time comparison; false when either is null. */
    public static boolean matches(byte[] a, byte[] b) {
        return a != null && b != null && MessageDigest.isEqual(a, b);
    }

    /** The lookup prefix of a hash: its first 8 bytes. */
    public static long prefix(byte[] hash) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (hash[i] & 0xff);
        }
        return v;
    }
}
