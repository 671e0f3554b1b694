package io.mipo.operator.api.config;

import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * A scanner's view plus what the list query filters and sorts on, and the view in JSON: made at
 * most once per change of the scanner, not once per request, and only when a list page or a get
 * first needs it ({@link Json}).
 */
record ScannerRow(ScannerView view, String resourceVersion, String nameKey, String searchText,
                  Set<String> groups, Instant createdAt, Json body, Instant lastHeartbeat) {

    /** A row whose JSON is made by {@code writer} the first time it is asked for. */
    static ScannerRow of(ScannerView view, String resourceVersion, Function<ScannerView, byte[]> writer) {
        return of(view, resourceVersion, new Json(view, writer));
    }

    /** A row whose JSON is already made. */
    static ScannerRow of(ScannerView view, String resourceVersion, byte[] json) {
        Json body = new Json(view, null);
        body.bytes = json;
        return of(view, resourceVersion, body);
    }

    private static ScannerRow of(ScannerView view, String resourceVersion, Json body) {
        String name = view.name().toLowerCase(Locale.ROOT);
        // One string for q: name and description, split by a character neither can hold.
        return new ScannerRow(view, resourceVersion, name, name + "\n" + view.description().toLowerCase(Locale.ROOT),
                Set.copyOf(view.groups()), view.createdAt() == null ? null : parse(view.createdAt()), body,
                view.lastHeartbeatAt() == null ? null : parse(view.lastHeartbeatAt()));
    }

    String id() {
        return view.id();
    }

    /**
     * This row with another last heartbeat and nothing else changed: what a heartbeat does to a row
     * most of the time. The keys that come from the name, description, groups and creation time are
     * taken over instead of being made again; the JSON is made when first asked for.
     *
     * @param lastHeartbeat {@code lastHeartbeatAt} parsed, as {@link #of} would parse it
     */
    ScannerRow withLastHeartbeat(String lastHeartbeatAt, Instant lastHeartbeat, Function<ScannerView, byte[]> writer) {
        ScannerView v = view.withLastHeartbeatAt(lastHeartbeatAt);
        return new ScannerRow(v, resourceVersion, nameKey, searchText, groups, createdAt, new Json(v, writer), lastHeartbeat);
    }

    /** The view as the client receives it. */
    byte[] json() {
        return body.bytes();
    }

    /** Whether the JSON was made (for tests: a row nobody asked for costs no serialisation). */
    boolean jsonMade() {
        return body.bytes != null;
    }

    /**
     * The row's JSON, made on first use and kept. Each heartbeat makes its scanner's row again (its
     * last heartbeat moved): at 100,000 scanners that is thousands of rows a second, and most are
     * made again before any page shows them, so serialising them eagerly cost the facade's index a
     * core's worth of work. Two threads asking at once may both make it; the results are equal.
     */
    static final class Json {
        private final ScannerView view;
        private final Function<ScannerView, byte[]> writer;
        private volatile byte[] bytes;

        Json(ScannerView view, Function<ScannerView, byte[]> writer) {
            this.view = view;
            this.writer = writer;
        }

        byte[] bytes() {
            byte[] b = bytes;
            if (b == null) {
                b = writer.apply(view);
                bytes = b;
            }
            return b;
        }
    }

    private static Instant parse(String t) {
        try {
            return Instant.parse(t);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
