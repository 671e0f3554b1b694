package io.mipo.operator.kube;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;

/**
 * What the fabric8 generator cannot be told with annotations, applied to the generated CRDs at build
 * time ({@code quarkus.operator-sdk.crd.post-processor}); not used at run time:
 * <ul>
 *   <li>printer columns in declared order ({@link CrdColumnOrder});</li>
 *   <li>the kind's description ({@code kubectl explain scanner}) and those of {@code spec} and
 *       {@code status}, from {@link JsonClassDescription} on the model classes;</li>
 *   <li>descriptions of the fields of the Kubernetes types the model reuses (Toleration,
 *       ResourceRequirements, LabelSelector), which carry none in the fabric8 model;</li>
 *   <li>the standard condition schema on every {@code status.conditions}: a list-map keyed by
 *       {@code type}, {@code type} and {@code status} required, {@code status} one of
 *       True/False/Unknown, {@code lastTransitionTime} a date-time.</li>
 * </ul>
 * CrdDescriptionsTest checks that every property of the committed CRDs ends up described.
 */
public class CrdConventions implements CRDPostProcessor {
    private static final String MODEL_PACKAGE = "io.mipo.operator.model.";

    static final Map<String, String> CONDITION = Map.of(
            "type", "The condition's type in CamelCase, e.g. Ready; unique in the list.",
            "status", "True, False or Unknown.",
            "reason", "Why the condition has its status, in CamelCase, for programs.",
            "message", "Why the condition has its status, for people.",
            "lastTransitionTime", "When status last changed (RFC 3339).",
            "observedGeneration", "The metadata.generation the condition was computed for; older than metadata.generation means it may be stale.");
    static final Map<String, String> TOLERATION = Map.of(
            "key", "The taint key to tolerate; empty with operator Exists tolerates every taint.",
            "operator", "Equal (the default: key and value must match) or Exists (any value).",
            "value", "The taint value to match with operator Equal.",
            "effect", "The taint effect to tolerate: NoSchedule, PreferNoSchedule or NoExecute; empty tolerates all.",
            "tolerationSeconds", "With effect NoExecute: how long the pod stays on a node after the taint appears; unset means forever.");
    static final Map<String, String> RESOURCES = Map.of(
            "requests", "Compute resources (cpu, memory) reserved for each agent pod.",
            "limits", "The most compute resources (cpu, memory) each agent pod may use.",
            "claims", "Dynamic resource claims of the pod that the agent container uses.");
    static final Map<String, String> RESOURCE_CLAIM = Map.of(
            "name", "The name of one of the pod's resource claims.",
            "request", "The request of that claim to use; empty uses the whole claim.");
    static final Map<String, String> LABEL_SELECTOR = Map.of(
            "matchLabels", "Labels a Scanner must carry, every one of them (key: value).",
            "matchExpressions", "Requirements on a Scanner's labels; all must hold.");
    static final Map<String, String> LABEL_REQUIREMENT = Map.of(
            "key", "The label key.",
            "operator", "In, NotIn, Exists or DoesNotExist.",
            "values", "Values for In and NotIn; empty for Exists and DoesNotExist.");

    private final CrdColumnOrder columnOrder = new CrdColumnOrder();

    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
        HasMetadata ordered = columnOrder.process(crd, crdSpecVersion);
        if (!(ordered instanceof CustomResourceDefinition definition)) {
            return ordered;
        }
        Class<?> kind = modelClass(definition.getSpec().getNames().getKind());
        for (CustomResourceDefinitionVersion v : definition.getSpec().getVersions()) {
            if (v.getSchema() == null || v.getSchema().getOpenAPIV3Schema() == null) {
                continue;
            }
            JSONSchemaProps root = v.getSchema().getOpenAPIV3Schema();
            if (kind != null) {
                describeFromClass(root, kind);
                Type[] parts = specAndStatus(kind);
                if (parts.length == 2) {
                    describeFromClass(property(root, "spec"), parts[0]);
                    describeFromClass(property(root, "status"), parts[1]);
                }
            }
            walk(root);
        }
        return definition;
    }

    private static void walk(JSONSchemaProps node) {
        if (node == null) {
            return;
        }
        if (node.getProperties() != null) {
            for (Map.Entry<String, JSONSchemaProps> e : node.getProperties().entrySet()) {
                JSONSchemaProps p = e.getValue();
                switch (e.getKey()) {
                    case "conditions" -> conditions(p);
                    case "tolerations" -> fill(items(p), TOLERATION);
                    case "resources" -> {
                        fill(p, RESOURCES);
                        fill(items(property(p, "claims")), RESOURCE_CLAIM);
                    }
                    case "selector" -> {
                        fill(p, LABEL_SELECTOR);
                        fill(items(property(p, "matchExpressions")), LABEL_REQUIREMENT);
                    }
                    default -> {
                    }
                }
                walk(p);
            }
        }
        walk(items(node));
    }

    /** The Kubernetes convention for conditions (metav1.Condition), so kubectl, kstatus and SSA read them as such. */
    private static void conditions(JSONSchemaProps list) {
        JSONSchemaProps item = items(list);
        if (item == null || item.getProperties() == null || !item.getProperties().containsKey("type")) {
            return;
        }
        list.setXKubernetesListType("map");
        list.setXKubernetesListMapKeys(List.of("type"));
        item.setRequired(List.of("type", "status"));
        fill(item, CONDITION);
        property(item, "type").setMaxLength(316L);
        property(item, "status").setEnum(List.of(text("True"), text("False"), text("Unknown")));
        property(item, "reason").setMaxLength(1024L);
        property(item, "message").setMaxLength(32768L);
        property(item, "lastTransitionTime").setFormat("date-time");
        property(item, "observedGeneration").setFormat("int64");
        property(item, "observedGeneration").setMinimum(0.0);
    }

    private static com.fasterxml.jackson.databind.JsonNode text(String s) {
        return com.fasterxml.jackson.databind.node.TextNode.valueOf(s);
    }

    private static void fill(JSONSchemaProps node, Map<String, String> descriptions) {
        if (node == null || node.getProperties() == null) {
            return;
        }
        descriptions.forEach((name, description) -> {
            JSONSchemaProps p = node.getProperties().get(name);
            if (p != null && (p.getDescription() == null || p.getDescription().isEmpty())) {
                p.setDescription(description);
            }
        });
    }

    private static void describeFromClass(JSONSchemaProps node, Type type) {
        if (node != null && type instanceof Class<?> c && (node.getDescription() == null || node.getDescription().isEmpty())) {
            JsonClassDescription d = c.getAnnotation(JsonClassDescription.class);
            if (d != null) {
                node.setDescription(d.value());
            }
        }
    }

    private static JSONSchemaProps property(JSONSchemaProps node, String name) {
        return node == null || node.getProperties() == null ? null : node.getProperties().get(name);
    }

    private static JSONSchemaProps items(JSONSchemaProps node) {
        return node == null || node.getItems() == null ? null : node.getItems().getSchema();
    }

    private static Type[] specAndStatus(Class<?> kind) {
        Type sup = kind.getGenericSuperclass();
        return sup instanceof ParameterizedType p ? p.getActualTypeArguments() : new Type[0];
    }

    private static Class<?> modelClass(String kind) {
        try {
            return Class.forName(MODEL_PACKAGE + kind, false, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException e) {
            return null;
        }
    }
}
