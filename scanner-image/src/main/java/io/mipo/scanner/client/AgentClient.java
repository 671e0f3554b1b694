package io.mipo.scanner.client;

import io.mipo.scanner.json.Json;
import io.mipo.scanner.json.JsonException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/** The agent's side of the ingest API ({@code /scanner/*}): JSON over HTTP(S). */
public final class AgentClient {
    /** Responses are small; a larger one is refused rather than buffered. */
    static final int MAX_RESPONSE_BYTES = 4 << 20;

    private final URI base;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final String userAgent;

    public AgentClient(URI base, String userAgent, Duration connectTimeout, Duration requestTimeout) {
        this(base, userAgent, connectTimeout, requestTimeout, null);
    }

    /** @param trust the CAs to trust for the server ({@link CaBundle}), or null for the JVM's defaults */
    public AgentClient(URI base, String userAgent, Duration connectTimeout, Duration requestTimeout, javax.net.ssl.SSLContext trust) {
        this.base = base;
        this.userAgent = userAgent;
        this.requestTimeout = requestTimeout;
        HttpClient.Builder builder = HttpClient.newBuilder();
        if (trust != null) {
            builder.sslContext(trust);
        }
        this.http = builder
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                // never follow redirects: a redirect could carry the API key to another host
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Checks and normalises the server URL: http or https, a host, no user info, query or
     * fragment; a trailing slash is dropped so paths can be appended.
     */
    public static URI parseServer(String server) {
        if (server == null || server.isBlank()) {
            throw new IllegalArgumentException("no server URL given (--server or MIPO_SERVER)");
        }
        URI uri;
        try {
            uri = new URI(server.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("server URL '" + server + "' is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new IllegalArgumentException("server URL must start with https:// (or http://), got '" + server + "'");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("server URL must be scheme://host[:port][/path], got '" + server + "'");
        }
        String s = uri.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return URI.create(s);
    }

    public URI base() {
        return base;
    }

    /** Sent as {@code X-Mipo-Scanner} with every keyed call: lets an operator replica that has not seen a fresh registration look it up. */
    private volatile String scannerId;

    public void scannerId(String id) {
        this.scannerId = id;
    }

    public Map<String, Object> post(String path, String bearer, Map<String, ?> body)
            throws ApiException, ServerUnreachableException, InterruptedException {
        HttpRequest.Builder b = request(path, bearer)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8));
        return exchange(b.build());
    }

    public Map<String, Object> get(String path, String bearer)
            throws ApiException, ServerUnreachableException, InterruptedException {
        return exchange(request(path, bearer).GET().build());
    }

    private HttpRequest.Builder request(String path, String bearer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(requestTimeout)
                .header("Accept", "application/json, application/problem+json")
                .header("User-Agent", userAgent);
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
            String id = scannerId;
            if (id != null && id.matches("[a-z0-9][-a-z0-9]{0,62}")) {
                b.header("X-Mipo-Scanner", id);
            }
        }
        return b;
    }

    private Map<String, Object> exchange(HttpRequest request)
            throws ApiException, ServerUnreachableException, InterruptedException {
        HttpResponse<InputStream> response;
        String body;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            body = readBounded(response.body());
        } catch (HttpConnectTimeoutException e) {
            throw new ServerUnreachableException("connection to " + base + " timed out", e);
        } catch (HttpTimeoutException e) {
            throw new ServerUnreachableException("no answer from " + base + " within " + requestTimeout.toSeconds() + " s", e);
        } catch (ConnectException e) {
            throw new ServerUnreachableException("cannot connect to " + base + ": "
                    + (e.getMessage() != null ? e.getMessage() : "connection refused"), e);
        } catch (IOException e) {
            throw new ServerUnreachableException("cannot talk to " + base + ": " + e, e);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            if (body.isBlank()) {
                return Map.of();
            }
            try {
                return Json.parseObject(body);
            } catch (JsonException e) {
                throw new ApiException(status, ApiException.MALFORMED_RESPONSE, "response is not a JSON object",
                        e.getMessage());
            }
        }
        throw problem(status, body);
    }

    private static ApiException problem(int status, String body) {
        String code = null;
        String title = null;
        String detail = null;
        if (!body.isBlank()) {
            try {
                Map<String, Object> p = Json.parseObject(body);
                code = asString(p.get("code"));
                title = asString(p.get("title"));
                detail = asString(p.get("detail"));
            } catch (JsonException notJson) {
                detail = body.length() > 200 ? body.substring(0, 200) + "…" : body.strip();
            }
        }
        return new ApiException(status, code, title, detail);
    }

    private static String asString(Object o) {
        return o == null ? null : String.valueOf(o);
    }

    private static String readBounded(InputStream in) throws IOException {
        try (in) {
            byte[] bytes = in.readNBytes(MAX_RESPONSE_BYTES + 1);
            if (bytes.length > MAX_RESPONSE_BYTES) {
                throw new IOException("response larger than " + MAX_RESPONSE_BYTES + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
