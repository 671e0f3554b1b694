package io.mipo.operator.standalone;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The part of JSONPath that CRD printer columns use: field steps ({@code .spec.rateLimit}), array
 * indexes ({@code .items[0]}), wildcards ({@code [*]}) and equality filters
 * ({@code .status.conditions[?(@.type=="Ready")].status}). Like kube-apiserver, a column shows the
 * first value the path finds; a path that finds nothing gives an empty cell.
 */
public final class ColumnPath {
    private final String source;
    private final List<Step> steps;

    private ColumnPath(String source, List<Step> steps) {
        this.source = source;
        this.steps = steps;
    }

    private sealed interface Step permits Field, Index, Wildcard, Filter {
    }

    private record Field(String name) implements Step {
    }

    private record Index(int index) implements Step {
    }

    private record Wildcard() implements Step {
    }

    /** {@code @.<path> == literal} or {@code !=}; the literal is kept as JSON for a type-aware comparison. */
    private record Filter(List<String> fieldPath, boolean equal, JsonNode literal) implements Step {
    }

    public static ColumnPath parse(String expression) {
        String p = expression.trim();
        if (p.startsWith("{") && p.endsWith("}")) {
            p = p.substring(1, p.length() - 1).trim();
        }
        if (p.startsWith("$")) {
            p = p.substring(1);
        }
        List<Step> steps = new ArrayList<>();
        int i = 0;
        while (i < p.length()) {
            char c = p.charAt(i);
            if (c == '.') {
                int end = i + 1;
                while (end < p.length() && p.charAt(end) != '.' && p.charAt(end) != '[') {
                    end++;
                }
                String name = p.substring(i + 1, end);
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("empty field name in " + expression);
                }
                steps.add(name.equals("*") ? new Wildcard() : new Field(name));
                i = end;
            } else if (c == '[') {
                int end = closingBracket(p, i, expression);
                steps.add(bracket(p.substring(i + 1, end).trim(), expression));
                i = end + 1;
            } else {
                throw new IllegalArgumentException("unexpected '" + c + "' at " + i + " in " + expression);
            }
        }
        return new ColumnPath(expression, List.copyOf(steps));
    }

    private static int closingBracket(String p, int open, String expression) {
        boolean quoted = false;
        char quote = 0;
        for (int j = open + 1; j < p.length(); j++) {
            char c = p.charAt(j);
            if (quoted) {
                if (c == quote) {
                    quoted = false;
                }
            } else if (c == '"' || c == '\'') {
                quoted = true;
                quote = c;
            } else if (c == ']') {
                return j;
            }
        }
        throw new IllegalArgumentException("unclosed '[' in " + expression);
    }

    private static Step bracket(String inside, String expression) {
        if (inside.equals("*")) {
            return new Wildcard();
        }
        if (inside.startsWith("?(") && inside.endsWith(")")) {
            return filter(inside.substring(2, inside.length() - 1).trim(), expression);
        }
        if ((inside.startsWith("'") && inside.endsWith("'")) || (inside.startsWith("\"") && inside.endsWith("\""))) {
            return new Field(inside.substring(1, inside.length() - 1));
        }
        try {
            return new Index(Integer.parseInt(inside));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("unsupported subscript [" + inside + "] in " + expression, e);
        }
    }

    private static Step filter(String condition, String expression) {
        boolean equal = true;
        int op = condition.indexOf("==");
        if (op < 0) {
            op = condition.indexOf("!=");
            equal = false;
        }
        if (op < 0 || !condition.startsWith("@.")) {
            throw new IllegalArgumentException("unsupported filter (" + condition + ") in " + expression);
        }
        List<String> field = List.of(condition.substring(2, op).trim().split("\\."));
        String literal = condition.substring(op + 2).trim();
        if (literal.startsWith("'") && literal.endsWith("'") && literal.length() >= 2) {
            literal = '"' + literal.substring(1, literal.length() - 1).replace("\"", "\\\"") + '"';
        }
        try {
            return new Filter(field, equal, Json.MAPPER.readTree(literal));
        } catch (Exception e) {
            throw new IllegalArgumentException("unsupported literal " + literal + " in " + expression, e);
        }
    }

    /** The first value the path finds in {@code root}, if any. */
    public Optional<JsonNode> first(JsonNode root) {
        List<JsonNode> current = List.of(root);
        for (Step step : steps) {
            List<JsonNode> next = new ArrayList<>();
            for (JsonNode node : current) {
                apply(step, node, next);
            }
            if (next.isEmpty()) {
                return Optional.empty();
            }
            current = next;
        }
        return current.stream().filter(n -> !n.isMissingNode() && !n.isNull()).findFirst();
    }

    private static void apply(Step step, JsonNode node, List<JsonNode> out) {
        if (step instanceof Field f) {
            JsonNode v = node.get(f.name());
            if (v != null && !v.isNull()) {
                out.add(v);
            }
        } else if (step instanceof Index ix) {
            if (node.isArray()) {
                int at = ix.index() < 0 ? node.size() + ix.index() : ix.index();
                if (at >= 0 && at < node.size()) {
                    out.add(node.get(at));
                }
            }
        } else if (step instanceof Wildcard) {
            node.elements().forEachRemaining(out::add);
        } else if (step instanceof Filter flt) {
            if (node.isArray()) {
                node.elements().forEachRemaining(e -> {
                    if (matches(flt, e)) {
                        out.add(e);
                    }
                });
            }
        }
    }

    private static boolean matches(Filter filter, JsonNode element) {
        JsonNode v = element;
        for (String f : filter.fieldPath()) {
            v = v.path(f);
        }
        if (v.isMissingNode()) {
            return false;
        }
        boolean same = v.isNumber() && filter.literal().isNumber()
                ? v.decimalValue().compareTo(filter.literal().decimalValue()) == 0
                : v.equals(filter.literal());
        return same == filter.equal();
    }

    @Override
    public String toString() {
        return source;
    }
}
