package io.mipo.operator.credentials;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.api.agent.AgentCalls;
import io.mipo.operator.testing.TestResources;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Labels prove nothing: anyone who may create or update Secrets in a namespace can put the
 * operator's labels on one. A credential Secret counts only with the operator's name for it and
 * the live Scanner as its controller (docs/security.md, threat 7d). Each test plants a Secret
 * holding the hash of a token the attacker knows and tries to register with that token.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = TestResources.InstallCrds.class)
class ForgedCredentialSecretsTest {

    @Inject
    KubernetesClient client;

    @Inject
    CredentialService credentials;

    /** The real provisioning Secret with the attacker's token hash in it, stripped for a create. */
    private Secret forgedFrom(String ns, String scanner, String attackerToken) {
        Secret real = CredentialFixtures.provisioning(client, ns, scanner);
        Secret forged = new io.fabric8.kubernetes.api.model.SecretBuilder(real).build();
        forged.getMetadata().setResourceVersion(null);
        forged.getMetadata().setUid(null);
        forged.getMetadata().setCreationTimestamp(null);
        forged.getMetadata().setManagedFields(null);
        Map<String, String> data = new HashMap<>(forged.getData());
        data.put(CredentialSecrets.TOKEN_SHA256, b64(SecretDigest.hex(SecretDigest.sha256(attackerToken))));
        data.remove(CredentialSecrets.INSTALL_COMMAND);
        forged.setData(data);
        return forged;
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Registers with the attacker's token, retried until the informer has surely delivered the planted Secret. */
    private static void assertNeverRegisters(String attackerToken, Runnable plantedSeen) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        plantedSeen.run();
        while (System.nanoTime() < deadline) {
            Response r = AgentCalls.register(attackerToken);
            assertEquals(401, r.statusCode(), "a planted Secret let an attacker's token register: " + r.asString());
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Test
    void aProvisioningSecretWithoutTheScannerAsOwnerRegistersNoOne() {
        String ns = TestResources.freshNamespace(client);
        CredentialFixtures.createWithToken(client, credentials, ns, "victim");
        String attackerToken = TokenFormat.generate(TokenKind.PROVISIONING);
        Secret planted = CredentialFixtures.provisioning(client, ns, "victim");
        Map<String, String> data = new HashMap<>(planted.getData());
        data.put(CredentialSecrets.TOKEN_SHA256, b64(SecretDigest.hex(SecretDigest.sha256(attackerToken))));
        planted.setData(data);
        planted.getMetadata().setOwnerReferences(List.of());
        client.resource(planted).update();
        assertNeverRegisters(attackerToken, () -> { });
    }

    @Test
    void credentialSecretsOwnedByAnotherScannerUidAdmitNoKey() {
        String ns = TestResources.freshNamespace(client);
        CredentialFixtures.createWithToken(client, credentials, ns, "reborn");
        io.mipo.operator.model.Scanner live = client.resources(io.mipo.operator.model.Scanner.class).inNamespace(ns).withName("reborn").get();
        // Secrets as an earlier Scanner of the same name left them, or as someone who may write Secrets plants them
        io.mipo.operator.model.Scanner earlier = new io.mipo.operator.model.Scanner();
        earlier.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder(live.getMetadata()).withUid(UUID.randomUUID().toString()).build());
        earlier.setSpec(live.getSpec());
        String attackerKey = TokenFormat.generate(TokenKind.API_KEY);
        byte[] keyHash = SecretDigest.sha256(attackerKey);
        java.time.Instant now = java.time.Instant.now();
        RegisteredAgent agent = new RegisteredAgent("1.0.0", "attacker", "linux", "amd64", null, "203.0.113.66");
        Secret provisioning = CredentialFixtures.provisioning(client, ns, "reborn");
        Secret consumed = CredentialSecrets.consumed(provisioning, keyHash, now, agent);
        OwnerReference stale = new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder(consumed.getMetadata().getOwnerReferences().get(0))
                .withUid(earlier.getMetadata().getUid()).build();
        consumed.getMetadata().setOwnerReferences(List.of(stale));
        client.resource(consumed).update();
        client.resource(CredentialSecrets.credentials(earlier, keyHash, now, agent)).create();

        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            Response r = AgentCalls.heartbeat(attackerKey);
            assertEquals(401, r.statusCode(), "planted credential Secrets admitted a key: " + r.asString());
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
