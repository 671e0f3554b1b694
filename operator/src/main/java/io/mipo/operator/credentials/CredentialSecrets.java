package io.mipo.operator.credentials;

import io.mipo.operator.core.ScannerRef;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mipo.operator.kube.Labels;
import io.mipo.operator.kube.Times;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.TokenState;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Layout of the two Secrets of an External scanner. Both carry the labels the operator's informer
 * selects on, and an ownerReference to the Scanner so that they go with it.
 */
public final class CredentialSecrets {
    public static final String PROVISIONING = "provisioning";
    public static final String CREDENTIALS = "credentials";
    /**
     * The informer's selector: only Secrets the operator manages are cached, never all Secrets of the
     * cluster; the component label is checked in code. (An equality selector, because the embedded
     * API server of standalone mode does not evaluate set-based ones.)
     */
    public static final String SELECTOR = Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_VALUE;

    public static final String TOKEN_SHA256 = "token-sha256";
    public static final String INSTALL_COMMAND = "install-command";
    public static final String ISSUED_AT = "issued-at";
    public static final String EXPIRES_AT = "expires-at";
    public static final String STATE = "state";
    public static final String CONSUMED_AT = "consumed-at";
    public static final String API_KEY_SHA256 = "api-key-sha256";
    public static final String REGISTERED_AT = "registered-at";
    public static final String AGENT = "agent";

    private CredentialSecrets() {
    }

    public static String provisioningName(String scanner) {
        return scanner + "-" + PROVISIONING;
    }

    public static String credentialsName(String scanner) {
        return scanner + "-" + CREDENTIALS;
    }

    static ObjectMeta metadata(Scanner scanner, String name, String component) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(scanner.getMetadata().getNamespace())
                .addToLabels(Labels.SCANNER, scanner.getMetadata().getName())
                .addToLabels(Labels.COMPONENT, component)
                .addToLabels(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion(scanner.getApiVersion() == null ? Scanner.GROUP + "/" + Scanner.VERSION : scanner.getApiVersion())
                        .withKind("Scanner")
                        .withName(scanner.getMetadata().getName())
                        .withUid(scanner.getMetadata().getUid())
                        .withController(true)
                        .withBlockOwnerDeletion(false)
                        .build())
                .build();
    }

    static Secret provisioning(Scanner scanner, byte[] tokenHash, String installCommand, Instant issuedAt, Instant expiresAt) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(TOKEN_SHA256, SecretDigest.hex(tokenHash));
        data.put(INSTALL_COMMAND, installCommand);
        data.put(ISSUED_AT, Times.format(issuedAt));
        data.put(EXPIRES_AT, Times.format(expiresAt));
        data.put(STATE, TokenState.Unused.name());
        return new SecretBuilder()
                .withMetadata(metadata(scanner, provisioningName(scanner.getMetadata().getName()), PROVISIONING))
                .withType("Opaque")
                .withData(encode(data))
                .build();
    }

    /** The provisioning Secret after the token was exchanged for the key whose hash is given. */
    static Secret consumed(Secret current, byte[] apiKeyHash, Instant at, RegisteredAgent agent) {
        Map<String, String> data = decode(current.getData());
        data.remove(INSTALL_COMMAND);
        data.put(STATE, TokenState.Consumed.name());
        data.put(CONSUMED_AT, Times.format(at));
        data.put(API_KEY_SHA256, SecretDigest.hex(apiKeyHash));
        data.put(AGENT, json(agent));
        return new SecretBuilder(current).withData(encode(data)).withStringData(null).build();
    }

    /** The provisioning Secret with the plaintext command removed and the state set (Expired, Revoked). */
    static Secret retired(Secret current, TokenState state) {
        Map<String, String> data = decode(current.getData());
        data.remove(INSTALL_COMMAND);
        data.put(STATE, state.name());
        if (state == TokenState.Revoked) {
            data.remove(API_KEY_SHA256);
        }
        return new SecretBuilder(current).withData(encode(data)).withStringData(null).build();
    }

    static Secret credentials(Scanner scanner, byte[] apiKeyHash, Instant registeredAt, RegisteredAgent agent) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(API_KEY_SHA256, SecretDigest.hex(apiKeyHash));
        data.put(REGISTERED_AT, Times.format(registeredAt));
        data.put(AGENT, json(agent));
        return new SecretBuilder()
                .withMetadata(metadata(scanner, credentialsName(scanner.getMetadata().getName()), CREDENTIALS))
                .withType("Opaque")
                .withData(encode(data))
                .build();
    }

    public static String component(Secret s) {
        Map<String, String> labels = s.getMetadata().getLabels();
        return labels == null ? null : labels.get(Labels.COMPONENT);
    }

    /** The scanner a labelled Secret belongs to, or null when it carries no scanner label. */
    public static ScannerRef owner(Secret s) {
        Map<String, String> labels = s.getMetadata().getLabels();
        String scanner = labels == null ? null : labels.get(Labels.SCANNER);
        return scanner == null ? null : new ScannerRef(s.getMetadata().getNamespace(), scanner);
    }

    /** Reads a provisioning Secret; null when it is not one or is unreadable. */
    public static ProvisioningRecord readProvisioning(Secret s) {
        ScannerRef ref = owner(s);
        if (ref == null || !PROVISIONING.equals(component(s))) {
            return null;
        }
        Map<String, String> d = decode(s.getData());
        TokenState state;
        try {
            state = d.get(STATE) == null ? TokenState.Unused : TokenState.valueOf(d.get(STATE));
        } catch (IllegalArgumentException e) {
            state = TokenState.Revoked;
        }
        return new ProvisioningRecord(ref, s.getMetadata().getUid(), s.getMetadata().getResourceVersion(),
                SecretDigest.fromHex(d.get(TOKEN_SHA256)), Times.parse(d.get(ISSUED_AT)), Times.parse(d.get(EXPIRES_AT)),
                state, Times.parse(d.get(CONSUMED_AT)), SecretDigest.fromHex(d.get(API_KEY_SHA256)),
                agent(d.get(AGENT)), d.containsKey(INSTALL_COMMAND));
    }

    /** Reads a credentials Secret; null when it is not one or holds no key hash. */
    public static CredentialRecord readCredentials(Secret s) {
        ScannerRef ref = owner(s);
        if (ref == null || !CREDENTIALS.equals(component(s))) {
            return null;
        }
        Map<String, String> d = decode(s.getData());
        byte[] hash = SecretDigest.fromHex(d.get(API_KEY_SHA256));
        if (hash == null) {
            return null;
        }
        return new CredentialRecord(ref, s.getMetadata().getUid(), hash, Times.parse(d.get(REGISTERED_AT)), agent(d.get(AGENT)));
    }

    static Map<String, String> decode(Map<String, String> data) {
        Map<String, String> out = new LinkedHashMap<>();
        if (data != null) {
            data.forEach((k, v) -> {
                try {
                    out.put(k, v == null ? null : new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    // not base64: leave the key out; a Secret edited by hand must not break the index
                }
            });
        }
        return out;
    }

    static Map<String, String> encode(Map<String, String> data) {
        Map<String, String> out = new LinkedHashMap<>();
        data.forEach((k, v) -> {
            if (v != null) {
                out.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8)));
            }
        });
        return out;
    }

    private static String json(RegisteredAgent agent) {
        try {
            return agent == null ? null : Serialization.jsonMapper().writeValueAsString(agent);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RegisteredAgent agent(String json) {
        if (json == null || json.isBlank()) {
            return null;
        }
        try {
            return Serialization.jsonMapper().readValue(json, RegisteredAgent.class);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
