package io.mipo.operator.daemonset;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mipo.operator.api.agent.AgentCalls;
import io.mipo.operator.credentials.CredentialSecrets;
import io.mipo.operator.credentials.PodCredentialSecrets;
import io.mipo.operator.credentials.SecretDigest;
import io.mipo.operator.liveness.LivenessTestProfile;
import io.mipo.operator.model.DeploymentMode;
import io.mipo.operator.model.DeploymentSpec;
import io.mipo.operator.model.GroupTarget;
import io.mipo.operator.model.Instance;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerGroup;
import io.mipo.operator.model.ScannerGroupSpec;
import io.mipo.operator.scanner.DaemonSetRenderer;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * In-cluster scanners: a pod of the scanner's DaemonSet registers with its ServiceAccount token,
 * which the operator checks with a TokenReview. The mock API server answers TokenReviews from
 * {@link #REVIEWS} (what a real API server would say about each token); it runs no DaemonSet
 * controller, so the tests create the pods themselves.
 */
@QuarkusTest
@TestProfile(LivenessTestProfile.class)
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class PodEnrollmentTest {
    static final Map<String, TokenReviewStatus> REVIEWS = new ConcurrentHashMap<>();
    private static volatile boolean expecting;

    @Inject
    KubernetesClient client;

    @KubernetesTestServer
    KubernetesServer server;

    @BeforeEach
    void answerTokenReviews() {
        synchronized (PodEnrollmentTest.class) {
            if (expecting) {
                return;
            }
            server.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews").andReply(201, request -> {
                TokenReview asked = Serialization.unmarshal(request.getUtf8Body(), TokenReview.class);
                TokenReviewStatus status = REVIEWS.getOrDefault(asked.getSpec().getToken(),
                        new TokenReviewStatusBuilder().withAuthenticated(false).withError("invalid bearer token").build());
                return new TokenReviewBuilder(asked).withStatus(status).build();
            }).always();
            expecting = true;
        }
    }

    // ---- fixtures ----

    Scanner daemonSetScanner(String ns, String name) {
        return daemonSetScanner(ns, name, null, Map.of());
    }

    Scanner daemonSetScanner(String ns, String name, Integer rateLimit, Map<String, String> labels) {
        Scanner s = TestResources.scanner(ns, name, null);
        s.getSpec().setRateLimit(rateLimit);
        s.getMetadata().setLabels(labels);
        DeploymentSpec d = new DeploymentSpec();
        d.setMode(DeploymentMode.DaemonSet);
        s.getSpec().setDeployment(d);
        return client.resource(s).create();
    }

    DaemonSet awaitDaemonSet(String ns, String scanner) {
        String name = DaemonSetRenderer.workloadName(scanner);
        return await().atMost(Duration.ofSeconds(20)).until(() -> client.apps().daemonSets().inNamespace(ns).withName(name).get(),
                d -> d != null);
    }

    /** A pod as the DaemonSet controller would create it on a node. */
    Pod podOf(DaemonSet ds, Scanner scanner, String pod, String node) {
        return client.resource(new PodBuilder()
                .withNewMetadata().withName(pod).withNamespace(ds.getMetadata().getNamespace()).withUid(UUID.randomUUID().toString())
                .withLabels(DaemonSetRenderer.selectorLabels(scanner))
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("DaemonSet").withName(ds.getMetadata().getName())
                .withUid(ds.getMetadata().getUid()).withController(true).endOwnerReference()
                .endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("agent").withImage("mipo/scanner:test").endContainer().endSpec()
                .build()).create();
    }

    /** Makes up a ServiceAccount token and records what the API server would say about it. */
    static String token(boolean authenticated, List<String> audiences, String user, Pod pod) {
        String token = io.mipo.operator.testing.FakeJwt.of(audiences);
        Map<String, List<String>> extra = new LinkedHashMap<>();
        if (pod != null) {
            extra.put("authentication.kubernetes.io/pod-name", List.of(pod.getMetadata().getName()));
            extra.put("authentication.kubernetes.io/pod-uid", List.of(pod.getMetadata().getUid()));
        }
        REVIEWS.put(token, new TokenReviewStatusBuilder().withAuthenticated(authenticated).withAudiences(audiences)
                .withNewUser().withUsername(user).withExtra(extra).endUser().build());
        return token;
    }

    static String rightToken(String ns, String scanner, Pod pod) {
        return token(true, List.of("mipo-scanner"), "system:serviceaccount:" + ns + ":" + DaemonSetRenderer.workloadName(scanner), pod);
    }

    static Response register(String serviceAccountToken) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("serviceAccountToken", serviceAccountToken);
        body.put("hostname", "node-host");
        body.put("version", "1.4.2");
        body.put("os", "linux");
        body.put("arch", "amd64");
        return RestAssured.given().contentType(ContentType.JSON).body(body).post("/scanner/register");
    }

    static Instance instance(Scanner s, String pod) {
        if (s.getStatus() == null || s.getStatus().getInstances() == null) {
            return null;
        }
        return s.getStatus().getInstances().stream().filter(i -> pod.equals(i.getPod())).findFirst().orElse(null);
    }

    // ---- tests ----

    @Test
    void aPodEnrollsWithItsServiceAccountTokenAndShowsAsAnInstance() {
        String ns = TestResources.freshNamespace(client);
        Scanner scanner = daemonSetScanner(ns, "incluster");
        DaemonSet ds = awaitDaemonSet(ns, "incluster");
        Pod a = podOf(ds, scanner, ds.getMetadata().getName() + "-aaaaa", "node-a");
        Pod b = podOf(ds, scanner, ds.getMetadata().getName() + "-bbbbb", "node-b");

        Response r = register(rightToken(ns, "incluster", a));
        assertEquals(200, r.statusCode(), r.asString());
        String apiKey = r.jsonPath().getString("apiKey");
        assertTrue(apiKey.matches("^mipo_sk_[0-9A-Za-z]{38}$"), "API key format");
        assertEquals("incluster", r.jsonPath().getString("scannerId"));

        Secret stored = client.secrets().inNamespace(ns).withName(PodCredentialSecrets.name(a.getMetadata().getName())).get();
        assertNotNull(stored, "the pod's credentials Secret");
        String hash = new String(Base64.getDecoder().decode(stored.getData().get(CredentialSecrets.API_KEY_SHA256)), StandardCharsets.UTF_8);
        assertEquals(SecretDigest.hex(SecretDigest.sha256(apiKey)), hash, TestResources.describe(stored));
        assertFalse(Serialization.asJson(stored).contains(apiKey), "the key itself is not stored");
        assertEquals("incluster", stored.getMetadata().getLabels().get("mipo.io/scanner"));
        assertEquals("pod-credentials", stored.getMetadata().getLabels().get("mipo.io/component"));
        assertEquals(a.getMetadata().getName(), stored.getMetadata().getLabels().get("mipo.io/pod"));
        assertEquals("Pod", stored.getMetadata().getOwnerReferences().get(0).getKind());
        assertNull(client.secrets().inNamespace(ns).withName(CredentialSecrets.provisioningName("incluster")).get(),
                "no provisioning token for a DaemonSet scanner");

        assertEquals(200, AgentCalls.heartbeat(apiKey).statusCode());
        Scanner seen = TestResources.awaitStatus(client, ns, "incluster", s -> {
            Instance ia = instance(s, a.getMetadata().getName());
            Instance ib = instance(s, b.getMetadata().getName());
            return s.getStatus().getPhase() == Phase.Active && ia != null && ia.getPhase() == Phase.Active
                    && ib != null && ib.getPhase() == Phase.Pending;
        });
        Instance ia = instance(seen, a.getMetadata().getName());
        assertEquals("node-a", ia.getNode(), TestResources.describe(seen.getStatus()));
        assertEquals("127.0.0.1", ia.getAddress(), TestResources.describe(seen.getStatus()));
        assertNotNull(ia.getLastHeartbeatTime(), TestResources.describe(seen.getStatus()));
        assertEquals("node-b", instance(seen, b.getMetadata().getName()).getNode());
        assertNull(instance(seen, b.getMetadata().getName()).getAddress());

        // Silent past offline-after (3 s in this profile): the instance and with it the scanner go Offline.
        Scanner silent = TestResources.awaitStatus(client, ns, "incluster", s -> s.getStatus().getPhase() == Phase.Offline
                && instance(s, a.getMetadata().getName()) != null && instance(s, a.getMetadata().getName()).getPhase() == Phase.Offline);
        assertEquals(Phase.Pending, instance(silent, b.getMetadata().getName()).getPhase());

        // Heard from again: Active.
        assertEquals(200, AgentCalls.heartbeat(apiKey).statusCode());
        TestResources.awaitStatus(client, ns, "incluster", s -> s.getStatus().getPhase() == Phase.Active
                && instance(s, a.getMetadata().getName()).getPhase() == Phase.Active);
    }

    @Test
    void everyOtherTokenIsRefusedAlike() {
        String ns = TestResources.freshNamespace(client);
        Scanner scanner = daemonSetScanner(ns, "strict");
        DaemonSet ds = awaitDaemonSet(ns, "strict");
        Pod pod = podOf(ds, scanner, ds.getMetadata().getName() + "-ccccc", "node-c");
        String sa = "system:serviceaccount:" + ns + ":" + DaemonSetRenderer.workloadName("strict");

        Scanner external = client.resource(TestResources.scanner(ns, "ext", null)).create();
        Pod strangerPod = client.resource(new PodBuilder(pod).editMetadata().withName("other-ds-xyz").withUid(UUID.randomUUID().toString())
                .withResourceVersion(null).withOwnerReferences().addNewOwnerReference().withApiVersion("apps/v1").withKind("DaemonSet")
                .withName("other-ds").withUid(UUID.randomUUID().toString()).withController(true).endOwnerReference().endMetadata().build()).create();
        Pod forged = new PodBuilder(pod).editMetadata().withUid(UUID.randomUUID().toString()).endMetadata().build();
        Pod missing = new PodBuilder(pod).editMetadata().withName(ds.getMetadata().getName() + "-gone1").endMetadata().build();

        Map<String, String> tokens = new LinkedHashMap<>();
        tokens.put("unauthenticated", token(false, List.of("mipo-scanner"), sa, pod));
        tokens.put("other audience", token(true, List.of("https://kubernetes.default.svc"), sa, pod));
        tokens.put("other service account", token(true, List.of("mipo-scanner"), "system:serviceaccount:" + ns + ":default", pod));
        tokens.put("service account of an External scanner", token(true, List.of("mipo-scanner"),
                "system:serviceaccount:" + ns + ":" + DaemonSetRenderer.workloadName(external.getMetadata().getName()), pod));
        tokens.put("service account in another namespace", token(true, List.of("mipo-scanner"),
                "system:serviceaccount:elsewhere:" + DaemonSetRenderer.workloadName("strict"), pod));
        tokens.put("a user, not a service account", token(true, List.of("mipo-scanner"), "alice", pod));
        tokens.put("not bound to a pod", token(true, List.of("mipo-scanner"), sa, null));
        tokens.put("pod of another DaemonSet", token(true, List.of("mipo-scanner"), sa, strangerPod));
        tokens.put("pod uid of an earlier pod", token(true, List.of("mipo-scanner"), sa, forged));
        tokens.put("pod that does not exist", token(true, List.of("mipo-scanner"), sa, missing));
        tokens.put("unknown to the API server", "sa-" + UUID.randomUUID());

        for (Map.Entry<String, String> e : tokens.entrySet()) {
            Response r = register(e.getValue());
            assertEquals(401, r.statusCode(), e.getKey() + ": " + r.asString());
            assertEquals("TOKEN_INVALID", r.jsonPath().getString("code"), e.getKey() + ": " + r.asString());
            assertFalse(r.asString().contains(e.getValue()), e.getKey() + ": the answer repeats the token");
        }
        assertTrue(client.secrets().inNamespace(ns).withLabel("mipo.io/component", "pod-credentials").list().getItems().isEmpty(),
                "no key was issued");
        // And the right token for the same pod works, so the refusals above were about the token.
        assertEquals(200, register(rightToken(ns, "strict", pod)).statusCode());
    }

    @Test
    void deletingThePodRevokesItsKey() {
        String ns = TestResources.freshNamespace(client);
        Scanner scanner = daemonSetScanner(ns, "rolling");
        DaemonSet ds = awaitDaemonSet(ns, "rolling");
        Pod pod = podOf(ds, scanner, ds.getMetadata().getName() + "-ddddd", "node-d");
        Pod other = podOf(ds, scanner, ds.getMetadata().getName() + "-eeeee", "node-e");
        String key = register(rightToken(ns, "rolling", pod)).then().statusCode(200).extract().jsonPath().getString("apiKey");
        String otherKeyFirst = register(rightToken(ns, "rolling", other)).then().statusCode(200).extract().jsonPath().getString("apiKey");
        assertEquals(200, AgentCalls.heartbeat(key).statusCode());

        // The agent restarted in the same pod and registered again: the new key replaces the old one.
        String again = register(rightToken(ns, "rolling", other)).then().statusCode(200).extract().jsonPath().getString("apiKey");
        assertEquals(401, AgentCalls.heartbeat(otherKeyFirst).statusCode(), "the pod's previous key");
        assertEquals(200, AgentCalls.heartbeat(again).statusCode());
        String otherKey = again;

        client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).delete();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Response r = AgentCalls.heartbeat(key);
            assertEquals(401, r.statusCode(), r.asString());
        });
        await().atMost(Duration.ofSeconds(10)).until(() ->
                client.secrets().inNamespace(ns).withName(PodCredentialSecrets.name(pod.getMetadata().getName())).get() == null);
        assertEquals(200, AgentCalls.heartbeat(otherKey).statusCode(), "the other pod's key still works");
        Scanner s = TestResources.awaitStatus(client, ns, "rolling", sc -> sc.getStatus().getInstances() != null
                && sc.getStatus().getInstances().size() == 1);
        assertEquals(other.getMetadata().getName(), s.getStatus().getInstances().get(0).getPod());

        // Deleting the scanner revokes the remaining pod's key at once.
        client.resource(s).delete();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(401, AgentCalls.heartbeat(otherKey).statusCode()));
    }

    /**
     * The pods of a DaemonSet scanner share its rate equally, so that together they stay within it;
     * the number of pods is part of the assignments version, so every pod refetches its share.
     */
    @Test
    void thePodsShareTheScannersRateEqually() {
        String ns = TestResources.freshNamespace(client);
        Scanner scanner = daemonSetScanner(ns, "shared", 12, Map.of("mipo.io/group.edge", "true"));
        ScannerGroup group = new ScannerGroup();
        group.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName("edge").build());
        ScannerGroupSpec spec = new ScannerGroupSpec();
        spec.setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("mipo.io/group.edge", "true")).build());
        GroupTarget wide = new GroupTarget();
        wide.setSubnet("192.0.2.0/24");
        wide.setPorts("443");
        GroupTarget narrow = new GroupTarget();
        narrow.setSubnet("198.51.100.0/24");
        narrow.setPorts("22");
        narrow.setRateLimit(10);
        spec.setTargets(List.of(wide, narrow));
        group.setSpec(spec);
        client.resource(group).create();

        DaemonSet ds = awaitDaemonSet(ns, "shared");
        String prefix = ds.getMetadata().getName();
        Pod a = podOf(ds, scanner, prefix + "-aaaaa", "node-a");
        podOf(ds, scanner, prefix + "-bbbbb", "node-b");
        Pod c = podOf(ds, scanner, prefix + "-ccccc", "node-c");
        String keyA = register(rightToken(ns, "shared", a)).then().statusCode(200).extract().jsonPath().getString("apiKey");
        String keyC = register(rightToken(ns, "shared", c)).then().statusCode(200).extract().jsonPath().getString("apiKey");

        // Scanner-wide: 12/s (limitedBy scanner) and 10/s (the subnet's limit, one member); each of three pods a third.
        Scanner seen = TestResources.awaitStatus(client, ns, "shared", s -> s.getStatus().getInstances() != null
                && s.getStatus().getInstances().size() == 3 && s.getStatus().getAssignments() != null
                && s.getStatus().getAssignments().size() == 2);
        assertEquals(12.0, seen.getStatus().getAssignments().get(0).getMaxProbesPerSecond(), TestResources.describe(seen.getStatus()));
        JsonPath three = awaitAssignments(keyA, j -> j.getList("assignments").size() == 2
                && j.getDouble("assignments[0].maxProbesPerSecond") == 4.0);
        assertEquals(10.0 / 3, three.getDouble("assignments[1].maxProbesPerSecond"), 1e-6, three.prettify());
        assertEquals(three.getString("version"), heartbeatVersion(keyA), "heartbeats report the version of the pod's share");
        assertEquals(three.prettify(), awaitAssignments(keyC, j -> true).prettify(), "every pod gets the same share");

        // A pod goes away: the two left get half each, and the version tells them to refetch.
        client.pods().inNamespace(ns).withName(c.getMetadata().getName()).delete();
        JsonPath two = awaitAssignments(keyA, j -> j.getList("assignments").size() == 2
                && j.getDouble("assignments[0].maxProbesPerSecond") == 6.0);
        assertEquals(5.0, two.getDouble("assignments[1].maxProbesPerSecond"), 1e-9, two.prettify());
        assertNotEquals(three.getString("version"), two.getString("version"));
        assertEquals(two.getString("version"), heartbeatVersion(keyA));
    }

    private static JsonPath awaitAssignments(String key, java.util.function.Predicate<JsonPath> until) {
        java.util.concurrent.atomic.AtomicReference<String> last = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            return await().atMost(Duration.ofSeconds(20)).until(() -> {
                Response r = RestAssured.given().header("Authorization", "Bearer " + key).accept(ContentType.JSON).get("/scanner/assignments");
                last.set(r.statusCode() + " " + r.asString());
                return r.statusCode() == 200 ? r.jsonPath() : null;
            }, j -> j != null && until.test(j));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("assignments never matched; last answer: " + last.get(), e);
        }
    }

    private static String heartbeatVersion(String key) {
        Response r = AgentCalls.heartbeat(key);
        assertEquals(200, r.statusCode(), r.asString());
        return r.jsonPath().getString("assignmentsVersion");
    }
}
