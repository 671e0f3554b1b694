package io.mipo.operator.api.config.doubles;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.config.MipoConfig;
import io.mipo.operator.credentials.CredentialService;
import io.mipo.operator.kube.Labels;
import io.mipo.operator.model.Scanner;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;

/**
 * TEMPORARY stand-in for the credentials engineer's CredentialService, used only while that
 * implementation is not merged: {@link DefaultBean} makes the real bean replace it automatically.
 * It behaves like the design says on the Kubernetes side (a provisioning Secret holding only the
 * token's hash), so facade tests that inject failures into Secret writes hold for both.
 */
@DefaultBean
@ApplicationScoped
public class InterimCredentialService implements CredentialService {
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    KubernetesClient client;

    @Inject
    MipoConfig config;

    @Override
    public IssuedToken issueToken(Scanner scanner, String requestBaseUrl) {
        StringBuilder t = new StringBuilder("mipo_pt_");
        for (int i = 0; i < 38; i++) {
            t.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        String token = t.toString();
        Instant now = Instant.now();
        Instant expires = now.plus(config.token().ttl());
        String base = config.publicUrl().orElse(requestBaseUrl);
        String command = "curl -fsSL --proto '=https' " + base + "/scanner/install | sudo MIPO_TOKEN=" + token + " sh";
        String name = scanner.getMetadata().getName() + "-provisioning";
        Secret secret = new SecretBuilder().withNewMetadata().withName(name).withNamespace(scanner.getMetadata().getNamespace())
                .withLabels(Map.of(Labels.SCANNER, scanner.getMetadata().getName(), Labels.COMPONENT, "provisioning"))
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(scanner.getApiVersion()).withKind(scanner.getKind())
                        .withName(scanner.getMetadata().getName()).withUid(scanner.getMetadata().getUid()).build())
                .endMetadata()
                .withStringData(Map.of("token-sha256", sha256(token), "expires-at", expires.toString(), "install-command", command))
                .build();
        client.secrets().inNamespace(scanner.getMetadata().getNamespace()).withName(name).delete();
        client.resource(secret).create();
        return new IssuedToken(token, command, now, expires);
    }

    @Override
    public void revokeAll(Scanner scanner) {
        String ns = scanner.getMetadata().getNamespace();
        client.secrets().inNamespace(ns).withName(scanner.getMetadata().getName() + "-provisioning").delete();
        client.secrets().inNamespace(ns).withName(scanner.getMetadata().getName() + "-credentials").delete();
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
