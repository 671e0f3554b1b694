package io.mipo.operator.helm;

import io.mipo.operator.helm.KubernetesCallsInBytecode.Permission;
import io.mipo.operator.helm.fixture.ApiUsageFixture;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bytecode analysis behind RbacCoversCodeTest, on a fixture that calls the API in the usual ways. */
class KubernetesCallsInBytecodeTest {

    @Test
    void findsTheResourceAndVerbOfEveryCallInTheFixture() throws URISyntaxException {
        Path file = Path.of(ApiUsageFixture.class.getResource("ApiUsageFixture.class").toURI());
        var result = KubernetesCallsInBytecode.scan(List.of(file));
        String seen = KubernetesCallsInBytecode.describe(result);

        Set<Permission> expected = Set.of(
                p("", "configmaps", "patch", true),           // through a field
                p("", "configmaps", "list", true),            // all namespaces, guarded by WatchedNamespaces
                p("", "secrets", "get", true),
                p("", "secrets", "list", true),               // across all namespaces
                p("", "secrets", "deletecollection", true),   // delete on a label-filtered collection
                p("", "secrets", "create", true),             // resource(secret) typed by its static type
                p("apps", "daemonsets", "update", true),      // generic helper, resolved at its call site
                p("mipo.io", "scanners/status", "update", true),
                p("authentication.k8s.io", "tokenreviews", "create", false),
                p("", "pods", "get", true),                   // DSL captured by a lambda
                p("coordination.k8s.io", "leases", "update", true), // DSL returned by a helper
                p("", "events", "list", true),
                p("", "events", "watch", true));
        assertEquals(new TreeSet<>(expected), new TreeSet<>(result.permissions().keySet()), seen);

        assertEquals(Set.of(p("", "secrets", "list", true)), result.acrossAllNamespaces().keySet(), seen);
        assertEquals(1, result.unresolved().size(), seen);
        assertTrue(result.unresolved().iterator().next().contains("lambda"), seen);
    }

    private static Permission p(String group, String resource, String verb, boolean namespaced) {
        return new Permission(group, resource, verb, namespaced);
    }
}
