package io.mipo.operator.credentials;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.zip.CRC32;

/**
 * Token and API key format: prefix + 32 random base62 characters (about 190 bits) + a 6-character
 * base62 CRC32 of the random part. The checksum lets secret scanners tell a real leaked token from
 * random text, and lets the operator reject mistyped or made-up values before any lookup.
 */
public final class TokenFormat {
    public static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    public static final int RANDOM_CHARS = 32;
    public static final int CHECKSUM_CHARS = 6;
    public static final int BODY_CHARS = RANDOM_CHARS + CHECKSUM_CHARS;

    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenFormat() {
    }

    public static String generate(TokenKind kind) {
        return generate(kind, RANDOM);
    }

    static String generate(TokenKind kind, SecureRandom random) {
        StringBuilder sb = new StringBuilder(kind.prefix().length() + BODY_CHARS).append(kind.prefix());
        char[] body = new char[RANDOM_CHARS];
        for (int i = 0; i < RANDOM_CHARS; i++) {
            body[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
        }
        String randomPart = new String(body);
        return sb.append(randomPart).append(checksum(randomPart)).toString();
    }

    /** True when {@code value} has the kind's prefix, 38 base62 characters, and a matching checksum. */
    public static boolean isWellFormed(TokenKind kind, String value) {
        if (value == null || value.length() != kind.prefix().length() + BODY_CHARS || !value.startsWith(kind.prefix())) {
            return false;
        }
        int start = kind.prefix().length();
        for (int i = start; i < value.length(); i++) {
            if (!isBase62(value.charAt(i))) {
                return false;
            }
        }
        String randomPart = value.substring(start, start + RANDOM_CHARS);
        return checksum(randomPart).equals(value.substring(start + RANDOM_CHARS));
    }

    /** Base62 (most significant digit first, zero-padded to 6) of the CRC32 of the random part. */
    public static String checksum(String randomPart) {
        CRC32 crc = new CRC32();
        crc.update(randomPart.getBytes(StandardCharsets.US_ASCII));
        long v = crc.getValue();
        char[] out = new char[CHECKSUM_CHARS];
        for (int i = CHECKSUM_CHARS - 1; i >= 0; i--) {
            out[i] = ALPHABET.charAt((int) (v % 62));
            v /= 62;
        }
        return new String(out);
    }

    /** What a log may show of a secret: its prefix and last four characters. */
    public static String redacted(String value) {
        if (value == null || value.length() < 12) {
            return "…";
        }
        int cut = value.startsWith(TokenKind.API_KEY.prefix()) || value.startsWith(TokenKind.PROVISIONING.prefix()) ? 8 : 0;
        return value.substring(0, cut) + "…" + value.substring(value.length() - 4);
    }

    private static boolean isBase62(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }
}
