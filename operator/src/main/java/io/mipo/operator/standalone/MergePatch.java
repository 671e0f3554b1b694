package io.mipo.operator.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * JSON merge patch (RFC 7386): objects merge key by key, {@code null} removes a key, anything else
 * (lists included) replaces. The mock server's own merge appends to lists and keeps nulls, which
 * would make {@code kubectl apply} and finalizer removal behave unlike a real API server.
 */
final class MergePatch {
    private MergePatch() {
    }

    /** Applies {@code patch} to a copy of {@code target}. */
    static JsonNode apply(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : Json.object();
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getValue().isNull()) {
                result.remove(f.getKey());
            } else {
                result.set(f.getKey(), apply(result.get(f.getKey()), f.getValue()));
            }
        }
        return result;
    }

    /**
     * A strategic merge patch read as a merge patch: its {@code $}-directives (element order, retained
     * keys, deletions from primitive lists) are dropped and lists are replaced, not merged by key.
     * For the maps kubectl patches on Secrets, ConfigMaps and labels both give the same result.
     */
    static JsonNode withoutDirectives(JsonNode patch) {
        if (patch.isObject()) {
            ObjectNode copy = Json.object();
            List<String> names = new ArrayList<>();
            patch.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                if (!name.startsWith("$")) {
                    copy.set(name, withoutDirectives(patch.get(name)));
                }
            }
            return copy;
        }
        if (patch.isArray()) {
            var copy = Json.MAPPER.createArrayNode();
            patch.elements().forEachRemaining(e -> {
                if (!(e.isObject() && e.has("$patch"))) {
                    copy.add(withoutDirectives(e));
                }
            });
            return copy;
        }
        return patch;
    }
}
