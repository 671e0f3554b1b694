package io.mipo.operator.api.config;

import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/**
 * A scanner's view plus what the list query filters and sorts on, and the view already in JSON:
 * computed once per change of the scanner, not once per request.
 */
record ScannerRow(ScannerView view, String resourceVersion, String nameKey, String searchText,
                  Set<String> groups, Instant createdAt, byte[] json, Instant lastHeartbeat) {

    static ScannerRow of(ScannerView view, String resourceVersion, byte[] json) {
        String name = view.name().toLowerCase(Locale.ROOT);
        // One string for q: name and description, split by a character neither can hold.
        return new ScannerRow(view, resourceVersion, name, name + "\n" + view.description().toLowerCase(Locale.ROOT),
                Set.copyOf(view.groups()), view.createdAt() == null ? null : parse(view.createdAt()), json,
                view.lastHeartbeatAt() == null ? null : parse(view.lastHeartbeatAt()));
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
