package io.mipo.operator.helm;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.mipo.operator.api.auth.AccessRequest;
import io.mipo.operator.api.auth.RequiresAccess;
import io.mipo.operator.testing.TestResources;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chart's user roles grant exactly what the facade asks SubjectAccessReviews for: every
 * {@link RequiresAccess} of a resource method and every extra {@code require(user, verb, resource,
 * subresource, ...)} in the code is granted by mipo-scanner-admin (so an admin can use every call,
 * regenerate-token included), every read is granted by mipo-scanner-view, and neither role grants a
 * subresource the facade never checks (besides the status reads kubectl needs).
 */
class UserRolesMatchFacadeTest {
    private static final Pattern REQUIRE = Pattern.compile(
            "\\.require\\(\\s*\\w+\\s*,\\s*\"([a-z]+)\"\\s*,\\s*\"([a-z]+)\"\\s*,\\s*\"([a-z-]*)\"");

    record Check(String verb, String resource, String subresource) {
        String what() {
            return verb + " " + resource + (subresource.isEmpty() ? "" : "/" + subresource);
        }
    }

    static Set<Check> facadeChecks() throws IOException {
        Set<Check> checks = new java.util.TreeSet<>(java.util.Comparator.comparing(Check::what));
        Path src = TestResources.projectRoot().resolve("operator/src/main/java/io/mipo/operator");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(src)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).toList();
        }
        for (Path f : files) {
            String code = Files.readString(f);
            Matcher m = REQUIRE.matcher(code);
            while (m.find()) {
                checks.add(new Check(m.group(1), m.group(2), m.group(3)));
            }
            if (!code.contains("@RequiresAccess")) {
                continue;
            }
            String className = src.relativize(f).toString().replace('/', '.').replaceAll("\\.java$", "");
            try {
                for (Method method : Class.forName("io.mipo.operator." + className).getDeclaredMethods()) {
                    RequiresAccess r = method.getAnnotation(RequiresAccess.class);
                    if (r != null) {
                        checks.add(new Check(r.verb(), r.resource(), r.subresource()));
                    }
                }
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
        }
        return checks;
    }

    private static boolean grants(List<PolicyRule> rules, Check c) {
        String resource = c.subresource().isEmpty() ? c.resource() : c.resource() + "/" + c.subresource();
        return RbacGrants.allows(rules, AccessRequest.GROUP, resource, c.verb());
    }

    @Test
    void theAdminRoleGrantsEveryCheckAndTheViewRoleEveryRead() throws IOException {
        RenderedChart chart = RenderedChart.render("");
        List<PolicyRule> admin = chart.get(ClusterRole.class, "mipo-scanner-admin").getRules();
        List<PolicyRule> view = chart.get(ClusterRole.class, "mipo-scanner-view").getRules();
        Set<Check> checks = facadeChecks();
        assertTrue(checks.size() > 10, "found the facade's checks: " + checks);
        assertTrue(checks.contains(new Check("create", "scanners", "regenerate-token")), checks.toString());
        assertTrue(checks.contains(new Check("update", "scanners", "")), checks.toString());
        List<String> missing = new ArrayList<>();
        for (Check c : checks) {
            if (!grants(admin, c)) {
                missing.add("admin: " + c.what());
            }
            if (Set.of("get", "list").contains(c.verb()) && !grants(view, c)) {
                missing.add("view: " + c.what());
            }
            if (!Set.of("get", "list", "watch").contains(c.verb()) && grants(view, c)) {
                missing.add("view must not grant " + c.what());
            }
        }
        assertEquals(List.of(), missing, "facade checks " + checks);

        // no subresource beyond what the facade checks and the status reads
        Set<String> checkedSubresources = new TreeSet<>();
        checks.stream().filter(c -> !c.subresource().isEmpty()).forEach(c -> checkedSubresources.add(c.resource() + "/" + c.subresource()));
        for (PolicyRule r : concat(admin, view)) {
            for (String res : r.getResources()) {
                if (res.contains("/") && !res.endsWith("/status")) {
                    assertTrue(checkedSubresources.contains(res), res + " is granted but the facade never checks it");
                }
            }
        }
    }

    private static List<PolicyRule> concat(List<PolicyRule> a, List<PolicyRule> b) {
        List<PolicyRule> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
