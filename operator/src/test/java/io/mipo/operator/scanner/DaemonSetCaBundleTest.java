package io.mipo.operator.scanner;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mipo.operator.model.DeploymentMode;
import io.mipo.operator.model.DeploymentSpec;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.testing.Configs;
import io.mipo.operator.testing.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * In-cluster (DaemonSet) agents reaching an operator that serves HTTPS with a private CA get the
 * CA bundle's text in MIPO_CA_PEM: from mipo.daemon-set.ca-bundle, else from the file
 * mipo.daemon-set.ca-file names (re-read, so a renewed CA changes the pod template and rolls the pods).
 */
class DaemonSetCaBundleTest {
    private static final String CA_1 = "-----BEGIN CERTIFICATE-----\nMIIBfirst\n-----END CERTIFICATE-----\n";
    private static final String CA_2 = "-----BEGIN CERTIFICATE-----\nMIIBsecond\n-----END CERTIFICATE-----\n";

    private static Scanner daemonSetScanner() {
        Scanner s = TestResources.scanner("ns", "incluster", null);
        DeploymentSpec d = new DeploymentSpec();
        d.setMode(DeploymentMode.DaemonSet);
        s.getSpec().setDeployment(d);
        return s;
    }

    private static Optional<String> caEnv(DaemonSet ds) {
        return ds.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> DaemonSetRenderer.CA_ENV.equals(e.getName())).map(EnvVar::getValue).findFirst();
    }

    private static DaemonSetWorkload workload(Map<String, String> config) {
        DaemonSetWorkload w = new DaemonSetWorkload();
        w.config = Configs.mipo(config);
        return w;
    }

    @Test
    void withoutABundleTheAgentGetsNoCaVariableAndTrustsItsImage() {
        DaemonSet ds = DaemonSetRenderer.daemonSet(daemonSetScanner(), "img:1", "https://op.ns.svc:8443", null);
        assertEquals(Optional.empty(), caEnv(ds));
        assertNull(workload(Map.of()).caBundle());
    }

    @Test
    void theConfiguredBundleIsHandedToTheAgentAndWinsOverTheFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("ca.crt"), CA_2);
        DaemonSetWorkload w = workload(Map.of("mipo.daemon-set.ca-bundle", CA_1, "mipo.daemon-set.ca-file", file.toString()));
        assertEquals(CA_1, w.caBundle());
        DaemonSet ds = DaemonSetRenderer.daemonSet(daemonSetScanner(), "img:1", "https://op.ns.svc:8443", w.caBundle());
        assertEquals(Optional.of(CA_1), caEnv(ds), "MIPO_CA_PEM in " + Serialization.asYaml(ds.getSpec().getTemplate().getSpec()));
    }

    @Test
    void theFileIsReadEachTimeSoARenewedCaRollsThePods(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ca.crt");
        DaemonSetWorkload w = workload(Map.of("mipo.daemon-set.ca-file", file.toString()));
        assertNull(w.caBundle(), "a CA file that does not exist (a TLS Secret without ca.crt) means no bundle");

        Files.writeString(file, CA_1);
        String first = DaemonSetRenderer.sha256(Serialization.asJson(
                DaemonSetRenderer.daemonSet(daemonSetScanner(), "img:1", "https://op", w.caBundle()).getSpec()));
        Files.writeString(file, CA_2);
        assertEquals(CA_2, w.caBundle());
        String renewed = DaemonSetRenderer.sha256(Serialization.asJson(
                DaemonSetRenderer.daemonSet(daemonSetScanner(), "img:1", "https://op", w.caBundle()).getSpec()));
        assertNotEquals(first, renewed, "the spec hash must change with the CA, so the DaemonSet is updated");
    }
}
