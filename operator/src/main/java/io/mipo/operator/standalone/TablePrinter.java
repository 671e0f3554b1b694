package io.mipo.operator.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Server-side printing: answers a {@code GET} that asks for {@code as=Table} (what {@code kubectl get}
 * does) with a {@code meta.k8s.io/v1 Table}. Custom resources get NAME and then their CRD's
 * {@code additionalPrinterColumns} in the CRD's order, cells typed as kube-apiserver types them
 * ({@code date} cells become ages like "5m"); built-in kinds get the columns kubectl users know.
 */
final class TablePrinter {
    private static final String NAME_DESCRIPTION = "Name must be unique within a namespace. Is required when creating "
            + "resources, although some resources may allow a client to request the generation of an appropriate name "
            + "automatically. Name is primarily intended for creation idempotence and configuration definition. "
            + "Cannot be updated.";

    /** What each row carries besides its cells ({@code includeObject} query parameter). */
    enum RowObject {
        NONE, METADATA, OBJECT;

        static RowObject fromQuery(String value) {
            if (value == null) {
                return METADATA;
            }
            return switch (value) {
                case "None" -> NONE;
                case "Object" -> OBJECT;
                default -> METADATA;
            };
        }
    }

    record Column(String name, String type, String format, String description, int priority,
                  Function<JsonNode, Object> cell) {
    }

    private TablePrinter() {
    }

    /** The columns of a type: NAME, then the CRD's printer columns (or the built-in kind's). */
    static List<Column> columns(ResourceType type, Instant now) {
        List<Column> columns = new ArrayList<>();
        columns.add(new Column("Name", "string", "name", NAME_DESCRIPTION, 0,
                o -> o.path("metadata").path("name").asText()));
        if (type.custom()) {
            if (type.printerColumns().isEmpty()) {
                columns.add(age(now));
            }
            for (JsonNode c : type.printerColumns()) {
                ColumnPath path = ColumnPath.parse(c.path("jsonPath").asText());
                String kind = c.path("type").asText("string");
                columns.add(new Column(c.path("name").asText(), kind, c.path("format").asText(""),
                        c.path("description").asText(""), c.path("priority").asInt(0),
                        o -> path.first(o).map(v -> cell(kind, v, now)).orElse(null)));
            }
            return columns;
        }
        switch (type.kind()) {
            case "Secret" -> {
                columns.add(text("Type", o -> o.path("type").asText("Opaque")));
                columns.add(integer("Data", o -> (long) (o.path("data").size() + o.path("stringData").size())));
            }
            case "ConfigMap" -> columns.add(integer("Data",
                    o -> (long) (o.path("data").size() + o.path("binaryData").size())));
            case "Namespace" -> columns.add(text("Status", o -> o.path("status").path("phase").asText("Active")));
            case "Lease" -> columns.add(text("Holder", o -> o.path("spec").path("holderIdentity").asText("")));
            default -> {
            }
        }
        columns.add(age(now));
        return columns;
    }

    private static Column age(Instant now) {
        return new Column("Age", "string", "", "CreationTimestamp is a timestamp representing the server time when "
                + "this object was created.", 0,
                o -> cell("date", o.path("metadata").path("creationTimestamp"), now));
    }

    private static Column text(String name, Function<JsonNode, Object> cell) {
        return new Column(name, "string", "", "", 0, cell);
    }

    private static Column integer(String name, Function<JsonNode, Object> cell) {
        return new Column(name, "integer", "", "", 0, cell);
    }

    /**
     * A cell as kube-apiserver's CRD table convertor makes it: a value of the wrong type gives an
     * empty cell, a {@code date} becomes the time elapsed since it.
     */
    static Object cell(String type, JsonNode value, Instant now) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return null;
        }
        switch (type.toLowerCase(Locale.ROOT)) {
            case "integer":
                if (value.isIntegralNumber() || (value.isNumber() && value.asDouble() == Math.rint(value.asDouble()))) {
                    return value.asLong();
                }
                return null;
            case "number":
                return value.isNumber() ? value.numberValue() : null;
            case "boolean":
                return value.isBoolean() ? value.asBoolean() : null;
            case "date":
                if (!value.isTextual()) {
                    return null;
                }
                try {
                    Instant at = OffsetDateTime.parse(value.asText()).toInstant();
                    return HumanAge.of(Duration.between(at, now));
                } catch (DateTimeParseException e) {
                    return null;
                }
            default:
                return value.isValueNode() ? value.asText() : Json.write(value);
        }
    }

    /**
     * The Table for a GET answer of the CRUD store: a list ({@code items}) or a single object.
     */
    static ObjectNode table(ResourceType type, JsonNode answer, RowObject rowObject, Instant now) {
        List<Column> columns = columns(type, now);
        ObjectNode table = Json.object();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/v1");
        ObjectNode meta = table.putObject("metadata");
        boolean list = answer.has("items");
        String rv = answer.path("metadata").path("resourceVersion").asText("");
        if (!rv.isEmpty()) {
            meta.put("resourceVersion", rv);
        }
        // kubectl get lists in chunks (limit=500): the next chunk's token goes on, as in the list
        String next = answer.path("metadata").path("continue").asText("");
        if (!next.isEmpty()) {
            meta.put("continue", next);
            meta.set("remainingItemCount", answer.path("metadata").path("remainingItemCount"));
        }
        ArrayNode defs = table.putArray("columnDefinitions");
        for (Column c : columns) {
            ObjectNode d = defs.addObject();
            d.put("name", c.name());
            d.put("type", c.type());
            d.put("format", c.format());
            d.put("description", c.description());
            d.put("priority", c.priority());
        }
        ArrayNode rows = table.putArray("rows");
        List<JsonNode> objects = new ArrayList<>();
        if (list) {
            answer.path("items").forEach(objects::add);
        } else {
            objects.add(answer);
        }
        for (JsonNode o : objects) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Column c : columns) {
                add(cells, c.cell().apply(o));
            }
            switch (rowObject) {
                case OBJECT -> row.set("object", o);
                case METADATA -> {
                    ObjectNode partial = row.putObject("object");
                    partial.put("kind", "PartialObjectMetadata");
                    partial.put("apiVersion", "meta.k8s.io/v1");
                    partial.set("metadata", o.path("metadata").deepCopy());
                }
                case NONE -> {
                }
            }
        }
        return table;
    }

    private static void add(ArrayNode cells, Object value) {
        if (value == null) {
            cells.addNull();
        } else if (value instanceof Long l) {
            cells.add(l);
        } else if (value instanceof Boolean b) {
            cells.add(b);
        } else if (value instanceof Integer || value instanceof Short || value instanceof java.math.BigInteger) {
            cells.add(((Number) value).longValue());
        } else if (value instanceof Number n) {
            cells.add(n.doubleValue());
        } else {
            cells.add(value.toString());
        }
    }
}
