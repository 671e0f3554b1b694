package io.mipo.scanner.register;

import io.mipo.scanner.AgentVersion;
import io.mipo.scanner.client.AgentClient;
import io.mipo.scanner.client.ApiException;
import io.mipo.scanner.client.ServerUnreachableException;
import io.mipo.scanner.config.Credentials;
import io.mipo.scanner.host.HostInfo;
import io.mipo.scanner.json.Json;
import io.mipo.scanner.json.JsonException;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code POST /scanner/register}: a provisioning token (or a ServiceAccount token) in, an API key out. */
public final class Registrar {
    private final AgentClient client;
    private final Map<String, String> env;
    private final String internalIpOverride;

    public Registrar(AgentClient client, Map<String, String> env, String internalIpOverride) {
        this.client = client;
        this.env = env;
        this.internalIpOverride = internalIpOverride;
    }

    /** Registers with a one-time provisioning token (external scanners). */
    public Credentials withProvisioningToken(String token)
            throws ApiException, ServerUnreachableException, InterruptedException {
        return withProvisioningToken(token, null);
    }

    /** As above, with the id that makes a repeat of this registration retryable ({@link RegistrationId}). */
    public Credentials withProvisioningToken(String token, String registrationId)
            throws ApiException, ServerUnreachableException, InterruptedException {
        return register("token", token, registrationId);
    }

    /** Registers with a projected ServiceAccount token (in-cluster scanners; the operator runs a TokenReview). */
    public Credentials withServiceAccountToken(String token)
            throws ApiException, ServerUnreachableException, InterruptedException {
        return register("serviceAccountToken", token, null);
    }

    private Credentials register(String secretField, String secret, String registrationId)
            throws ApiException, ServerUnreachableException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(secretField, secret);
        body.putAll(hostFacts());
        if (registrationId != null) {
            body.put("registrationId", registrationId);
        }
        Map<String, Object> r = client.post("/scanner/register", null, body);
        try {
            Object id = r.get("scannerId");
            String apiKey = Json.string(r, "apiKey");
            double interval = Json.number(r, "heartbeatIntervalSeconds", 30);
            if (id == null || apiKey == null || apiKey.isBlank()) {
                throw new JsonException("scannerId or apiKey missing");
            }
            return new Credentials(client.base().toString(), String.valueOf(id), apiKey.trim(), interval);
        } catch (JsonException | IllegalArgumentException e) {
            throw new ApiException(200, ApiException.MALFORMED_RESPONSE, "unusable registration response",
                    e.getMessage());
        }
    }

    /** {@code hostname, version, os, arch, internalIp}: sent on registration and every heartbeat. */
    public Map<String, Object> hostFacts() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hostname", HostInfo.hostname(env));
        m.put("version", AgentVersion.get());
        m.put("os", HostInfo.os());
        m.put("arch", HostInfo.arch());
        String ip = internalIpOverride != null ? internalIpOverride : HostInfo.internalIp(client.base());
        if (ip != null) {
            m.put("internalIp", ip);
        }
        return m;
    }
}
