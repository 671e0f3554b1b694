package io.mipo.operator.helm;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.mipo.operator.helm.KubernetesCallsInBytecode.Permission;
import io.mipo.operator.helm.KubernetesCallsInBytecode.Result;
import io.mipo.operator.helm.KubernetesCallsInBytecode.Use;
import io.mipo.operator.model.Scanner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chart's RBAC grants every Kubernetes API call the operator's code makes, and no more scope
 * than it must.
 *
 * <p>The list of calls is derived from the code, not written by hand: {@link KubernetesCallsInBytecode}
 * analyses the compiled classes of the operator (target/classes) and follows each fabric8 DSL chain
 * from where it names a resource ({@code client.secrets()}, {@code resources(Scanner.class)},
 * {@code resource(secret)}, informers) to the verb it ends in, through locals, fields, lambdas and
 * helper methods, and adds what the Java Operator SDK does for each reconciler (watch the primary
 * resource, write its status and finalizer) and for leader election (a Lease). New code is picked up
 * on the next build; a call the analysis cannot follow fails this test with its location instead of
 * passing unnoticed. Bytecode rather than source text, because the compiler has already resolved
 * which method is called on which type, whatever the formatting or the imports.
 *
 * <p>Namespaces: everything namespaced must be granted in each watched namespace (by the ClusterRole
 * when watchNamespaces is empty), except {@link #OWN_NAMESPACE_RESOURCES}, which the operator keeps in
 * its own namespace (the leader-election Lease and the per-replica heartbeat ledgers of docs/liveness.md).
 * Cluster-scoped calls (TokenReview, SubjectAccessReview) need a ClusterRole in both modes. A call
 * made on all namespaces at once ({@code inAnyNamespace()}) needs a cluster-wide grant, which a
 * namespaced install does not give: such code must open one informer (or list) per watched namespace.
 */
class RbacCoversCodeTest {
    /** (apiGroup, resource) the operator reads and writes in its own namespace only. */
    static final Set<String> OWN_NAMESPACE_RESOURCES = Set.of("coordination.k8s.io/leases", "/configmaps");
    /** The only cluster-scoped grants the operator has when it watches given namespaces. */
    static final List<Class<? extends HasMetadata>> CLUSTER_SCOPED_QUESTIONS = List.of(TokenReview.class, SubjectAccessReview.class);
    static final String SA = RenderedChart.RELEASE + "-mipo-scanner-operator";

    static Result code;

    @BeforeAll
    static void analyseTheOperatorsClasses() throws Exception {
        Path classes = Path.of(Scanner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        code = KubernetesCallsInBytecode.scan(classes);
        System.out.println("Kubernetes API permissions the operator's code uses:\n" + KubernetesCallsInBytecode.describe(code));
    }

    @Test
    void theAnalysisFollowsEveryCallAndSeesTheReconcilers() {
        assertEquals(Set.of(), code.unresolved(), "API calls whose resource the analysis could not follow:\n"
                + KubernetesCallsInBytecode.describe(code));
        for (String crd : List.of("scanners", "scannerbindings", "scannergroups")) {
            assertTrue(code.permissions().containsKey(new Permission("mipo.io", crd, "watch", true)), KubernetesCallsInBytecode.describe(code));
            assertTrue(code.permissions().containsKey(new Permission("mipo.io", crd + "/status", "update", true)),
                    KubernetesCallsInBytecode.describe(code));
        }
    }

    @Test
    void clusterWideInstallGrantsEveryCallOfTheCode() {
        RenderedChart chart = RenderedChart.render("");
        RbacGrants grants = new RbacGrants(chart, RenderedChart.NAMESPACE, SA);
        assertCovered(grants, List.of("any-namespace", "another-namespace"));
        assertFalse(chart.all(ClusterRole.class).stream().noneMatch(r -> r.getMetadata().getName().equals(SA)),
                "cluster-wide install must render the operator's ClusterRole: " + chart.summary());
    }

    @Test
    void namespacedInstallGrantsEveryCallOfTheCodeInEachWatchedNamespace() {
        RenderedChart chart = RenderedChart.render("watchNamespaces: [team-a, team-b]\n");
        RbacGrants grants = new RbacGrants(chart, RenderedChart.NAMESPACE, SA);
        assertCovered(grants, List.of("team-a", "team-b"));
    }

    @Test
    void namespacedInstallGrantsNothingNamespacedClusterWide() {
        RenderedChart chart = RenderedChart.render("watchNamespaces: [team-a, team-b]\n");
        RbacGrants grants = new RbacGrants(chart, RenderedChart.NAMESPACE, SA);

        Set<String> allowed = new java.util.TreeSet<>();
        for (Class<? extends HasMetadata> question : CLUSTER_SCOPED_QUESTIONS) {
            assertFalse(Namespaced.class.isAssignableFrom(question), question + " is namespaced");
            allowed.add(HasMetadata.getGroup(question) + "/" + HasMetadata.getPlural(question));
        }
        for (PolicyRule rule : grants.clusterWideRules()) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    assertTrue(allowed.contains(group + "/" + resource),
                            "with watchNamespaces, a ClusterRole bound to the operator grants " + group + "/" + resource
                                    + " " + rule.getVerbs() + "; only " + allowed + " may be cluster-wide");
                }
            }
            assertEquals(List.of("create"), rule.getVerbs(), "reviews are only ever created: " + rule);
        }
        assertEquals(List.of(), grants.namespaceOnlyRules("team-c"), "an unwatched namespace must get no grant");
        assertTrue(chart.all(RoleBinding.class).stream().map(b -> b.getMetadata().getNamespace()).collect(Collectors.toSet())
                .containsAll(Set.of("team-a", "team-b")), chart.summary());
    }

    @Test
    void operatorRolesUseNoWildcards() {
        for (String values : List.of("", "watchNamespaces: [team-a]\n")) {
            RenderedChart chart = RenderedChart.render(values);
            List<PolicyRule> rules = new ArrayList<>();
            chart.all(Role.class).forEach(r -> rules.addAll(r.getRules()));
            chart.all(ClusterRole.class).stream().filter(r -> r.getMetadata().getName().startsWith(SA))
                    .forEach(r -> rules.addAll(r.getRules()));
            for (PolicyRule r : rules) {
                assertFalse(Stream.of(r.getApiGroups(), r.getResources(), r.getVerbs()).anyMatch(l -> l.contains("*")),
                        "least privilege: no wildcard in " + r);
            }
            assertFalse(chart.all(ClusterRoleBinding.class).stream().anyMatch(b -> b.getRoleRef().getName().equals("cluster-admin")),
                    "the operator must not be bound to cluster-admin");
        }
    }

    private static void assertCovered(RbacGrants grants, List<String> watched) {
        List<String> missing = new ArrayList<>();
        List<PolicyRule> clusterWide = grants.clusterWideRules();
        List<PolicyRule> own = grants.rulesIn(RenderedChart.NAMESPACE);
        for (var across : code.acrossAllNamespaces().entrySet()) {
            Permission p = across.getKey();
            if (!RbacGrants.allows(clusterWide, p.apiGroup(), p.resource(), p.verb())) {
                missing.add(p + " in all namespaces at once (inAnyNamespace), used by " + across.getValue()
                        + ": with watchNamespaces nothing namespaced is granted cluster-wide; use inNamespace(ns) for each"
                        + " watched namespace (quarkus.operator-sdk.namespaces) instead");
            }
        }
        for (Use use : code.uses()) {
            Permission p = use.permission();
            String plural = p.resource().contains("/") ? p.resource().substring(0, p.resource().indexOf('/')) : p.resource();
            if (!p.namespaced()) {
                if (!RbacGrants.allows(clusterWide, p.apiGroup(), p.resource(), p.verb())) {
                    missing.add(p + " cluster-wide, used by " + use.where());
                }
            } else if (OWN_NAMESPACE_RESOURCES.contains(p.apiGroup() + "/" + plural)) {
                if (!RbacGrants.allows(own, p.apiGroup(), p.resource(), p.verb())) {
                    missing.add(p + " in the operator's namespace, used by " + use.where());
                }
            } else {
                for (String ns : watched) {
                    if (!RbacGrants.allows(grants.rulesIn(ns), p.apiGroup(), p.resource(), p.verb())) {
                        missing.add(p + " in namespace " + ns + ", used by " + use.where());
                    }
                }
            }
        }
        assertEquals(List.of(), missing, "the chart's RBAC does not grant what the code calls");
    }
}
