package io.mipo.operator.api.auth;

import java.util.List;
import java.util.Map;

/** Who a bearer token belongs to, as the TokenReview told (or the static admin). */
public record Identity(String name, String uid, List<String> groups, Map<String, List<String>> extra) {
    public Identity {
        groups = groups == null ? List.of() : List.copyOf(groups);
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }
}
