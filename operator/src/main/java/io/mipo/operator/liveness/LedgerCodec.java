package io.mipo.operator.liveness;

import io.mipo.operator.core.ScannerRef;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The text of a heartbeat ledger shard (format v2, docs/liveness.md):
 * <pre>
 * # mipo heartbeat ledger v2: ...
 * base=1714557600000
 * &#64;namespace-a
 * name TAB ms-after-base [TAB version TAB hostname TAB internal-ip TAB source-address]
 * </pre>
 * Records are grouped under their namespace, times are written relative to the shard's earliest,
 * and the agent facts only where they differ from what the agent registered with (the reader then
 * shows the registered value, as for a fact never reported); trailing empty fields are left out.
 * About 20 to 30 bytes per scanner in steady state instead of 90 in v1, which was one
 * {@code namespace/name TAB epoch-ms TAB version TAB hostname TAB internal-ip TAB source-address}
 * line per scanner: both are read, so the ledgers of replicas not yet upgraded keep working. Values
 * containing separators are dropped, never escaped (agents' fields are validated to exclude them
 * before they get here).
 */
public final class LedgerCodec {
    static final String HEADER = "# mipo heartbeat ledger v2: base=<epoch ms>, @<namespace>, then per scanner: name, "
            + "last heartbeat (ms after base), version, hostname, internal IP, source address (facts only where they differ from the registration)";
    private static final String BASE = "base=";
    /** Shared by every record that carries no facts (most of them): none to keep per scanner. */
    private static final AgentFacts NO_FACTS = new AgentFacts(null, null, null, null);

    /** One scanner's record as a shard holds it. */
    public record Line(ScannerRef ref, long lastSeen, AgentFacts facts) {
    }

    private LedgerCodec() {
    }

    /**
     * The text of one shard. {@code lines} must be sorted by namespace (then name), so that each
     * namespace is named once.
     */
    public static String text(List<Line> lines) {
        long base = lines.stream().mapToLong(Line::lastSeen).min().orElse(0);
        StringBuilder sb = new StringBuilder(64 + lines.size() * 28);
        sb.append(HEADER).append('\n').append(BASE).append(base).append('\n');
        String namespace = null;
        for (Line l : lines) {
            if (!l.ref().namespace().equals(namespace)) {
                namespace = l.ref().namespace();
                sb.append('@').append(namespace).append('\n');
            }
            sb.append(l.ref().name()).append('\t').append(l.lastSeen() - base);
            AgentFacts f = l.facts();
            if (f != null) {
                String[] values = {f.version(), f.hostname(), f.internalIp(), f.sourceAddress()};
                int last = values.length - 1;
                while (last >= 0 && !present(values[last])) {
                    last--;
                }
                for (int i = 0; i <= last; i++) {
                    sb.append('\t');
                    if (present(values[i])) {
                        sb.append(values[i]);
                    }
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** An upper bound of the characters {@link #text} uses for a line, the namespace's own line left out. */
    static int lineLength(ScannerRef ref, long lastSeenMinusBase, AgentFacts f) {
        int n = ref.name().length() + 2 + Long.toString(Math.max(0, lastSeenMinusBase)).length();
        if (f != null) {
            n += 4 + len(f.version()) + len(f.hostname()) + len(f.internalIp()) + len(f.sourceAddress());
        }
        return n;
    }

    /**
     * The facts to write for a scanner: those that differ from the registration's; null when none
     * do. A reader that finds a fact missing shows the registered one, so nothing is lost.
     */
    public static AgentFacts beyond(AgentFacts seen, AgentFacts registered) {
        if (seen == null) {
            return null;
        }
        if (registered == null) {
            return seen;
        }
        String v = eq(seen.version(), registered.version()) ? null : seen.version();
        String h = eq(seen.hostname(), registered.hostname()) ? null : seen.hostname();
        String i = eq(seen.internalIp(), registered.internalIp()) ? null : seen.internalIp();
        String s = eq(seen.sourceAddress(), registered.sourceAddress()) ? null : seen.sourceAddress();
        return v == null && h == null && i == null && s == null ? null : new AgentFacts(v, h, i, s);
    }

    private static boolean eq(String a, String b) {
        return a == null || a.equals(b);
    }

    private static boolean present(String v) {
        return v != null && !v.isEmpty() && isClean(v);
    }

    private static int len(String v) {
        return v == null ? 0 : v.length();
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

    /** Parses a ledger in either format; malformed lines are skipped (a ledger edited by hand must not break liveness). */
    public static Map<ScannerRef, Sighting> parse(String text) {
        Map<ScannerRef, Sighting> out = new HashMap<>();
        if (text == null) {
            return out;
        }
        int start = 0;
        int len = text.length();
        long base = 0;
        String namespace = null;
        while (start < len) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = len;
            }
            if (end > start) {
                char first = text.charAt(start);
                if (first == '@') {
                    namespace = end - start > 1 ? text.substring(start + 1, end) : null;
                } else if (text.startsWith(BASE, start)) {
                    try {
                        base = Long.parseLong(text, start + BASE.length(), end, 10);
                    } catch (NumberFormatException e) {
                        base = 0;
                    }
                } else if (first != '#') {
                    parseLine(text.substring(start, end), namespace, base, out);
                }
            }
            start = end + 1;
        }
        return out;
    }

    private static void parseLine(String line, String namespace, long base, Map<ScannerRef, Sighting> out) {
        String[] f = line.split("\t", -1);
        if (f.length < 2) {
            return;
        }
        ScannerRef ref;
        long seen;
        try {
            seen = Long.parseLong(f[1]);
        } catch (NumberFormatException e) {
            return;
        }
        if (namespace != null) {
            if (f[0].isEmpty()) {
                return;
            }
            ref = new ScannerRef(namespace, f[0]);
            seen += base;
        } else {
            // v1: namespace/name and an absolute time
            int slash = f[0].indexOf('/');
            if (slash <= 0 || slash == f[0].length() - 1) {
                return;
            }
            ref = new ScannerRef(f[0].substring(0, slash), f[0].substring(slash + 1));
        }
        AgentFacts facts = f.length <= 2 ? NO_FACTS : new AgentFacts(opt(f, 2), opt(f, 3), opt(f, 4), opt(f, 5));
        out.merge(ref, new Sighting(seen, facts), Sighting::latest);
    }

    private static String opt(String[] f, int i) {
        return i < f.length && !f[i].isEmpty() ? f[i] : null;
    }
}
