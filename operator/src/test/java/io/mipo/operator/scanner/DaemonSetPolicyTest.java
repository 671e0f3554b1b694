package io.mipo.operator.scanner;

import io.mipo.operator.model.DaemonSetSpec;
import io.mipo.operator.model.DeploymentMode;
import io.mipo.operator.model.DeploymentSpec;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.testing.Configs;
import io.mipo.operator.testing.TestResources;
import io.mipo.operator.validation.FieldError;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which images a DaemonSet-mode Scanner may make the operator run (threat: confused deputy). */
class DaemonSetPolicyTest {

    private static Optional<FieldError> refusal(Map<String, String> config, String image) {
        DaemonSetPolicy policy = new DaemonSetPolicy();
        policy.config = Configs.mipo(config);
        Scanner s = TestResources.scanner("ns", "s1", null);
        DeploymentSpec d = new DeploymentSpec();
        d.setMode(DeploymentMode.DaemonSet);
        DaemonSetSpec ds = new DaemonSetSpec();
        ds.setImage(image);
        ds.setHostNetwork(true);
        d.setDaemonSet(ds);
        s.getSpec().setDeployment(d);
        return policy.refusal(s);
    }

    @Test
    void byDefaultOnlyTheConfiguredScannerRepositoryMayRun() {
        Map<String, String> defaults = Map.of("mipo.scanner-image", "ghcr.io/mipo/mipo-scanner:1.4.0");
        assertEquals(Optional.empty(), refusal(defaults, null), "the default image");
        assertEquals(Optional.empty(), refusal(defaults, "ghcr.io/mipo/mipo-scanner:1.5.0"));
        assertEquals(Optional.empty(), refusal(defaults, "ghcr.io/mipo/mipo-scanner@sha256:" + "a".repeat(64)));
        for (String evil : new String[] {"docker.io/library/alpine:3", "ghcr.io/mipo/mipo-scanner-miner:1",
                "ghcr.io/mipo/mipo-scannerx", "evil.example/ghcr.io/mipo/mipo-scanner:1"}) {
            Optional<FieldError> r = refusal(defaults, evil);
            assertTrue(r.isPresent(), evil + " must be refused");
            assertEquals(DaemonSetPolicy.IMAGE_NOT_ALLOWED, r.get().reason());
            assertEquals("spec.deployment.daemonSet.image", r.get().field());
            assertTrue(r.get().message().contains(evil), r.get().message());
        }
    }

    @Test
    void configuredRulesAreRepositoriesExactImagesOrPrefixes() {
        Map<String, String> c = Map.of("mipo.scanner-image", "ghcr.io/mipo/mipo-scanner:1.4.0",
                "mipo.daemon-set.allowed-images", "registry.example/mipo/,mirror.example/scanner:2.0,quay.example/team/*");
        assertEquals(Optional.empty(), refusal(c, "registry.example/mipo/anything:9"));
        assertEquals(Optional.empty(), refusal(c, "mirror.example/scanner:2.0"));
        assertEquals(Optional.empty(), refusal(c, "quay.example/team/agent:1"));
        assertEquals(Optional.empty(), refusal(c, "ghcr.io/mipo/mipo-scanner:1.4.0"), "mipo.scanner-image itself is always allowed");
        assertTrue(refusal(c, "mirror.example/scanner:2.1").isPresent(), "an exact rule allows that tag only");
        assertTrue(refusal(c, "registry.example/mipo-evil/x:1").isPresent());
        assertTrue(refusal(c, "ghcr.io/mipo/mipo-scanner:1.5.0").isPresent(), "configured rules replace the default");
    }

    @Test
    void daemonSetModeCanBeSwitchedOff() {
        Optional<FieldError> r = refusal(Map.of("mipo.daemon-set.enabled", "false"), null);
        assertEquals(DaemonSetPolicy.DISABLED, r.orElseThrow().reason());
        assertEquals("spec.deployment.mode", r.get().field());
    }

    @Test
    void repositoryStripsTagAndDigestButNotTheRegistryPort() {
        assertEquals("host:5000/a/b", DaemonSetPolicy.repository("host:5000/a/b:1@sha256:" + "0".repeat(64)));
        assertEquals("host:5000/a/b", DaemonSetPolicy.repository("host:5000/a/b"));
        assertFalse(DaemonSetPolicy.matches("host:5000/a/b", "host:5000/a/bc:1"));
    }
}
