package io.mipo.operator.daemonset;

import io.mipo.operator.credentials.PodCredentialSecrets;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PodCredentialSecretsTest {

    @Test
    void theSecretIsNamedAfterThePodWithinTheNameLimit() {
        assertEquals("mipo-scanner-edge-x7k2p-credentials", PodCredentialSecrets.name("mipo-scanner-edge-x7k2p"));
        String longest = "p".repeat(253);
        String name = PodCredentialSecrets.name(longest);
        assertEquals(253, name.length(), name);
        assertTrue(name.endsWith("-credentials"), name);
    }
}
