package io.mipo.operator.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mipo.operator.testing.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Helm chart: lints strictly, renders valid Kubernetes objects in each variant, keeps its CRDs in step. */
class ChartTest {
    static final String NAME = RbacCoversCodeTest.SA;

    /** Values of the variants every structural check runs on. */
    static final Map<String, String> VARIANTS = Map.of(
            "defaults", "",
            "watchNamespaces", "watchNamespaces: [team-a, team-b]\n",
            "single replica", "replicas: 1\n",
            "HA", "replicas: 3\npodDisruptionBudget:\n  minAvailable: 2\n",
            "every namespace, TLS, no DaemonSets", "watchAllNamespaces: true\ntls:\n  secretName: mipo-tls\ndaemonSet:\n  enabled: false\n",
            "ingress and monitoring", """
                    publicUrl: https://mipo.example.net
                    http:
                      trustedProxies: [10.42.0.0/16]
                    ingress:
                      enabled: true
                      className: nginx
                      hosts:
                        - host: mipo.example.net
                          paths:
                            - path: /
                              pathType: Prefix
                      tls:
                        - secretName: mipo-tls
                          hosts: [mipo.example.net]
                    serviceMonitor:
                      enabled: true
                      labels:
                        release: prometheus
                    """);

    @Test
    void lintsStrictly() {
        LintResult lint = new Helm(RenderedChart.chartDir()).lint().strict().call();
        assertFalse(lint.isFailed(), "helm lint --strict: " + lint.getMessages());
        assertTrue(lint.getMessages().stream().noneMatch(m -> m.startsWith("[WARNING]") || m.startsWith("[ERROR]")),
                "helm lint --strict: " + lint.getMessages());
    }

