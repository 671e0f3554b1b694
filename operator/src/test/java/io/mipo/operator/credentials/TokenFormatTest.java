package io.mipo.operator.credentials;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenFormatTest {
    private static final Pattern TOKEN = Pattern.compile("^mipo_pt_[0-9A-Za-z]{38}$");
    private static final Pattern KEY = Pattern.compile("^mipo_sk_[0-9A-Za-z]{38}$");

    @Test
    void generatedTokensAndKeysMatchTheDocumentedFormatAndAreUnique() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 5_000; i++) {
            String t = TokenFormat.generate(TokenKind.PROVISIONING);
            String k = TokenFormat.generate(TokenKind.API_KEY);
            assertTrue(TOKEN.matcher(t).matches(), t.substring(0, 8));
            assertTrue(KEY.matcher(k).matches(), k.substring(0, 8));
            assertTrue(TokenFormat.isWellFormed(TokenKind.PROVISIONING, t));
            assertTrue(TokenFormat.isWellFormed(TokenKind.API_KEY, k));
            assertTrue(seen.add(t.substring(8)) && seen.add(k.substring(8)), "collision");
        }
    }

    @Test
    void theRandomPartCarriesAtLeast190Bits() {
        assertTrue(TokenFormat.RANDOM_CHARS * Math.log(62) / Math.log(2) >= 190);
    }

    @Test
    void theChecksumIsTheBase62Crc32OfTheRandomPart() {
        String random = "0123456789abcdefghijABCDEFGHIJxy";
        CRC32 crc = new CRC32();
        crc.update(random.getBytes(StandardCharsets.US_ASCII));
        long v = crc.getValue();
        long decoded = 0;
        for (char c : TokenFormat.checksum(random).toCharArray()) {
            decoded = decoded * 62 + TokenFormat.ALPHABET.indexOf(c);
        }
        assertEquals(v, decoded);
        assertEquals(6, TokenFormat.checksum(random).length());
    }

    @Test
    void anyChangedCharacterOrWrongPrefixIsRejected() {
        String t = TokenFormat.generate(TokenKind.PROVISIONING);
        for (int i = 8; i < t.length(); i++) {
            char c = t.charAt(i);
            char other = c == 'a' ? 'b' : 'a';
            String changed = t.substring(0, i) + other + t.substring(i + 1);
            assertFalse(TokenFormat.isWellFormed(TokenKind.PROVISIONING, changed), "changed at " + i);
        }
        assertFalse(TokenFormat.isWellFormed(TokenKind.API_KEY, t), "a token is not an API key");
        assertFalse(TokenFormat.isWellFormed(TokenKind.PROVISIONING, t + "0"));
        assertFalse(TokenFormat.isWellFormed(TokenKind.PROVISIONING, t.substring(0, t.length() - 1)));
        assertFalse(TokenFormat.isWellFormed(TokenKind.PROVISIONING, t.substring(0, 20) + "-" + t.substring(21)));
        assertFalse(TokenFormat.isWellFormed(TokenKind.PROVISIONING, null));
    }

    @Test
    void redactionKeepsThePrefixAndTheLastFourCharacters() {
        String k = TokenFormat.generate(TokenKind.API_KEY);
        assertEquals("mipo_sk_…" + k.substring(k.length() - 4), TokenFormat.redacted(k));
    }

    @Test
    void digestsCompareInConstantTimeAndRoundTripThroughHex() {
        byte[] a = SecretDigest.sha256("x");
        assertTrue(SecretDigest.matches(a, SecretDigest.fromHex(SecretDigest.hex(a))));
        assertFalse(SecretDigest.matches(a, SecretDigest.sha256("y")));
        assertFalse(SecretDigest.matches(a, null));
        assertEquals(null, SecretDigest.fromHex("zz"));
    }
}
