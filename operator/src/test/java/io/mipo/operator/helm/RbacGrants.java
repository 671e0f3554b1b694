package io.mipo.operator.helm;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Answers "may this ServiceAccount do verb on group/resource in namespace N (or cluster-wide)?" from
 * the RBAC objects a chart rendered, the way the API server's RBAC authorizer does: rules of
 * ClusterRoles bound by ClusterRoleBindings apply everywhere; rules of Roles (or ClusterRoles)
 * bound by a RoleBinding in N apply in N only. Rules with resourceNames are not counted, as they
 * cannot grant list, watch or create.
 */
public final class RbacGrants {
    private final RenderedChart chart;
    private final String saNamespace;
    private final String saName;

    public RbacGrants(RenderedChart chart, String saNamespace, String saName) {
        this.chart = chart;
        this.saNamespace = saNamespace;
        this.saName = saName;
    }

    /** Rules that apply cluster-wide (ClusterRoleBindings to the ServiceAccount). */
    public List<PolicyRule> clusterWideRules() {
        List<PolicyRule> rules = new ArrayList<>();
        for (ClusterRoleBinding b : chart.all(ClusterRoleBinding.class)) {
            if (bindsMe(b.getSubjects())) {
                rules.addAll(clusterRole(b.getRoleRef(), b.getMetadata().getName()).getRules());
            }
        }
        return rules;
    }

    /** Rules that apply in {@code namespace}: cluster-wide ones plus those bound in the namespace. */
    public List<PolicyRule> rulesIn(String namespace) {
        List<PolicyRule> rules = new ArrayList<>(clusterWideRules());
        rules.addAll(namespaceOnlyRules(namespace));
        return rules;
    }

    public List<PolicyRule> namespaceOnlyRules(String namespace) {
        List<PolicyRule> rules = new ArrayList<>();
        for (RoleBinding b : chart.all(RoleBinding.class)) {
            if (!namespace.equals(b.getMetadata().getNamespace()) || !bindsMe(b.getSubjects())) {
                continue;
            }
            RoleRef ref = b.getRoleRef();
            if ("ClusterRole".equals(ref.getKind())) {
                rules.addAll(clusterRole(ref, b.getMetadata().getName()).getRules());
            } else {
                Role role = chart.all(Role.class).stream()
                        .filter(r -> namespace.equals(r.getMetadata().getNamespace()) && ref.getName().equals(r.getMetadata().getName()))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("RoleBinding " + namespace + "/" + b.getMetadata().getName()
                                + " refers to Role " + ref.getName() + ", which the chart does not render in " + namespace));
                rules.addAll(role.getRules());
            }
        }
        return rules;
    }

    public static boolean allows(List<PolicyRule> rules, String group, String resource, String verb) {
        return rules.stream().anyMatch(r -> allows(r, group, resource, verb));
    }

    public static boolean allows(PolicyRule rule, String group, String resource, String verb) {
        if (rule.getResourceNames() != null && !rule.getResourceNames().isEmpty()) {
            return false;
        }
        return matches(rule.getApiGroups(), group)
                && (matches(rule.getResources(), resource)
                || resource.contains("/") && matches(rule.getResources(), "*" + resource.substring(resource.indexOf('/'))))
                && matches(rule.getVerbs(), verb);
    }

    private static boolean matches(List<String> values, String wanted) {
        return values != null && (values.contains(wanted) || values.contains("*"));
    }

    private boolean bindsMe(List<Subject> subjects) {
        return subjects != null && subjects.stream().anyMatch(s -> "ServiceAccount".equals(s.getKind())
                && saName.equals(s.getName()) && Objects.equals(saNamespace, s.getNamespace()));
    }

    private ClusterRole clusterRole(RoleRef ref, String binding) {
        if (!"ClusterRole".equals(ref.getKind())) {
            throw new AssertionError("binding " + binding + " refers to a " + ref.getKind() + "; a ClusterRoleBinding needs a ClusterRole");
        }
        return chart.find(ClusterRole.class, ref.getName()).orElseThrow(() -> new AssertionError(
                "binding " + binding + " refers to ClusterRole " + ref.getName() + ", which the chart does not render"));
    }
}
