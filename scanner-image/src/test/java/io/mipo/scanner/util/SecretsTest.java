package io.mipo.scanner.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SecretsTest {
    private static final String TOKEN = "mipo_pt_" + "0123456789abcdefghijABCDEFGHIJ" + "klmnQRST";
    private static final String KEY = "mipo_sk_" + "Z".repeat(34) + "9876";

    @Test
    void masksToPrefixAndLastFour() {
        assertEquals("mipo_sk_…9876", Secrets.mask(KEY));
        assertEquals("mipo_pt_…QRST", Secrets.mask(TOKEN));
        assertEquals("…", Secrets.mask("short"));
        assertEquals("(none)", Secrets.mask(null));
    }

    @Test
    void redactsEveryTokenInText() {
        String text = "token " + TOKEN + " and key " + KEY + ".";
        assertEquals("token mipo_pt_…QRST and key mipo_sk_…9876.", Secrets.redact(text));
        assertEquals("nothing secret", Secrets.redact("nothing secret"));
    }

    @Test
    void theLogRedacts() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Log log = new Log(new PrintStream(buf, true, StandardCharsets.UTF_8), false);
        log.info("server echoed %s", KEY);
        log.debug("hidden %s", "x");
        String out = buf.toString(StandardCharsets.UTF_8);
        assertFalse(out.contains(KEY));
        assertTrue(out.contains("mipo_sk_…9876"));
        assertFalse(out.contains("hidden"));
    }
}
