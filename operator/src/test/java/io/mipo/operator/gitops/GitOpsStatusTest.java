package io.mipo.operator.gitops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mipo.operator.api.agent.AgentCalls;
import io.mipo.operator.credentials.CredentialFixtures;
import io.mipo.operator.credentials.CredentialService;
import io.mipo.operator.kube.Conditions;
import io.mipo.operator.liveness.LivenessTestProfile;
import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.GroupTarget;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.model.ScannerBindingSpec;
import io.mipo.operator.model.ScannerGroup;
import io.mipo.operator.model.ScannerGroupSpec;
import io.mipo.operator.scanner.ScannerConditions;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What GitOps tools make of the statuses the operator really writes: kstatus (Flux
 * {@code wait: true}) and the Argo CD health checks of docs/gitops/argocd/, through a scanner's whole
 * life (Pending, Active, Offline, Disabled, invalid), a binding and a group. A correctly applied
 * manifest is Current even while it waits for a person or an agent; an invalid one is Failed, not
 * InProgress forever (docs/gitops.md).
 */
@QuarkusTest
@TestProfile(LivenessTestProfile.class)
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class GitOpsStatusTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    KubernetesClient client;

    @Inject
    CredentialService credentials;

    @Test
    void aScannerIsCurrentThroughItsLifeAndArgoCdSeesItsAgent() throws Exception {
        String ns = TestResources.freshNamespace(client);
        CredentialService.IssuedToken issued = CredentialFixtures.createWithToken(client, credentials, ns, "gitops-1");

        Scanner pending = TestResources.awaitStatus(client, ns, "gitops-1", x -> x.getStatus() != null && x.getStatus().getPhase() == Phase.Pending
                && x.getStatus().getToken() != null);
        expectCondition(pending, Conditions.READY, "True", "Pending");
        expectCondition(pending, ScannerConditions.AGENT_CONNECTED, "False", "NotRegistered");
        assertEquals(pending.getMetadata().getGeneration(), pending.getStatus().getObservedGeneration(), TestResources.describe(pending));
        expect(pending, Kstatus.Status.Current, "scanner-health.lua", "Suspended", "install command");

        Response r = AgentCalls.register(issued.token());
        assertEquals(200, r.statusCode(), r.asString());
        Scanner active = TestResources.awaitStatus(client, ns, "gitops-1", x -> x.getStatus().getPhase() == Phase.Active);
        expectCondition(active, Conditions.READY, "True", "Active");
        expectCondition(active, ScannerConditions.AGENT_CONNECTED, "True", "Heartbeating");
        expect(active, Kstatus.Status.Current, "scanner-health.lua", "Healthy", "Agent heartbeating");

        // No heartbeats: Offline after 3 s (LivenessTestProfile). Still Current: the manifest is applied.
        Scanner offline = TestResources.awaitStatus(client, ns, "gitops-1", x -> x.getStatus().getPhase() == Phase.Offline);
        expectCondition(offline, Conditions.READY, "True", "Offline");
        expectCondition(offline, ScannerConditions.AGENT_CONNECTED, "False", "HeartbeatsMissed");
        expect(offline, Kstatus.Status.Current, "scanner-health.lua", "Degraded", "missed its heartbeats");

        TestResources.modify(client, Scanner.class, ns, "gitops-1", s -> s.getSpec().setDisabled(true));
        Scanner disabled = TestResources.awaitStatus(client, ns, "gitops-1", x -> x.getStatus().getPhase() == Phase.Disabled
                && x.getStatus().getObservedGeneration().equals(x.getMetadata().getGeneration()));
        assertTrue(disabled.getMetadata().getGeneration() > 1, "a spec change must raise the generation: " + TestResources.describe(disabled));
        expectCondition(disabled, Conditions.READY, "True", "Disabled");
        expect(disabled, Kstatus.Status.Current, "scanner-health.lua", "Suspended", "Disabled on purpose");

        TestResources.modify(client, Scanner.class, ns, "gitops-1", s -> s.getSpec().setRateLimit(500_000));
        Scanner invalid = TestResources.awaitStatus(client, ns, "gitops-1", x -> !Conditions.isTrue(x.getStatus().getConditions(), Conditions.VALID)
                && x.getStatus().getObservedGeneration().equals(x.getMetadata().getGeneration()));
        expectCondition(invalid, Conditions.READY, "False", "Invalid");
        expectCondition(invalid, Conditions.STALLED, "True", null);
        expect(invalid, Kstatus.Status.Failed, "scanner-health.lua", "Degraded", "spec.rateLimit");

        TestResources.modify(client, Scanner.class, ns, "gitops-1", s -> s.getSpec().setRateLimit(500));
        Scanner fixed = TestResources.awaitStatus(client, ns, "gitops-1", x -> Conditions.isTrue(x.getStatus().getConditions(), Conditions.VALID));
        assertEquals(null, Conditions.find(fixed.getStatus().getConditions(), Conditions.STALLED), "Stalled stays after the fix: " + TestResources.describe(fixed));
        expect(fixed, Kstatus.Status.Current, "scanner-health.lua", "Suspended", "Disabled on purpose");
    }

    @Test
    void aBindingWaitsForItsScannerAndAnInvalidOneFails() throws Exception {
        String ns = TestResources.freshNamespace(client);
        client.resource(binding(ns, "lonely", BindingMode.ip, null)).create();
        ScannerBinding lonely = await(ScannerBinding.class, ns, "lonely", b -> b.getStatus() != null && Conditions.find(b.getStatus().getConditions(), Conditions.READY) != null);
        expect(lonely, Kstatus.Status.InProgress, "scannerbinding-health.lua", "Degraded", "No Scanner named lonely");

        client.resource(TestResources.scanner(ns, "lonely", null)).create();
        ScannerBinding learning = await(ScannerBinding.class, ns, "lonely", b -> Conditions.isTrue(b.getStatus().getConditions(), Conditions.READY));
        expect(learning, Kstatus.Status.Current, "scannerbinding-health.lua", "Healthy", "will be learned");

        client.resource(binding(ns, "bad", BindingMode.none, "10.0.0.1")).create();
        ScannerBinding bad = await(ScannerBinding.class, ns, "bad", b -> b.getStatus() != null && Conditions.find(b.getStatus().getConditions(), Conditions.VALID) != null);
        expect(bad, Kstatus.Status.Failed, "scannerbinding-health.lua", "Degraded", "Invalid spec");
    }

    @Test
    void aGroupWithoutMembersIsCurrentAndSuspended() throws Exception {
        String ns = TestResources.freshNamespace(client);
        client.resource(group(ns, "empty", "10.0.0.0/24", "22")).create();
        ScannerGroup empty = await(ScannerGroup.class, ns, "empty", g -> g.getStatus() != null && Conditions.find(g.getStatus().getConditions(), Conditions.READY) != null);
        expect(empty, Kstatus.Status.Current, "scannergroup-health.lua", "Suspended", "matches no Scanner");

        Scanner member = TestResources.scanner(ns, "member-1", null);
        member.getMetadata().setLabels(Map.of("site", "eu"));
        client.resource(member).create();
        ScannerGroup waiting = await(ScannerGroup.class, ns, "empty", g -> Integer.valueOf(1).equals(g.getStatus().getMemberCount()));
        expect(waiting, Kstatus.Status.Current, "scannergroup-health.lua", "Progressing", "None of the 1 enabled members is Active yet");

        client.resource(group(ns, "bad", "10.0.0.0/24", "9000-8000")).create();
        ScannerGroup bad = await(ScannerGroup.class, ns, "bad", g -> g.getStatus() != null && Conditions.find(g.getStatus().getConditions(), Conditions.VALID) != null);
        expect(bad, Kstatus.Status.Failed, "scannergroup-health.lua", "Degraded", "Invalid spec");
    }

    private static void expectCondition(HasMetadata resource, String type, String status, String reason) throws Exception {
        JsonNode obj = json(resource);
        for (JsonNode c : obj.at("/status/conditions")) {
            if (type.equals(c.path("type").asText())) {
                assertEquals(status, c.path("status").asText(), type + " of " + Serialization.asYaml(resource));
                if (reason != null) {
                    assertEquals(reason, c.path("reason").asText(), type + " of " + Serialization.asYaml(resource));
                }
                assertEquals(obj.at("/metadata/generation").asLong(), c.path("observedGeneration").asLong(),
                        type + " observedGeneration of " + Serialization.asYaml(resource));
                return;
            }
        }
        throw new AssertionError("no " + type + " condition in " + Serialization.asYaml(resource));
    }

    private static void expect(HasMetadata resource, Kstatus.Status kstatus, String script, String health, String message) throws Exception {
        JsonNode obj = json(resource);
        assertEquals(kstatus, Kstatus.compute(obj), "kstatus of " + Serialization.asYaml(resource));
        String[] argo = ArgoCdHealthTest.run(script, obj);
        assertEquals(health, argo[0], script + " said '" + argo[1] + "' of " + Serialization.asYaml(resource));
        assertTrue(argo[1].contains(message), script + " said '" + argo[1] + "', expected '" + message + "'");
    }

    private static JsonNode json(HasMetadata resource) throws Exception {
        return JSON.readTree(Serialization.asJson(resource));
    }

    private <T extends HasMetadata> T await(Class<T> type, String ns, String name, Predicate<T> until) {
        AtomicReference<T> last = new AtomicReference<>();
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                T r = client.resources(type).inNamespace(ns).withName(name).get();
                last.set(r);
                return r != null && until.test(r);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(type.getSimpleName() + " " + ns + "/" + name + " never reached the expected state; last seen:\n"
                    + TestResources.describe(last.get()), e);
        }
        return last.get();
    }

    private static ScannerBinding binding(String ns, String name, BindingMode mode, String value) {
        ScannerBinding b = new ScannerBinding();
        b.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).build());
        ScannerBindingSpec spec = new ScannerBindingSpec();
        spec.setMode(mode);
        spec.setValue(value);
        b.setSpec(spec);
        return b;
    }

    private static ScannerGroup group(String ns, String name, String subnet, String ports) {
        ScannerGroup g = new ScannerGroup();
        g.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).build());
        ScannerGroupSpec spec = new ScannerGroupSpec();
        spec.setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("site", "eu")).build());
        GroupTarget t = new GroupTarget();
        t.setSubnet(subnet);
        t.setPorts(ports);
        spec.setTargets(List.of(t));
        g.setSpec(spec);
        return g;
    }
}
