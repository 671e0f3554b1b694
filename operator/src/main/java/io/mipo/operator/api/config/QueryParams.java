package io.mipo.operator.api.config;

import io.mipo.operator.validation.FieldError;

import java.util.ArrayList;
import java.util.List;

/** Parsing shared by the list queries of the scanners and groups APIs. */
final class QueryParams {
    private QueryParams() {
    }

    /** Repeated and comma-separated values ({@code ?status=a,b&status=c}) as one list, blanks dropped. */
    static List<String> split(List<String> values) {
        if (values == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String v : values) {
            if (v == null) {
                continue;
            }
            for (String part : v.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
        }
        return out;
    }

    /** A whole number within [min, max], the default when absent; otherwise a field error and the default. */
    static int bounded(String field, String raw, int dflt, int min, int max, List<FieldError> errors) {
        if (raw == null || raw.isBlank()) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(raw.trim());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        errors.add(new FieldError(field, "OutOfRange", field + " must be a whole number from " + min + " to " + max));
        return dflt;
    }

    /** A caller's query value is quoted in an error message cut to this many characters. */
    static final int QUOTED = 40;

    /** A caller's value quoted in an error message, cut to {@link #QUOTED} characters. */
    static String quoted(String s) {
        return io.mipo.operator.validation.Texts.abbreviate(s, QUOTED);
    }
}
