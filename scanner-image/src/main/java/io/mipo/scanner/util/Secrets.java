package io.mipo.scanner.util;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Keeps provisioning tokens and API keys out of anything the agent prints. */
public final class Secrets {
    /** Anything shaped like a mipo token or key, including truncated ones. */
    private static final Pattern SECRET = Pattern.compile("mipo_(pt|sk)_[0-9A-Za-z]+");

    private Secrets() {
    }

    /** {@code mipo_sk_…abcd}: the prefix and the last four characters, as the design allows. */
    public static String mask(String secret) {
        if (secret == null || secret.isEmpty()) {
            return "(none)";
        }
        int underscore = secret.startsWith("mipo_") && secret.length() > 8 ? 8 : 0;
        String prefix = secret.substring(0, underscore);
        String tail = secret.length() - underscore > 8 ? secret.substring(secret.length() - 4) : "";
        return prefix + "…" + tail;
    }

    /** Replaces every token- or key-shaped string in {@code text} by its masked form. */
    public static String redact(String text) {
        if (text == null || text.indexOf("mipo_") < 0) {
            return text;
        }
        Matcher m = SECRET.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(mask(m.group())));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
