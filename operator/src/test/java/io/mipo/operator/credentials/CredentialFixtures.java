package io.mipo.operator.credentials;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.testing.TestResources;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;

/** Helpers for tests that provision scanners the way the REST facade and kubectl users do. */
public final class CredentialFixtures {
    private CredentialFixtures() {
    }

    /** Creates a scanner and issues its token as the facade's create call does. */
    public static CredentialService.IssuedToken createWithToken(KubernetesClient client, CredentialService credentials,
                                                                String ns, String name) {
        Scanner created = client.resource(TestResources.scanner(ns, name, null)).create();
        return credentials.issueToken(created, "http://127.0.0.1:8081");
    }

    public static Secret provisioning(KubernetesClient client, String ns, String scanner) {
        return client.secrets().inNamespace(ns).withName(CredentialSecrets.provisioningName(scanner)).get();
    }

    public static Secret credentialsSecret(KubernetesClient client, String ns, String scanner) {
        return client.secrets().inNamespace(ns).withName(CredentialSecrets.credentialsName(scanner)).get();
    }

    public static Map<String, String> decoded(Secret s) {
        return CredentialSecrets.decode(s.getData());
    }

    /** The token inside the install command of the provisioning Secret, as a kubectl user would read it. */
    public static String tokenFromSecret(KubernetesClient client, String ns, String scanner) {
        AtomicReference<Secret> seen = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Secret s = provisioning(client, ns, scanner);
            seen.set(s);
            return s != null && s.getData() != null && s.getData().containsKey(CredentialSecrets.INSTALL_COMMAND);
        });
        String command = new String(Base64.getDecoder().decode(seen.get().getData().get(CredentialSecrets.INSTALL_COMMAND)), StandardCharsets.UTF_8);
        int at = command.indexOf("MIPO_TOKEN=");
        return command.substring(at + "MIPO_TOKEN=".length(), command.indexOf(' ', at));
    }
}
