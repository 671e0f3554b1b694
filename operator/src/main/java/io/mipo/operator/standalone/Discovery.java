package io.mipo.operator.standalone;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The legacy discovery documents ({@code /api}, {@code /apis}, {@code /api/v1},
 * {@code /apis/<group>/<version>}) kubectl reads to map {@code scanners}, {@code scn} or
 * {@code secret} to a REST path. The mock server only knows CRD kinds and no verbs or short names,
 * which is not enough for kubectl.
 */
final class Discovery {
    private Discovery() {
    }

    /** {@code GET /api}. */
    static ObjectNode coreVersions(String serverAddress) {
        ObjectNode doc = Json.object();
        doc.put("kind", "APIVersions");
        doc.putArray("versions").add("v1");
        ObjectNode cidr = doc.putArray("serverAddressByClientCIDRs").addObject();
        cidr.put("clientCIDR", "0.0.0.0/0");
        cidr.put("serverAddress", serverAddress);
        return doc;
    }

    /** {@code GET /apis}: every named group, in a stable order (built-ins first). */
    static ObjectNode groups(List<ResourceType> types) {
        Map<String, Set<String>> versions = new LinkedHashMap<>();
        for (ResourceType t : types) {
            if (!t.group().isEmpty()) {
                versions.computeIfAbsent(t.group(), g -> new LinkedHashSet<>()).add(t.version());
            }
        }
        ObjectNode doc = Json.object();
        doc.put("kind", "APIGroupList");
        doc.put("apiVersion", "v1");
        ArrayNode groups = doc.putArray("groups");
        versions.forEach((group, vs) -> {
            ObjectNode g = groups.addObject();
            g.put("name", group);
            ArrayNode list = g.putArray("versions");
            for (String v : vs) {
                ObjectNode gv = list.addObject();
                gv.put("groupVersion", group + "/" + v);
                gv.put("version", v);
            }
            ObjectNode preferred = g.putObject("preferredVersion");
            String first = vs.iterator().next();
            preferred.put("groupVersion", group + "/" + first);
            preferred.put("version", first);
        });
        return doc;
    }

    /** {@code GET /apis/<group>}; null for a group nobody serves. */
    static ObjectNode group(String group, List<ResourceType> types) {
        ObjectNode all = groups(types);
        for (var g : all.withArray("groups")) {
            if (g.path("name").asText().equals(group)) {
                ObjectNode doc = ((ObjectNode) g).deepCopy();
                doc.put("kind", "APIGroup");
                doc.put("apiVersion", "v1");
                return doc;
            }
        }
        return null;
    }

    /** {@code GET /api/v1} or {@code /apis/<group>/<version>}; null when nothing is served there. */
    static ObjectNode resources(String group, String version, List<ResourceType> types) {
        List<ResourceType> here = types.stream()
                .filter(t -> t.group().equals(group) && t.version().equals(version))
                .toList();
        if (here.isEmpty()) {
            return null;
        }
        ObjectNode doc = Json.object();
        doc.put("kind", "APIResourceList");
        doc.put("apiVersion", "v1");
        doc.put("groupVersion", here.get(0).groupVersion());
        ArrayNode resources = doc.putArray("resources");
        for (ResourceType t : here) {
            ObjectNode r = resources.addObject();
            r.put("name", t.plural());
            r.put("singularName", t.singular());
            r.put("namespaced", t.namespaced());
            r.put("kind", t.kind());
            ArrayNode verbs = r.putArray("verbs");
            ResourceType.VERBS.forEach(verbs::add);
            if (!t.shortNames().isEmpty()) {
                ArrayNode shortNames = r.putArray("shortNames");
                t.shortNames().forEach(shortNames::add);
            }
            if (!t.categories().isEmpty()) {
                ArrayNode categories = r.putArray("categories");
                t.categories().forEach(categories::add);
            }
            if (t.statusSubresource()) {
                ObjectNode s = resources.addObject();
                s.put("name", t.plural() + "/status");
                s.put("singularName", "");
                s.put("namespaced", t.namespaced());
                s.put("kind", t.kind());
                s.putArray("verbs").add("get").add("patch").add("update");
            }
        }
        return doc;
    }

    /** {@code GET /}: the paths a client may explore. */
    static ObjectNode rootPaths(List<ResourceType> types) {
        Set<String> paths = new LinkedHashSet<>(List.of("/api", "/api/v1", "/apis", "/healthz", "/livez", "/readyz", "/version"));
        for (ResourceType t : types) {
            if (!t.group().isEmpty()) {
                paths.add("/apis/" + t.group());
                paths.add(t.apiPrefix());
            }
        }
        ObjectNode doc = Json.object();
        ArrayNode list = doc.putArray("paths");
        paths.forEach(list::add);
        return doc;
    }
}