    @Test
    void chartCrdsAreByteForByteTheTopLevelCrds() throws IOException {
        Path top = TestResources.projectRoot().resolve("crds");
        Path chart = RenderedChart.chartDir().resolve("crds");
        Set<String> topFiles = fileNames(top);
        assertEquals(Set.copyOf(TestResources.CRD_FILES), topFiles);
        assertEquals(topFiles, fileNames(chart), "helm/mipo-scanner-operator/crds must hold the same files as crds/ (copy them)");
        for (String f : topFiles) {
            assertArrayEquals(Files.readAllBytes(top.resolve(f)), Files.readAllBytes(chart.resolve(f)),
                    "helm/mipo-scanner-operator/crds/" + f + " differs from crds/" + f + ": run cp crds/*.yml helm/mipo-scanner-operator/crds/");
            CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(chart.resolve(f)), CustomResourceDefinition.class);
            assertEquals("mipo.io", crd.getSpec().getGroup(), f);
            assertNoUnknownFields(crd, f);
        }
    }

    @Test
    void everyRenderedDocumentIsAKubernetesObjectTheModelKnowsCompletely() {
        VARIANTS.forEach((variant, values) -> {
            RenderedChart chart = RenderedChart.render(values);
            assertFalse(chart.objects().isEmpty(), variant);
            for (HasMetadata o : chart.objects()) {
                String what = variant + ": " + o.getKind() + "/" + o.getMetadata().getName();
                assertNotNull(o.getApiVersion(), what);
                assertNotNull(o.getMetadata().getName(), what);
                assertTrue(o.getMetadata().getName().length() <= 63 || o instanceof ClusterRole || o instanceof ClusterRoleBinding, what);
                if (o instanceof GenericKubernetesResource g) {
                    // the one kind the fabric8 model does not have: the Prometheus Operator's ServiceMonitor
                    assertEquals("monitoring.coreos.com/v1/ServiceMonitor", g.getApiVersion() + "/" + g.getKind(), what);
                } else {
                    assertNoUnknownFields(o, what);
                }
                boolean clusterScoped = o instanceof ClusterRole || o instanceof ClusterRoleBinding;
                assertEquals(!clusterScoped, o.getMetadata().getNamespace() != null, what + " namespace " + o.getMetadata().getNamespace());
                if (!clusterScoped && !(o instanceof Role) && !(o instanceof RoleBinding)) {
                    assertEquals(RenderedChart.NAMESPACE, o.getMetadata().getNamespace(), what);
                }
            }
        });
    }

    @Test
    void defaultsRenderTwoReplicasWithProbesAPodDisruptionBudgetAndAHardenedPod() {
        RenderedChart chart = RenderedChart.render("");
        Deployment d = chart.get(Deployment.class, NAME);
        assertEquals(2, d.getSpec().getReplicas(), "the chart's default is 2 replicas");
        assertEquals(1, chart.get(PodDisruptionBudget.class, NAME).getSpec().getMinAvailable().getIntVal());
        assertEquals(d.getSpec().getSelector().getMatchLabels(),
                chart.get(PodDisruptionBudget.class, NAME).getSpec().getSelector().getMatchLabels());
        assertEquals(0, d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal());

        Container c = ChartConfigWiringTest.operatorContainer(chart);
        assertEquals("ghcr.io/mipo/mipo-scanner-operator:0.1.0", c.getImage(), "image tag defaults to appVersion");
        assertEquals("/q/health/ready", c.getReadinessProbe().getHttpGet().getPath());
        assertEquals("/q/health/live", c.getLivenessProbe().getHttpGet().getPath());
        assertEquals("/q/health/started", c.getStartupProbe().getHttpGet().getPath());
        assertEquals("management", c.getReadinessProbe().getHttpGet().getPort().getStrVal());
        assertEquals("management", c.getLivenessProbe().getHttpGet().getPort().getStrVal());
        assertEquals(8080, c.getPorts().get(0).getContainerPort());

        var pod = d.getSpec().getTemplate().getSpec();
        assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot());
        assertEquals(1001L, pod.getSecurityContext().getRunAsUser());
        assertEquals(Boolean.TRUE, c.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(Boolean.FALSE, c.getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
        assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")),
                "a read-only root filesystem needs a writable /tmp: " + c.getVolumeMounts());
        assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getName().equals("tmp") && v.getEmptyDir() != null), pod.getVolumes().toString());
        assertEquals(NAME, pod.getServiceAccountName());
        assertNotNull(chart.get(ServiceAccount.class, NAME));
        assertEquals(Set.of("POD_NAME", "POD_NAMESPACE"), c.getEnv().stream()
                .filter(e -> e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null)
                .map(e -> e.getName()).collect(Collectors.toSet()), "downward API for leader election identity and namespace");
        assertNotNull(pod.getAffinity().getPodAntiAffinity(), "replicas prefer different nodes");

        Service s = chart.get(Service.class, NAME);
        assertEquals(d.getSpec().getSelector().getMatchLabels(), s.getSpec().getSelector(), "the Service selects every replica");
        assertEquals("http", s.getSpec().getPorts().get(0).getTargetPort().getStrVal());

        assertTrue(chart.all(Ingress.class).isEmpty(), chart.summary());
        assertTrue(chart.all(GenericKubernetesResource.class).isEmpty(), "no ServiceMonitor by default: " + chart.summary());
        assertTrue(chart.find(ClusterRole.class, "mipo-scanner-admin").isPresent(), chart.summary());
        assertTrue(chart.find(ClusterRole.class, "mipo-scanner-view").isPresent(), chart.summary());
    }

    @Test
    void aSingleReplicaGetsNoPodDisruptionBudget() {
        RenderedChart chart = RenderedChart.render("replicas: 1\n");
        assertEquals(1, chart.get(Deployment.class, NAME).getSpec().getReplicas());
        assertTrue(chart.all(PodDisruptionBudget.class).isEmpty(),
                "a PDB with minAvailable 1 over one pod would block every node drain: " + chart.summary());
    }

    @Test
    void haVariantScalesAndKeepsTheBudget() {
        RenderedChart chart = RenderedChart.render(VARIANTS.get("HA"));
        assertEquals(3, chart.get(Deployment.class, NAME).getSpec().getReplicas());
        assertEquals(2, chart.get(PodDisruptionBudget.class, NAME).getSpec().getMinAvailable().getIntVal());
    }

    @Test
    void watchNamespacesRenderARoleAndBindingInEachAndNoClusterRoleForThem() {
        RenderedChart chart = RenderedChart.render(VARIANTS.get("watchNamespaces"));
        for (String ns : List.of("team-a", "team-b")) {
            assertTrue(chart.all(Role.class).stream().anyMatch(r -> ns.equals(r.getMetadata().getNamespace())), chart.summary());
            assertTrue(chart.all(RoleBinding.class).stream().anyMatch(r -> ns.equals(r.getMetadata().getNamespace())), chart.summary());
        }
        assertTrue(chart.find(ClusterRole.class, NAME).isEmpty(), "no operator ClusterRole with watchNamespaces: " + chart.summary());
        assertEquals(Set.of(NAME + "-auth"), chart.all(ClusterRoleBinding.class).stream()
                .map(b -> b.getMetadata().getName()).collect(Collectors.toSet()), chart.summary());
    }

    @Test
    void ingressRoutesTheHostToTheServiceWithTls() {
        RenderedChart chart = RenderedChart.render(VARIANTS.get("ingress and monitoring"));
        Ingress ingress = chart.get(Ingress.class, NAME);
        Service service = chart.get(Service.class, NAME);
        assertEquals("nginx", ingress.getSpec().getIngressClassName());
        IngressRule rule = ingress.getSpec().getRules().get(0);
        assertEquals("mipo.example.net", rule.getHost());
        var backend = rule.getHttp().getPaths().get(0).getBackend().getService();
        assertEquals(service.getMetadata().getName(), backend.getName());
        assertEquals(service.getSpec().getPorts().get(0).getPort(), backend.getPort().getNumber());
        assertEquals("mipo-tls", ingress.getSpec().getTls().get(0).getSecretName());

        GenericKubernetesResource monitor = chart.all(GenericKubernetesResource.class).get(0);
        assertEquals("ServiceMonitor", monitor.getKind());
        assertEquals("prometheus", monitor.getMetadata().getLabels().get("release"));
        @SuppressWarnings("unchecked")
        Map<String, Object> endpoint = ((List<Map<String, Object>>) ((Map<String, Object>) monitor.getAdditionalProperties()
                .get("spec")).get("endpoints")).get(0);
        assertEquals("/q/metrics", endpoint.get("path"));
        assertEquals("management", endpoint.get("port"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "replicas: two",
            "replicas: 0",
            "watchNamespaces: team-a",
            "watchNamespaces: [Team_A]",
            "liveness:\n  offlineAfter: 120",
            "liveness:\n  offlineAfter: two minutes",
            "token:\n  ttl: true",
            "limits:\n  maxScanners: many",
            "http:\n  trustedProxies: 10.0.0.0/8",
            "http:\n  trustedProxies: [not-a-cidr]",
            "ingress:\n  enabled: \"yes\"",
            "publicUrl: ftp://mipo.example.net",
            "replica: 3",
            "image:\n  pullPolicy: Sometimes",
    })
    void schemaRejectsWrongTypesAndUnknownKeys(String values) {
        Exception e = assertThrows(Exception.class, () -> RenderedChart.template(values + "\n").call(),
                "values.schema.json accepted: " + values);
        assertTrue(e.getMessage().contains("schema"), "expected a schema error for '" + values + "', got: " + e.getMessage());
    }

    @Test
    void asnDatabaseConfigMapWithoutKeyIsRefusedWithAMessage() {
        Exception e = assertThrows(Exception.class, () -> RenderedChart.template("asn:\n  database:\n    configMap:\n      name: asn-db\n").call());
        assertTrue(e.getMessage().contains("asn.database.configMap.key"), e.getMessage());
    }

    @Test
    void theImageRunsAsTheUserThePodDemandsAndNeedsOnlyTmpWritable() throws IOException {
        String dockerfile = Files.readString(TestResources.projectRoot().resolve("operator/src/main/docker/Dockerfile"));
        Container c = ChartConfigWiringTest.operatorContainer(RenderedChart.render(""));
        Deployment d = RenderedChart.render("").get(Deployment.class, NAME);
        long uid = d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser();
        assertTrue(dockerfile.lines().anyMatch(l -> l.equals("USER " + uid + ":" + uid)),
                "the Dockerfile's USER must be the chart's runAsUser " + uid);
        assertTrue(dockerfile.contains("operator/target/quarkus-app/") && dockerfile.contains("quarkus-run.jar"),
                "the image runs the Quarkus fast-jar (README.md)");
        assertTrue(dockerfile.contains("scanner-image/target/mipo-scanner-linux-amd64.tar.gz"),
                "the agent bundle is inside the image, so /scanner/binary works offline");
        assertTrue(dockerfile.contains("scanner-image/target/mipo-scanner-linux-arm64*.tar.gz"),
                "the arm64 bundle too, when the build made it (a glob: COPY does not fail without it)");
        assertTrue(dockerfile.contains("-Djava.io.tmpdir=/tmp"), "temporary files go to the /tmp emptyDir");
        assertEquals("/tmp", c.getVolumeMounts().get(0).getMountPath());
    }

    @Test
    void notesTellHowToReachTheFacadeAndCreateAFirstScanner() throws IOException {
        Path values = Files.createTempFile("mipo-values-", ".yaml");
        Files.writeString(values, "publicUrl: http://mipo.example.com\npublicUrlAllowInsecure: true\nwatchNamespaces: [team-a]\n");
        try {
            String notes = new Helm(RenderedChart.chartDir()).install()
                    .withName(RenderedChart.RELEASE).withNamespace(RenderedChart.NAMESPACE)
                    .withKubeVersion("1.30.0").withValuesFile(values)
                    .clientOnly().withDryRunOption(com.marcnuri.helm.DryRun.CLIENT)
                    .call().getOutput();
            assertTrue(notes.contains("port-forward service/" + NAME), notes);
            assertTrue(notes.contains("kind: Scanner\\n") && notes.contains("kubectl apply -n team-a -f -"), notes);
            assertTrue(notes.contains("kubectl get secret edge-1-provisioning -n team-a"), notes);
            assertTrue(notes.contains("publicUrl is plain http"), notes);
        } finally {
            Files.deleteIfExists(values);
        }
    }

    @Test
    void theUnknownFieldCheckCatchesATypo() {
        HasMetadata typo = Serialization.unmarshal("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  template:
                    spec:
                      containers:
                        - name: operator
                          readinesProbe: {httpGet: {path: /q/health/ready, port: http}}
                """);
        AssertionError e = assertThrows(AssertionError.class, () -> assertNoUnknownFields(typo, "typo"));
        assertTrue(e.getMessage().contains("readinesProbe"), e.getMessage());
    }

    // ---- helpers ----

    private static Set<String> fileNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /**
     * Fails when a field of the YAML is unknown to the fabric8 model (a typo such as
     * {@code readinesProbe} lands in additionalProperties instead of failing the parse).
     */
    static void assertNoUnknownFields(Object object, String what) {
        List<String> unknown = new ArrayList<>();
        collectUnknown(object, "", unknown, new IdentityHashMap<>());
        assertEquals(List.of(), unknown, what + ": fields the Kubernetes model does not know");
    }

    private static void collectUnknown(Object o, String path, List<String> unknown, IdentityHashMap<Object, Boolean> seen) {
        if (o == null || seen.put(o, Boolean.TRUE) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object item : c) {
                collectUnknown(item, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> collectUnknown(v, path + "." + k, unknown, seen));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : o.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers()) || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(o);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(path + " " + extra.keySet());
                }
                continue;
            }
            collectUnknown(value, path + "." + decapitalize(getter.getName().substring(3)), unknown, seen);
        }
    }

    private static String decapitalize(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
