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
            s.getSpec().getDeployment().getDaemonSet().setImage("ghcr.io/mipo/mipo-scanner:2.0");
        });
        awaitDaemonSet(ns, name, d -> d != null && "ghcr.io/mipo/mipo-scanner:2.0"
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
    void aScannerNamingAnImageOutsideTheAllowedOnesGetsNoDaemonSetAndSaysWhy() {
        String ns = TestResources.freshNamespace(client);
        Scanner evil = daemonSetScanner(ns, "evil");
        evil.getSpec().getDeployment().getDaemonSet().setImage("evil.example/miner:1");
        client.resource(evil).create();
        Scanner seen = TestResources.awaitStatus(client, ns, "evil", s -> s.getStatus() != null
                && io.mipo.operator.kube.Conditions.find(s.getStatus().getConditions(), "Valid") != null
                && "ImageNotAllowed".equals(io.mipo.operator.kube.Conditions.find(s.getStatus().getConditions(), "Valid").getReason()));
        assertEquals("False", io.mipo.operator.kube.Conditions.find(seen.getStatus().getConditions(), "Valid").getStatus());
        // The status is written after the workload step of the same pass: had it created one, it would be here.
        assertNull(client.apps().daemonSets().inNamespace(ns).withName(DaemonSetRenderer.workloadName("evil")).get(),
                "no DaemonSet may be created for a refused image");
        assertNull(client.serviceAccounts().inNamespace(ns).withName(DaemonSetRenderer.workloadName("evil")).get());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertTrue(client.v1().events().inNamespace(ns).list().getItems()
                .stream().anyMatch(e -> "ImageNotAllowed".equals(e.getReason()) && e.getMessage().contains("evil.example/miner:1")),
                "an ImageNotAllowed event on the scanner; events: " + client.v1().events().inNamespace(ns).list().getItems()));

        // A running DaemonSet is not changed when its Scanner asks for a refused image.
        client.resource(daemonSetScanner(ns, "good")).create();
        String name = DaemonSetRenderer.workloadName("good");
        DaemonSet before = awaitDaemonSet(ns, name, d -> d != null);
        TestResources.modify(client, Scanner.class, ns, "good", s -> s.getSpec().getDeployment().getDaemonSet().setImage("evil.example/miner:1"));
        TestResources.awaitStatus(client, ns, "good", s -> s.getStatus() != null
                && io.mipo.operator.kube.Conditions.find(s.getStatus().getConditions(), "Valid") != null
                && "ImageNotAllowed".equals(io.mipo.operator.kube.Conditions.find(s.getStatus().getConditions(), "Valid").getReason()));
        DaemonSet after = client.apps().daemonSets().inNamespace(ns).withName(name).get();
        assertEquals(before.getSpec().getTemplate().getSpec().getContainers().get(0).getImage(),
                after.getSpec().getTemplate().getSpec().getContainers().get(0).getImage(), TestResources.describe(after));
        assertEquals(before.getMetadata().getResourceVersion(), after.getMetadata().getResourceVersion(), "the DaemonSet was rewritten");
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
