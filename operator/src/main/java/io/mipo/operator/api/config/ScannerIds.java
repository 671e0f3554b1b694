package io.mipo.operator.api.config;

import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Derives a new scanner's immutable id from its display name: lower-cased, then made unique with
 * -2, -3, … At most 63 characters, because the id is also a label value (mipo.io/scanner) on the
 * scanner's Secrets and DaemonSet. The literal paths of the facade are never ids, so that
 * /api/config/scanners/{id} always reaches the scanner.
 */
final class ScannerIds {
    static final int MAX_LENGTH = 63;
    static final Set<String> RESERVED = Set.of("binary-hash", "install-script-preview", "source-code", "filter-values");
    private static final int MAX_SUFFIX = 10_000;

    private ScannerIds() {
    }

    /**
     * @param displayName a valid display name (letters, digits, inner hyphens)
     * @param taken       whether an id is in use already
     */
    static String derive(String displayName, Predicate<String> taken) {
        String base = displayName.toLowerCase(Locale.ROOT);
        if (!RESERVED.contains(base) && !taken.test(base)) {
            return base;
        }
        for (int n = 2; n <= MAX_SUFFIX; n++) {
            String suffix = "-" + n;
            String head = base.length() + suffix.length() <= MAX_LENGTH ? base : base.substring(0, MAX_LENGTH - suffix.length());
            while (head.endsWith("-")) {
                head = head.substring(0, head.length() - 1);
            }
            String candidate = head + suffix;
            if (!RESERVED.contains(candidate) && !taken.test(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no free id for '" + displayName + "'");
    }

    static boolean isReserved(String id) {
        return RESERVED.contains(id);
    }
}
