package io.mipo.operator.gitops;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * A JSON value as a Lua table constructor, the way Argo CD hands a resource to a health script:
 * objects become tables with string keys, arrays become sequences, numbers stay numbers, null is
 * left out (nil). Strings are escaped byte by byte, so any UTF-8 text survives.
 */
final class LuaTables {
    private LuaTables() {
    }

    static String literal(JsonNode node) {
        StringBuilder out = new StringBuilder();
        write(node, out);
        return out.toString();
    }

    private static void write(JsonNode node, StringBuilder out) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            out.append("nil");
        } else if (node.isObject()) {
            out.append('{');
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isNull()) {
                    continue;
                }
                out.append('[');
                string(e.getKey(), out);
                out.append("]=");
                write(e.getValue(), out);
                out.append(',');
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('{');
            for (JsonNode item : node) {
                write(item, out);
                out.append(',');
            }
            out.append('}');
        } else if (node.isBoolean()) {
            out.append(node.booleanValue());
        } else if (node.isIntegralNumber()) {
            out.append(node.bigIntegerValue());
        } else if (node.isNumber()) {
            out.append(node.doubleValue());
        } else {
            string(node.asText(), out);
        }
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                out.append((char) c);
            } else {
                out.append('\\').append(String.format("%03d", c));
            }
        }
        out.append('"');
    }
}
