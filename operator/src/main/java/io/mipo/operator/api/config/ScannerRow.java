package io.mipo.operator.api.config;

import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/** A scanner's view plus the keys the list query filters and sorts on, computed once per change. */
record ScannerRow(ScannerView view, String resourceVersion, String nameKey, String descriptionKey,
                  Set<String> groups, Instant createdAt) {

    static ScannerRow of(ScannerView view, String resourceVersion) {
        return new ScannerRow(view, resourceVersion, view.name().toLowerCase(Locale.ROOT),
                view.description().toLowerCase(Locale.ROOT), Set.copyOf(view.groups()),
                view.createdAt() == null ? null : parse(view.createdAt()));
    }

    String id() {
        return view.id();
    }

    private static Instant parse(String t) {
        try {
            return Instant.parse(t);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
