package io.mipo.operator.api.agent;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.mipo.operator.core.ReconcileTrigger;
import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.credentials.CredentialIndex;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.testing.TestResources;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A registration that arrives while the fleet cache has not yet heard of its freshly created
 * Scanner (seen in the provisioning benchmark as 401s with valid tokens) is decided by one read of
 * the Scanner from the API server, not refused; a Scanner that does not exist is still refused.
 */
@EnableKubernetesMockClient(crud = true)
class RegistrationBeforeCacheTest {
    static KubernetesClient client;
    static KubernetesMockServer server;

    /** A fleet cache that has listed the Scanners and not (yet) seen any (anonymous: not a CDI bean of the tests' application). */
    private static ReconcileTrigger laggingCache() {
        return new ReconcileTrigger() {
            @Override
            public Optional<Scanner> scanner(ScannerRef ref) {
                return Optional.empty();
            }

            @Override
            public boolean mayExist(ScannerRef ref) {
                return false;
            }
        };
    }

    private static AgentAuthenticator authenticator() {
        AgentAuthenticator a = new AgentAuthenticator();
        a.index = new CredentialIndex();
        a.scanners = laggingCache();
        a.client = client;
        return a;
    }

    @Test
    void aScannerTheCacheHasNotSeenYetIsReadOnceFromTheApiServer() {
        client.resource(TestResources.scanner("fresh", "edge-1", null)).create();
        AgentAuthenticator a = authenticator();
        ScannerRef fresh = new ScannerRef("fresh", "edge-1");
        assertFalse(a.ownedByLiveScanner(fresh), "the cache alone refuses it: the case this guards against");
        int before = server.getRequestCount();
        assertTrue(a.ownedByScannerForRegistration(fresh), "the Scanner exists in the API server: the registration must go on");
        assertEquals(1, server.getRequestCount() - before, "one GET of the Scanner, nothing more");
    }

    @Test
    void aScannerThatDoesNotExistIsStillRefused() {
        AgentAuthenticator a = authenticator();
        assertFalse(a.ownedByScannerForRegistration(new ScannerRef("fresh", "no-such-scanner")));
    }
}
