package io.mipo.operator.daemonset;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.model.DaemonSetSpec;
import io.mipo.operator.model.DeploymentMode;
import io.mipo.operator.model.DeploymentSpec;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.scanner.DaemonSetRenderer;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class DaemonSetWorkloadTest {

    @Inject
    KubernetesClient client;

    static Scanner daemonSetScanner(String ns, String name) {
        Scanner s = TestResources.scanner(ns, name, null);
        DeploymentSpec d = new DeploymentSpec();
        d.setMode(DeploymentMode.DaemonSet);
        DaemonSetSpec ds = new DaemonSetSpec();
        ds.setNodeSelector(Map.of("mipo.io/scanner-node", "true"));
        ds.setTolerations(List.of(new TolerationBuilder().withKey("dedicated").withOperator("Equal").withValue("scanning").withEffect("NoSchedule").build()));
        ds.setResources(new ResourceRequirementsBuilder().withLimits(Map.of("cpu", new Quantity("500m"), "memory", new Quantity("256Mi"))).build());
        ds.setHostNetwork(true);
        d.setDaemonSet(ds);
        s.getSpec().setDeployment(d);
        return s;
    }

    @Test
    void daemonSetFollowsTheScannerSpecAndGoesAwayWithIt() {
        String ns = TestResources.freshNamespace(client);
        client.resource(daemonSetScanner(ns, "incluster")).create();
        String name = DaemonSetRenderer.workloadName("incluster");

        DaemonSet ds = awaitDaemonSet(ns, name, d -> d != null);
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        assertEquals(Map.of("mipo.io/scanner-node", "true"), pod.getNodeSelector());
        assertEquals("dedicated", pod.getTolerations().get(0).getKey());
        assertTrue(pod.getHostNetwork());
        assertEquals(name, pod.getServiceAccountName());
        assertFalse(pod.getAutomountServiceAccountToken(), "no default token may be mounted");
        Container agent = pod.getContainers().get(0);
        assertEquals(new Quantity("500m"), agent.getResources().getLimits().get("cpu"));
        assertEquals(DaemonSetRenderer.AUDIENCE,
                pod.getVolumes().stream().filter(v -> v.getProjected() != null).findFirst().orElseThrow()
                        .getProjected().getSources().get(0).getServiceAccountToken().getAudience());
        assertTrue(agent.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(List.of("ALL"), agent.getSecurityContext().getCapabilities().getDrop());
        assertFalse(agent.getSecurityContext().getAllowPrivilegeEscalation());
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        var sa = client.serviceAccounts().inNamespace(ns).withName(name).get();
        assertFalse(sa.getAutomountServiceAccountToken(), TestResources.describe(sa));

        // A spec change rolls the DaemonSet.
        TestResources.modify(client, Scanner.class, ns, "incluster", s -> {
            s.getSpec().getDeployment().getDaemonSet().setImage("registry.example/mipo-scanner:2.0");
        });
        awaitDaemonSet(ns, name, d -> d != null && "registry.example/mipo-scanner:2.0"
                .equals(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()));

        // Back to External: the workload goes.
        TestResources.modify(client, Scanner.class, ns, "incluster", s -> {
            s.getSpec().getDeployment().setMode(DeploymentMode.External);
            s.getSpec().getDeployment().setDaemonSet(null);
        });
        awaitDaemonSet(ns, name, d -> d == null);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertNull(client.serviceAccounts().inNamespace(ns).withName(name).get()));
    }

    @Test
    void deletingTheScannerRemovesTheDaemonSet() {
        String ns = TestResources.freshNamespace(client);
        client.resource(daemonSetScanner(ns, "doomed")).create();
        String name = DaemonSetRenderer.workloadName("doomed");
        awaitDaemonSet(ns, name, d -> d != null);
        client.resources(Scanner.class).inNamespace(ns).withName("doomed").delete();
        awaitDaemonSet(ns, name, d -> d == null);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertNull(client.serviceAccounts().inNamespace(ns).withName(name).get());
            assertNull(client.resources(Scanner.class).inNamespace(ns).withName("doomed").get());
        });
    }

    @Test
    void longScannerNamesGiveValidWorkloadNames() {
        String longName = "a".repeat(70);
        String name = DaemonSetRenderer.workloadName(longName);
        assertTrue(name.length() <= 63, name);
        assertTrue(name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"), name);
        assertFalse(name.equals(DaemonSetRenderer.workloadName("a".repeat(69))), "distinct names must stay distinct");
    }

    private DaemonSet awaitDaemonSet(String ns, String name, Predicate<DaemonSet> until) {
        AtomicReference<DaemonSet> last = new AtomicReference<>();
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                DaemonSet d = client.apps().daemonSets().inNamespace(ns).withName(name).get();
                last.set(d);
                return until.test(d);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("DaemonSet " + ns + "/" + name + " never reached the expected state; last seen:\n"
                    + TestResources.describe(last.get()) + "\nscanner:\n"
                    + TestResources.describe(client.resources(Scanner.class).inNamespace(ns).list().getItems()), e);
        }
        return last.get();
    }
}
