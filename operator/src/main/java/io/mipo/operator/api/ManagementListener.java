package io.mipo.operator.api;

import io.mipo.operator.config.MipoConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Keeps {@code /q/*} (health, metrics, OpenAPI) off the Internet-facing port when
 * {@code mipo.management.port} is set (the Helm chart sets it): a second listener on that port
 * answers {@code GET /q/*} by asking the public listener over loopback with a per-process random
 * header, and the public listener refuses {@code /q/*} (404) to every request without it.
 *
 * <p>Why not Quarkus' own management interface: {@code quarkus.management.enabled} is fixed at
 * build time, and the one jar also runs standalone (and in the tests) with everything on one
 * port. Here the choice is made at run time: unset, {@code /q/*} stays on the one port.
 */
@Singleton
public class ManagementListener {
    private static final Logger LOG = Logger.getLogger(ManagementListener.class);
    static final String HEADER = "X-Mipo-Management";

    @Inject
    MipoConfig config;

    @Inject
    Vertx vertx;

    private final String secret;
    private volatile HttpServer server;
    private volatile HttpClient client;

    public ManagementListener() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        secret = HexFormat.of().formatHex(b);
    }

    /** On the public router: /q/* only for the management listener's own requests. */
    void guard(@Observes Filters filters) {
        if (config.managementPort().isEmpty()) {
            return;
        }
        filters.register(rc -> {
            String path = rc.normalizedPath();
            if ((path.equals("/q") || path.startsWith("/q/")) && !secret.equals(rc.request().getHeader(HEADER))) {
                rc.response().setStatusCode(404).putHeader("Content-Type", "text/plain").end("Not found");
                return;
            }
            rc.request().headers().remove(HEADER);
            rc.next();
        }, 1000);
    }

    void start(@Observes StartupEvent e) throws Exception {
        Optional<Integer> port = config.managementPort();
        if (port.isEmpty()) {
            return;
        }
        boolean tlsOnly = "disabled".equalsIgnoreCase(property("quarkus.http.insecure-requests", "enabled"));
        // loopback to ourselves: the certificate names the public host, not 127.0.0.1
        client = vertx.createHttpClient(new HttpClientOptions().setSsl(tlsOnly).setTrustAll(tlsOnly).setVerifyHost(false)
                .setConnectTimeout(5000));
        HttpServer s = vertx.createHttpServer().requestHandler(req -> forward(req, publicPort(tlsOnly), tlsOnly));
        s.listen(port.get(), config.managementHost()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        server = s;
        LOG.infof("Management listener on %s:%d serves /q/*; the public port refuses it", config.managementHost(), s.actualPort());
    }

    void stop(@Observes ShutdownEvent e) {
        if (server != null) {
            server.close();
        }
        if (client != null) {
            client.close();
        }
    }

    /** The port the management listener is bound to, or -1. */
    public int actualPort() {
        HttpServer s = server;
        return s == null ? -1 : s.actualPort();
    }

    private void forward(HttpServerRequest req, int target, boolean tls) {
        String uri = req.uri();
        if ((req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) || !(uri.equals("/q") || uri.startsWith("/q/"))) {
            req.response().setStatusCode(404).end();
            return;
        }
        RequestOptions o = new RequestOptions().setMethod(req.method()).setHost("127.0.0.1").setPort(target).setURI(uri)
                .setSsl(tls).setTimeout(30_000);
        req.headers().forEach(h -> {
            if (h.getKey().equalsIgnoreCase("Accept")) {
                o.addHeader(h.getKey(), h.getValue());
            }
        });
        o.addHeader(HEADER, secret);
        client.request(o)
                .compose(r -> r.send())
                .compose(resp -> resp.body().map(body -> {
                    var out = req.response().setStatusCode(resp.statusCode());
                    String type = resp.getHeader("Content-Type");
                    if (type != null) {
                        out.putHeader("Content-Type", type);
                    }
                    out.end(body);
                    return null;
                }))
                .onFailure(err -> {
                    if (!req.response().ended()) {
                        req.response().setStatusCode(503).end("management request failed");
                    }
                });
    }

    /** The public listener's actual port (read per request: with port 0 it is known only once it listens). */
    private static int publicPort(boolean tls) {
        boolean test = io.quarkus.runtime.LaunchMode.current() == io.quarkus.runtime.LaunchMode.TEST;
        String key = tls ? (test ? "quarkus.http.test-ssl-port" : "quarkus.http.ssl-port") : (test ? "quarkus.http.test-port" : "quarkus.http.port");
        return Integer.parseInt(property(key, tls ? "8443" : "8080"));
    }

    private static String property(String name, String fallback) {
        return ConfigProvider.getConfig().getOptionalValue(name, String.class).orElse(fallback);
    }
}
