package io.mipo.operator.helm;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chart's defaults face the Internet safely: docs/security.md, threats 1, 2, 4, 5 and 6. */
class EdgeChartTest {
    static final String NAME = RbacCoversCodeTest.SA;

    private static Container operator(RenderedChart chart) {
        return ChartConfigWiringTest.operatorContainer(chart);
    }

    private static String env(RenderedChart chart, String name) {
        return operator(chart).getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst().orElse(null);
    }

    @Test
    void withoutAPublicUrlTheChartRefusesToInstall() {
        Exception e = assertThrows(Exception.class, () -> RenderedChart.templateExactly("").call());
        assertTrue(e.getMessage().contains("publicUrl is required"), e.getMessage());
        assertEquals(RenderedChart.PUBLIC_URL, env(RenderedChart.render(""), "MIPO_PUBLIC_URL"));
        assertEquals(null, env(RenderedChart.render(""), "MIPO_PUBLIC_URL_ALLOW_INSECURE"));
    }

    @Test
    void qPathsAreOnlyOnTheManagementPortWhichThePublicServiceNeverExposes() {
        RenderedChart chart = RenderedChart.render("serviceMonitor:\n  enabled: true\ningress:\n  enabled: true\n");
        Service pub = chart.get(Service.class, NAME);
        assertEquals(List.of("http"), pub.getSpec().getPorts().stream().map(p -> p.getTargetPort().getStrVal()).toList(),
                "the public Service (the Ingress's backend) must route to the public port only");
        Service mgmt = chart.get(Service.class, NAME + "-management");
        assertEquals("management", mgmt.getSpec().getPorts().get(0).getTargetPort().getStrVal());
        Container c = operator(chart);
        assertEquals(9000, c.getPorts().stream().filter(p -> p.getName().equals("management")).findFirst().orElseThrow().getContainerPort());
        for (var probe : List.of(c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe())) {
            assertEquals("management", probe.getHttpGet().getPort().getStrVal(), "probes use the management port: " + probe);
        }
        assertEquals("9000", env(chart, "MIPO_MANAGEMENT_PORT"));
        GenericKubernetesResource sm = chart.all(GenericKubernetesResource.class).stream()
                .filter(o -> o.getKind().equals("ServiceMonitor")).findFirst().orElseThrow(() -> new AssertionError(chart.summary()));
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) sm.getAdditionalProperties().get("spec");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> endpoints = (List<Map<String, Object>>) spec.get("endpoints");
        assertEquals("management", endpoints.get(0).get("port"), "ServiceMonitor scrapes the management port: " + sm);
        @SuppressWarnings("unchecked")
        Map<String, Object> selector = (Map<String, Object>) ((Map<String, Object>) spec.get("selector")).get("matchLabels");
        assertTrue(mgmt.getMetadata().getLabels().entrySet().containsAll(((Map<?, ?>) selector).entrySet()));
        assertFalse(pub.getMetadata().getLabels().entrySet().containsAll(((Map<?, ?>) selector).entrySet()),
                "the ServiceMonitor must not select the public Service");
    }

    @Test
    void byDefaultTheOperatorManagesItsOwnNamespaceOnly() {
        RenderedChart chart = RenderedChart.render("");
        RbacGrants grants = new RbacGrants(chart, RenderedChart.NAMESPACE, NAME);
        assertFalse(RbacGrants.allows(grants.clusterWideRules(), "", "secrets", "get"), "no cluster-wide Secrets by default");
        assertFalse(RbacGrants.allows(grants.clusterWideRules(), "apps", "daemonsets", "create"));
        assertTrue(RbacGrants.allows(grants.rulesIn(RenderedChart.NAMESPACE), "", "secrets", "get"));
        assertEquals(RenderedChart.NAMESPACE, env(chart, "QUARKUS_OPERATOR_SDK_NAMESPACES"));
        assertEquals(RenderedChart.NAMESPACE, env(chart, "MIPO_API_NAMESPACE"));

        RenderedChart all = RenderedChart.render("watchAllNamespaces: true\n");
        assertTrue(RbacGrants.allows(new RbacGrants(all, RenderedChart.NAMESPACE, NAME).clusterWideRules(), "", "secrets", "get"));
        assertEquals(null, env(all, "QUARKUS_OPERATOR_SDK_NAMESPACES"));
    }

    @Test
    void aNetworkPolicyAdmitsThePublicPortFromIngressAndScannersAndManagementFromMonitoring() {
        NetworkPolicy np = RenderedChart.render("").get(NetworkPolicy.class, NAME);
        List<NetworkPolicyIngressRule> rules = np.getSpec().getIngress();
        NetworkPolicyIngressRule pub = rules.stream().filter(r -> r.getPorts().get(0).getPort().getStrVal().equals("http")).findFirst().orElseThrow();
        assertEquals(Map.of("kubernetes.io/metadata.name", "ingress-nginx"), pub.getFrom().get(0).getNamespaceSelector().getMatchLabels());
        assertEquals(Map.of("app.kubernetes.io/name", "mipo-scanner"), pub.getFrom().get(1).getPodSelector().getMatchLabels());
        NetworkPolicyIngressRule mgmt = rules.stream().filter(r -> r.getPorts().get(0).getPort().getStrVal().equals("management")).findFirst().orElseThrow();
        assertEquals(Map.of("kubernetes.io/metadata.name", "monitoring"), mgmt.getFrom().get(0).getNamespaceSelector().getMatchLabels());
        assertEquals(1, mgmt.getFrom().size(), "management port from the monitoring namespace only");
        assertTrue(RenderedChart.render("networkPolicy:\n  enabled: false\n").find(NetworkPolicy.class, NAME).isEmpty());
    }

    @Test
    void daemonSetModeCanBeSwitchedOffWithItsRights() {
        RenderedChart on = RenderedChart.render("");
        assertEquals("true", env(on, "MIPO_DAEMON_SET_ENABLED"));
        assertEquals("ghcr.io/mipo/mipo-scanner:" + appVersion(), env(on, "MIPO_SCANNER_IMAGE"), "the chart's own version, not latest");
        RenderedChart off = RenderedChart.render("daemonSet:\n  enabled: false\n  allowedImages: [registry.example/mipo/]\n");
        assertEquals("false", env(off, "MIPO_DAEMON_SET_ENABLED"));
        assertEquals("registry.example/mipo/", env(off, "MIPO_DAEMON_SET_ALLOWED_IMAGES"));
        List<PolicyRule> rules = off.get(Role.class, NAME).getRules();
        for (String[] r : new String[][] {{"apps", "daemonsets"}, {"", "serviceaccounts"}, {"", "pods"}}) {
            assertFalse(RbacGrants.allows(rules, r[0], r[1], "get"), r[1] + " granted although DaemonSet mode is off");
        }
        assertTrue(RbacGrants.allows(rules, "", "secrets", "get"));
    }

    @Test
    void tlsMakesTheOperatorServeHttpsItself() {
        RenderedChart chart = RenderedChart.render("""
                tls:
                  secretName: mipo-tls
                service:
                  type: LoadBalancer
                  externalTrafficPolicy: Local
                  loadBalancerSourceRanges: [203.0.113.0/24]
                extraVolumes:
                  - name: ca
                    configMap: {name: corp-ca}
                extraVolumeMounts:
                  - name: ca
                    mountPath: /etc/mipo/ca
                """);
        Container c = operator(chart);
        assertEquals("/etc/mipo/tls/tls.crt", env(chart, "QUARKUS_HTTP_SSL_CERTIFICATE_FILES"));
        assertEquals("/etc/mipo/tls/tls.key", env(chart, "QUARKUS_HTTP_SSL_CERTIFICATE_KEY_FILES"));
        assertEquals("disabled", env(chart, "QUARKUS_HTTP_INSECURE_REQUESTS"), "no plain http next to https");
        assertEquals(8443, c.getPorts().stream().filter(p -> p.getName().equals("https")).findFirst().orElseThrow().getContainerPort());
        Deployment d = chart.get(Deployment.class, NAME);
        assertTrue(d.getSpec().getTemplate().getSpec().getVolumes().stream()
                .anyMatch(v -> v.getSecret() != null && "mipo-tls".equals(v.getSecret().getSecretName())));
        assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/etc/mipo/tls")));
        assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/etc/mipo/ca")), "extraVolumeMounts");
        Service s = chart.get(Service.class, NAME);
        assertEquals("https", s.getSpec().getPorts().get(0).getTargetPort().getStrVal());
        assertEquals("Local", s.getSpec().getExternalTrafficPolicy());
        assertEquals(List.of("203.0.113.0/24"), s.getSpec().getLoadBalancerSourceRanges());
        assertTrue(env(chart, "MIPO_DAEMON_SET_SERVER_URL").startsWith("https://"));
        assertEquals("/etc/mipo/tls/ca.crt", env(chart, "MIPO_DAEMON_SET_CA_FILE"),
                "in-cluster agents are handed the TLS Secret's ca.crt, so they can verify the operator");
        assertTrue(operator(RenderedChart.render("")).getEnv().stream().noneMatch(e -> e.getName().startsWith("MIPO_DAEMON_SET_CA_")),
                "without TLS no CA is handed on");
        String pem = "-----BEGIN CERTIFICATE-----\nMIIBcorp\n-----END CERTIFICATE-----\n";
        RenderedChart withBundle = RenderedChart.render("tls:\n  secretName: mipo-tls\ndaemonSet:\n  caBundle: |\n    "
                + pem.replace("\n", "\n    ").stripTrailing() + "\n");
        assertEquals(pem, env(withBundle, "MIPO_DAEMON_SET_CA_BUNDLE"), "daemonSet.caBundle");

        RenderedChart cm = RenderedChart.render("tls:\n  certManager:\n    enabled: true\n    issuerRef: {kind: ClusterIssuer, name: corp}\n    dnsNames: [mipo.example.com]\n");
        HasMetadata cert = cm.objects().stream().filter(o -> o.getKind().equals("Certificate")).findFirst()
                .orElseThrow(() -> new AssertionError(cm.summary()));
        assertTrue(cm.yaml().contains("- mipo.example.com"), cm.yaml());
        assertTrue(operator(cm).getEnv().stream().anyMatch(e -> "QUARKUS_HTTP_SSL_PORT".equals(e.getName())), cert.toString());
        assertTrue(cm.get(Deployment.class, NAME).getSpec().getTemplate().getSpec().getVolumes().stream()
                .anyMatch(v -> v.getSecret() != null && (NAME + "-tls").equals(v.getSecret().getSecretName())));
    }

    private static String appVersion() {
        try {
            return Files.readAllLines(RenderedChart.chartDir().resolve("Chart.yaml")).stream()
                    .filter(l -> l.startsWith("appVersion:")).map(l -> l.substring("appVersion:".length()).trim().replace("\"", ""))
                    .collect(Collectors.joining());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unused")
    private static List<Integer> ports(Service s) {
        return s.getSpec().getPorts().stream().map(ServicePort::getPort).toList();
    }
}
