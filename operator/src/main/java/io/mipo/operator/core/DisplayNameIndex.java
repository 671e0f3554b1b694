package io.mipo.operator.core;

import io.mipo.operator.model.Scanner;

import java.util.List;
import java.util.Locale;

/**
 * Display names as uniqueness compares them (per namespace, case-insensitively), and the index of
 * the fleet cache that files every Scanner under its namespace and compared name
 * ({@link FleetCache#scanners()}, index {@link #NAME}): who else uses a name is a lookup of the
 * scanners sharing it, not a scan of the namespace. {@code scanner.DisplayNames} holds the rule
 * (the earliest scanner keeps a name) and uses these definitions.
 */
public final class DisplayNameIndex {
    /** The index of {@link FleetCache#scanners()}; its keys are {@link #key(String, String)}. */
    public static final String NAME = "mipo-display-name";

    private DisplayNameIndex() {
    }

    /** The name the UI shows: spec.displayName, or metadata.name when unset. */
    public static String effective(Scanner s) {
        String d = s.getSpec() == null ? null : s.getSpec().getDisplayName();
        return d == null || d.isEmpty() ? s.getMetadata().getName() : d;
    }

    /** What two display names are compared by: equal here means the same name. */
    public static String normalised(String displayName) {
        return displayName.toLowerCase(Locale.ROOT);
    }

    /** The index key of a display name in a namespace. */
    public static String key(String namespace, String displayName) {
        // '/' cannot appear in a namespace name, so namespace and name cannot run into each other.
        return namespace + "/" + normalised(displayName);
    }

    /** The index key of a scanner's own display name. */
    public static String keyOf(Scanner s) {
        return key(s.getMetadata().getNamespace(), effective(s));
    }

    /** The index function: one key per scanner. */
    public static List<String> keys(Scanner s) {
        return List.of(keyOf(s));
    }
}
