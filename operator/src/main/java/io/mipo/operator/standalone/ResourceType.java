package io.mipo.operator.standalone;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * One kind of object the embedded API server serves, as discovery describes it: the built-in kinds
 * the operator and kubectl users touch, and every version served by a stored CustomResourceDefinition.
 * {@code printerColumns} is the CRD's {@code additionalPrinterColumns} for that version (built-ins
 * get kube-apiserver's default columns instead).
 */
record ResourceType(String group, String version, String plural, String singular, String kind,
                    boolean namespaced, List<String> shortNames, List<String> categories,
                    boolean statusSubresource, boolean custom, List<JsonNode> printerColumns) {

    static final List<String> VERBS = List.of("create", "delete", "deletecollection", "get", "list", "patch",
            "update", "watch");

    String groupVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** {@code /api/v1} or {@code /apis/<group>/<version>}. */
    String apiPrefix() {
        return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    }

    /** kubectl's name for the resource: {@code scanners.mipo.io}, or {@code secrets} for the core group. */
    String qualifiedName() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    private static ResourceType builtin(String groupVersion, String plural, String kind, boolean namespaced,
                                        String... shortNames) {
        int slash = groupVersion.indexOf('/');
        String group = slash < 0 ? "" : groupVersion.substring(0, slash);
        String version = slash < 0 ? groupVersion : groupVersion.substring(slash + 1);
        return new ResourceType(group, version, plural, kind.toLowerCase(java.util.Locale.ROOT), kind, namespaced,
                List.of(shortNames), List.of(), false, false, List.of());
    }

    /** The built-in kinds advertised in discovery (the mock server stores any kind; these are the ones worth naming). */
    static final class BuiltinTypes {
        static final List<ResourceType> ALL = List.of(
                builtin("v1", "namespaces", "Namespace", false, "ns"),
                builtin("v1", "nodes", "Node", false, "no"),
                builtin("v1", "secrets", "Secret", true),
                builtin("v1", "configmaps", "ConfigMap", true, "cm"),
                builtin("v1", "services", "Service", true, "svc"),
                builtin("v1", "endpoints", "Endpoints", true, "ep"),
                builtin("v1", "pods", "Pod", true, "po"),
                builtin("v1", "events", "Event", true, "ev"),
                builtin("v1", "serviceaccounts", "ServiceAccount", true, "sa"),
                builtin("v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, "pvc"),
                builtin("apps/v1", "daemonsets", "DaemonSet", true, "ds"),
                builtin("apps/v1", "deployments", "Deployment", true, "deploy"),
                builtin("apps/v1", "replicasets", "ReplicaSet", true, "rs"),
                builtin("apps/v1", "statefulsets", "StatefulSet", true, "sts"),
                builtin("coordination.k8s.io/v1", "leases", "Lease", true),
                builtin("events.k8s.io/v1", "events", "Event", true, "ev"),
                builtin("rbac.authorization.k8s.io/v1", "roles", "Role", true),
                builtin("rbac.authorization.k8s.io/v1", "rolebindings", "RoleBinding", true),
                builtin("rbac.authorization.k8s.io/v1", "clusterroles", "ClusterRole", false),
                builtin("rbac.authorization.k8s.io/v1", "clusterrolebindings", "ClusterRoleBinding", false),
                builtin("apiextensions.k8s.io/v1", "customresourcedefinitions", "CustomResourceDefinition", false,
                        "crd", "crds"));

        private BuiltinTypes() {
        }

        static ResourceType find(String group, String plural) {
            return ALL.stream().filter(t -> t.group().equals(group) && t.plural().equals(plural))
                    .findFirst().orElse(null);
        }
    }

    /** The types one stored CustomResourceDefinition defines: one per served version. */
    static List<ResourceType> fromCrd(JsonNode crd) {
        JsonNode spec = crd.path("spec");
        JsonNode names = spec.path("names");
        List<ResourceType> types = new ArrayList<>();
        for (JsonNode v : spec.path("versions")) {
            if (!v.path("served").asBoolean(true)) {
                continue;
            }
            List<JsonNode> columns = new ArrayList<>();
            v.path("additionalPrinterColumns").forEach(columns::add);
            types.add(new ResourceType(spec.path("group").asText(), v.path("name").asText(),
                    names.path("plural").asText(),
                    names.path("singular").asText(names.path("kind").asText().toLowerCase(java.util.Locale.ROOT)),
                    names.path("kind").asText(),
                    !"Cluster".equals(spec.path("scope").asText()),
                    strings(names.path("shortNames")), strings(names.path("categories")),
                    v.path("subresources").has("status"), true, List.copyOf(columns)));
        }
        return types;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return List.copyOf(out);
    }
}
