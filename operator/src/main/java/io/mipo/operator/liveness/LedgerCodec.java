package io.mipo.operator.liveness;

import io.mipo.operator.core.ScannerRef;

import java.util.HashMap;
import java.util.Map;

/**
 * The text of a heartbeat ledger: one line per scanner,
 * {@code namespace/name TAB lastSeenEpochMillis TAB version TAB hostname TAB internalIp TAB sourceAddress},
 * empty fields for unknown values. Plain text keeps a ledger readable with kubectl and about 90
 * bytes per scanner; values containing separators are dropped, never escaped (agents' fields are
 * validated to exclude them before they get here).
 */
public final class LedgerCodec {
    static final String HEADER = "# mipo heartbeat ledger v1: namespace/name, last heartbeat (epoch ms), version, hostname, internal IP, source address";

    private LedgerCodec() {
    }

    public static void appendLine(StringBuilder sb, ScannerRef ref, long lastSeen, AgentFacts facts) {
        sb.append(ref.namespace()).append('/').append(ref.name()).append('\t').append(lastSeen);
        AgentFacts f = facts == null ? new AgentFacts(null, null, null, null) : facts;
        field(sb, f.version());
        field(sb, f.hostname());
        field(sb, f.internalIp());
        field(sb, f.sourceAddress());
        sb.append('\n');
    }

    private static void field(StringBuilder sb, String v) {
        sb.append('\t');
        if (v != null && isClean(v)) {
            sb.append(v);
        }
    }

    static boolean isClean(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\t' || c == '\n' || c == '\r') {
                return false;
            }
        }
        return true;
    }

    /** Parses a ledger; malformed lines are skipped (a ledger edited by hand must not break liveness). */
    public static Map<ScannerRef, Sighting> parse(String text) {
        Map<ScannerRef, Sighting> out = new HashMap<>();
        if (text == null) {
            return out;
        }
        int start = 0;
        int len = text.length();
        while (start < len) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = len;
            }
            parseLine(text.substring(start, end), out);
            start = end + 1;
        }
        return out;
    }

    private static void parseLine(String line, Map<ScannerRef, Sighting> out) {
        if (line.isEmpty() || line.charAt(0) == '#') {
            return;
        }
        String[] f = line.split("\t", -1);
        if (f.length < 2) {
            return;
        }
        int slash = f[0].indexOf('/');
        if (slash <= 0 || slash == f[0].length() - 1) {
            return;
        }
        long seen;
        try {
            seen = Long.parseLong(f[1]);
        } catch (NumberFormatException e) {
            return;
        }
        ScannerRef ref = new ScannerRef(f[0].substring(0, slash), f[0].substring(slash + 1));
        AgentFacts facts = new AgentFacts(opt(f, 2), opt(f, 3), opt(f, 4), opt(f, 5));
        out.merge(ref, new Sighting(seen, facts), Sighting::latest);
    }

    private static String opt(String[] f, int i) {
        return i < f.length && !f[i].isEmpty() ? f[i] : null;
    }
}
