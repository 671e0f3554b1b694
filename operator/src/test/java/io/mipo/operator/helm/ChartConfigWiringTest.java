package io.mipo.operator.helm;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.mipo.operator.config.MipoConfig;
import io.quarkiverse.operatorsdk.runtime.RunTimeOperatorConfiguration;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every setting of docs/configuration.md the chart exposes reaches the operator: the rendered Deployment's
 * environment is fed to the same config mappings the operator reads ({@link MipoConfig}, and the
 * Operator SDK's runtime configuration for the watched namespaces), through SmallRye's environment
 * variable rules, so a misspelt variable name shows up as a value that did not arrive.
 */
class ChartConfigWiringTest {

    @Test
    void everyDesignSettingSetInValuesArrivesInTheOperatorsConfig() {
        RenderedChart chart = RenderedChart.render("""
                publicUrl: https://mipo.example.net
                liveness:
                  heartbeatInterval: 15s
                  offlineAfter: 90s
                  statusRefresh: 10m
                token:
                  ttl: 2h
                http:
                  trustedProxies: [10.0.0.0/8, "fd00::/8"]
                asn:
                  database:
                    configMap:
                      name: asn-db
                      key: ip2asn-v4.tsv
                limits:
                  maxScanners: 500
                  maxGroups: 50
                auth:
                  staticToken:
                    existingSecret: mipo-admin
                    key: admin-token
                scannerImage: registry.example.net/mipo/scanner:1.2.3
                watchNamespaces: [team-a, team-b]
                """);
        Map<String, String> secrets = new LinkedHashMap<>();
        SmallRyeConfig config = configFrom(operatorContainer(chart), secrets);
        MipoConfig mipo = config.getConfigMapping(MipoConfig.class);
        String seen = "environment: " + operatorContainer(chart).getEnv();

        assertFalse(mipo.standalone(), seen);
        assertEquals(Optional.of("https://mipo.example.net"), mipo.publicUrl(), seen);
        assertEquals(Duration.ofSeconds(15), mipo.liveness().heartbeatInterval(), seen);
        assertEquals(Duration.ofSeconds(90), mipo.liveness().offlineAfter(), seen);
        assertEquals(Duration.ofMinutes(10), mipo.liveness().statusRefresh(), seen);
        assertEquals(Duration.ofHours(2), mipo.token().ttl(), seen);
        assertEquals(Optional.of(List.of("10.0.0.0/8", "fd00::/8")), mipo.http().trustedProxies(), seen);
        assertEquals(Optional.of("/etc/mipo/asn/ip2asn-v4.tsv"), mipo.asn().database(), seen);
        assertEquals(500, mipo.limits().maxScanners(), seen);
        assertEquals(50, mipo.limits().maxGroups(), seen);
        assertEquals(Optional.of(secrets.get("mipo-admin/admin-token")), mipo.auth().staticToken(), seen);
        assertEquals("registry.example.net/mipo/scanner:1.2.3", mipo.scannerImage(), seen);
        assertEquals(Optional.of("http://mipo-mipo-scanner-operator.mipo-system.svc:80"), mipo.daemonSetServerUrl(),
                "DaemonSet scanners must reach this release's Service on its port; " + seen);

        RunTimeOperatorConfiguration sdk = config.getConfigMapping(RunTimeOperatorConfiguration.class);
        assertEquals(Optional.of(List.of("team-a", "team-b")), sdk.namespaces(), seen);

        // the ASN database file is really there: the ConfigMap is mounted where MIPO_ASN_DATABASE points
        Deployment d = chart.get(Deployment.class, RbacCoversCodeTest.SA);
        Volume asn = d.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getConfigMap() != null).findFirst().orElseThrow(() -> new AssertionError("no ConfigMap volume: " + d));
        assertEquals("asn-db", asn.getConfigMap().getName());
        assertEquals("ip2asn-v4.tsv", asn.getConfigMap().getItems().get(0).getPath());
        assertTrue(operatorContainer(chart).getVolumeMounts().stream()
                .anyMatch(m -> m.getName().equals(asn.getName()) && m.getMountPath().equals("/etc/mipo/asn") && Boolean.TRUE.equals(m.getReadOnly())),
                "ConfigMap not mounted read-only at /etc/mipo/asn: " + operatorContainer(chart).getVolumeMounts());
    }

    @Test
    void chartDefaultsAreTheOperatorsDefaults() {
        SmallRyeConfig fromChart = configFrom(operatorContainer(RenderedChart.render("")), new LinkedHashMap<>());
        SmallRyeConfig fromCode = config(Map.of());
        MipoConfig chart = fromChart.getConfigMapping(MipoConfig.class);
        MipoConfig code = fromCode.getConfigMapping(MipoConfig.class);

        assertEquals(code.liveness().heartbeatInterval(), chart.liveness().heartbeatInterval());
        assertEquals(code.liveness().offlineAfter(), chart.liveness().offlineAfter());
        assertEquals(code.liveness().statusRefresh(), chart.liveness().statusRefresh());
        assertEquals(code.token().ttl(), chart.token().ttl());
        assertEquals(code.limits().maxScanners(), chart.limits().maxScanners());
        assertEquals(code.limits().maxGroups(), chart.limits().maxGroups());
        assertEquals(Optional.empty(), chart.publicUrl());
        assertEquals(Optional.empty(), chart.asn().database());
        assertEquals(Optional.empty(), chart.http().trustedProxies());
        assertEquals(Optional.empty(), chart.auth().staticToken());
        assertEquals(code.scannerImage(), chart.scannerImage());
        // without watchNamespaces the controllers keep their build-time default: every namespace
        assertEquals(fromCode.getConfigMapping(RunTimeOperatorConfiguration.class).namespaces(),
                fromChart.getConfigMapping(RunTimeOperatorConfiguration.class).namespaces());
    }

    @Test
    void asnDatabaseFromAVolumeIsMountedAndPointedAt() {
        RenderedChart chart = RenderedChart.render("""
                asn:
                  database:
                    volume:
                      persistentVolumeClaim:
                        claimName: geoip
                    fileName: GeoLite2-ASN.mmdb
                """);
        MipoConfig mipo = configFrom(operatorContainer(chart), new LinkedHashMap<>()).getConfigMapping(MipoConfig.class);
        assertEquals(Optional.of("/etc/mipo/asn/GeoLite2-ASN.mmdb"), mipo.asn().database());
        Deployment d = chart.get(Deployment.class, RbacCoversCodeTest.SA);
        assertTrue(d.getSpec().getTemplate().getSpec().getVolumes().stream().anyMatch(v -> v.getPersistentVolumeClaim() != null
                && "geoip".equals(v.getPersistentVolumeClaim().getClaimName())), d.getSpec().getTemplate().getSpec().getVolumes().toString());
    }

    @Test
    void theFacadeNamespaceIsAWatchedOne() {
        assertEquals("team-a", env(RenderedChart.render("watchNamespaces: [team-a, team-b]\n"), "MIPO_API_NAMESPACE"));
        assertEquals("team-b", env(RenderedChart.render("watchNamespaces: [team-a, team-b]\napi:\n  namespace: team-b\n"),
                "MIPO_API_NAMESPACE"));
        assertEquals(null, env(RenderedChart.render(""), "MIPO_API_NAMESPACE"), "unset: the operator's own default");
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> RenderedChart.template("watchNamespaces: [team-a]\napi:\n  namespace: elsewhere\n").call());
        assertTrue(e.getMessage().contains("must be one of watchNamespaces"), e.getMessage());
    }

    private static String env(RenderedChart chart, String name) {
        return operatorContainer(chart).getEnv().stream().filter(e -> e.getName().equals(name))
                .map(EnvVar::getValue).findFirst().orElse(null);
    }

    static Container operatorContainer(RenderedChart chart) {
        Deployment d = chart.get(Deployment.class, RbacCoversCodeTest.SA);
        return d.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("operator")).findFirst()
                .orElseThrow(() -> new AssertionError("no container named operator in " + d));
    }

    /** The container's environment as the pod would see it; Secret references get generated values, kept in {@code secrets}. */
    static SmallRyeConfig configFrom(Container container, Map<String, String> secrets) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : container.getEnv()) {
            if (e.getValue() != null) {
                env.put(e.getName(), e.getValue());
            } else if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                var ref = e.getValueFrom().getSecretKeyRef();
                env.put(e.getName(), secrets.computeIfAbsent(ref.getName() + "/" + ref.getKey(), k -> UUID.randomUUID().toString()));
            } else if (e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null) {
                env.put(e.getName(), "from-" + e.getValueFrom().getFieldRef().getFieldPath());
            }
        }
        return config(env);
    }

    static SmallRyeConfig config(Map<String, String> env) {
        return new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(env, 300))
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(MipoConfig.class)
                .withMapping(RunTimeOperatorConfiguration.class)
                .build();
    }
}
