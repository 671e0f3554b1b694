package io.mipo.operator.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mipo.operator.credentials.CredentialSecrets;
import io.mipo.operator.credentials.SecretDigest;
import io.mipo.operator.credentials.TokenFormat;
import io.mipo.operator.credentials.TokenKind;
import io.mipo.operator.kube.Labels;
import io.mipo.operator.model.TokenState;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Seeds a stopped standalone store with a registered fleet, for benchmarks at sizes that would take
 * too long to provision through the facade (bench/growth.sh): {@code count} External Scanners in
 * namespace {@code default}, each with the two Secrets registration leaves behind (the consumed
 * provisioning Secret and the credentials Secret holding its API key's hash), exactly as the
 * operator writes them. The API keys go to {@code keys-file} (owner-only, one per line, outside the
 * repository) so that a load generator can heartbeat as the agents.
 *
 * <pre>FleetSeed &lt;data-dir&gt; &lt;count&gt; &lt;keys-file&gt;</pre>
 *
 * The Scanners carry the reconciler's finalizer but no status: the operator's first reconciliation
 * writes it, as after an upgrade of the operator with a fleet in place.
 */
public final class FleetSeed {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String FINALIZER = "scanners.mipo.io/finalizer";

    private FleetSeed() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("FleetSeed <data-dir> <count> <keys-file>");
        }
        seed(Path.of(args[0]), Integer.parseInt(args[1]), Path.of(args[2]));
    }

    static void seed(Path dataDir, int count, Path keysFile) throws Exception {
        Path wal = dataDir.resolve("store.wal");
        if (Files.exists(dataDir.resolve("store.wal.sealed")) || (Files.exists(wal) && Files.size(wal) > 0)) {
            throw new IllegalStateException("the store's log is not empty: start and stop the operator once more so that it compacts");
        }
        Path store = dataDir.resolve("store.json");
        ObjectNode doc = (ObjectNode) JSON.readTree(store.toFile());
        ArrayNode objects = (ArrayNode) doc.get("objects");
        long rv = doc.path("resourceVersion").asLong();
        Instant now = Instant.now();
        String at = now.toString();
        String expires = now.plusSeconds(86_400).toString();
        Files.deleteIfExists(keysFile);
        Files.createFile(keysFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (BufferedWriter keys = Files.newBufferedWriter(keysFile, StandardCharsets.US_ASCII)) {
            for (int i = 0; i < count; i++) {
                String name = String.format(Locale.ROOT, "fleet-%06d", i);
                String uid = UUID.randomUUID().toString();
                ObjectNode scanner = JSON.createObjectNode();
                scanner.put("apiVersion", "mipo.io/v1alpha1");
                scanner.put("kind", "Scanner");
                ObjectNode meta = scanner.putObject("metadata");
                meta.put("name", name);
                meta.put("namespace", "default");
                meta.put("uid", uid);
                meta.put("creationTimestamp", at);
                meta.put("generation", 1);
                meta.put("resourceVersion", String.valueOf(++rv));
                meta.putArray("finalizers").add(FINALIZER);
                meta.putObject("annotations").put("mipo.io/created-by", "user-" + (i % 20) + "@example.com");
                ObjectNode spec = scanner.putObject("spec");
                spec.put("displayName", "Fleet-" + i);
                spec.put("description", "seeded scanner " + i + " in rack " + (i % 40));
                spec.putObject("deployment").put("mode", "External");
                objects.addObject().put("resource", "scanners").set("object", scanner);

                String apiKey = TokenFormat.generate(TokenKind.API_KEY);
                String keyHash = SecretDigest.hex(SecretDigest.sha256(apiKey));
                String tokenHash = SecretDigest.hex(SecretDigest.sha256(TokenFormat.generate(TokenKind.PROVISIONING)));
                String agent = "{\"version\":\"1.0.0\",\"hostname\":\"bench-host\",\"os\":\"linux\",\"arch\":\"amd64\",\"internalIp\":\"10.0.0.1\",\"sourceAddress\":\"127.0.0.1\"}";
                Map<String, String> provisioning = new LinkedHashMap<>();
                provisioning.put(CredentialSecrets.TOKEN_SHA256, tokenHash);
                provisioning.put(CredentialSecrets.ISSUED_AT, at);
                provisioning.put(CredentialSecrets.EXPIRES_AT, expires);
                provisioning.put(CredentialSecrets.STATE, TokenState.Consumed.name());
                provisioning.put(CredentialSecrets.CONSUMED_AT, at);
                provisioning.put(CredentialSecrets.API_KEY_SHA256, keyHash);
                provisioning.put(CredentialSecrets.AGENT, agent);
                objects.addObject().put("resource", "secrets")
                        .set("object", secret(name, uid, CredentialSecrets.PROVISIONING, provisioning, at, ++rv));
                Map<String, String> credentials = new LinkedHashMap<>();
                credentials.put(CredentialSecrets.API_KEY_SHA256, keyHash);
                credentials.put(CredentialSecrets.REGISTERED_AT, at);
                credentials.put(CredentialSecrets.AGENT, agent);
                objects.addObject().put("resource", "secrets")
                        .set("object", secret(name, uid, CredentialSecrets.CREDENTIALS, credentials, at, ++rv));
                keys.write(apiKey);
                keys.newLine();
            }
        }
        doc.put("resourceVersion", rv);
        JSON.writeValue(store.toFile(), doc); // streamed: at 100,000 scanners the document is about 470 MB
        System.out.printf(Locale.ROOT, "seeded %d registered scanners (%d objects) into %s; API keys in %s%n",
                count, 3L * count, store, keysFile);
    }

    private static ObjectNode secret(String scanner, String scannerUid, String component, Map<String, String> data,
                                     String at, long rv) {
        ObjectNode s = JSON.createObjectNode();
        s.put("apiVersion", "v1");
        s.put("kind", "Secret");
        ObjectNode meta = s.putObject("metadata");
        meta.put("name", scanner + "-" + component);
        meta.put("namespace", "default");
        meta.put("uid", UUID.randomUUID().toString());
        meta.put("creationTimestamp", at);
        meta.put("resourceVersion", String.valueOf(rv));
        ObjectNode labels = meta.putObject("labels");
        labels.put(Labels.SCANNER, scanner);
        labels.put(Labels.COMPONENT, component);
        labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
        ObjectNode owner = meta.putArray("ownerReferences").addObject();
        owner.put("apiVersion", "mipo.io/v1alpha1");
        owner.put("kind", "Scanner");
        owner.put("name", scanner);
        owner.put("uid", scannerUid);
        owner.put("controller", true);
        owner.put("blockOwnerDeletion", false);
        s.put("type", "Opaque");
        ObjectNode d = s.putObject("data");
        Base64.Encoder b64 = Base64.getEncoder();
        data.forEach((k, v) -> d.put(k, b64.encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return s;
    }
}
