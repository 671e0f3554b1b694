package io.mipo.operator.api.config;

/** A scanner's ETag is its resourceVersion, quoted (a strong validator). */
final class ETags {
    private ETags() {
    }

    static String of(String resourceVersion) {
        return "\"" + resourceVersion + "\"";
    }

    /** RFC 9110 If-Match: "*" or a list of strong tags; weak tags (W/"…") never match. */
    static boolean matches(String ifMatch, String resourceVersion) {
        for (String raw : ifMatch.split(",")) {
            String tag = raw.trim();
            if (tag.equals("*")) {
                return true;
            }
            if (tag.startsWith("W/")) {
                continue;
            }
            if (tag.length() >= 2 && tag.startsWith("\"") && tag.endsWith("\"")) {
                tag = tag.substring(1, tag.length() - 1);
            }
            if (!tag.isEmpty() && tag.equals(resourceVersion)) {
                return true;
            }
        }
        return false;
    }
}
