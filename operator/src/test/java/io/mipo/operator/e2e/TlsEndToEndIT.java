package io.mipo.operator.e2e;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The packaged operator serving HTTPS itself with a certificate made here (a throw-away CA and a
 * server certificate for localhost/127.0.0.1, made with the JDK's keytool): the packaged agent
 * registers and heartbeats over HTTPS when given the CA with --ca-file (or its text in
 * MIPO_CA_PEM, as in-cluster agents get it), and refuses to talk to the server without it (docs/security.md, threat 5).
 */
class TlsEndToEndIT {
    private static final String PASSWORD = "changeit-" + Long.toHexString(System.nanoTime());
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void theAgentRegistersAndHeartbeatsOverHttpsWithTheCaAndRefusesWithoutIt() throws Exception {
        Path ca = tmp.resolve("ca.p12");
        Path server = tmp.resolve("server.p12");
        Path caPem = tmp.resolve("ca.pem");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=mipo test CA",
                "-ext", "bc:c", "-validity", "2", "-keystore", ca.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", PASSWORD, "-file", caPem.toString());
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-validity", "2", "-keystore", server.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        Path csr = tmp.resolve("server.csr");
        keytool("-certreq", "-alias", "server", "-keystore", server.toString(), "-storepass", PASSWORD, "-file", csr.toString());
        Path serverPem = tmp.resolve("server.pem");
        keytool("-gencert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", PASSWORD, "-infile", csr.toString(),
                "-outfile", serverPem.toString(), "-rfc", "-validity", "2",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-ext", "EKU=serverAuth");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(), "-keystore", server.toString(), "-storepass", PASSWORD);
        keytool("-importcert", "-alias", "server", "-file", serverPem.toString(), "-keystore", server.toString(), "-storepass", PASSWORD);

        int port = StandaloneOperator.freePort();
        String url = "https://localhost:" + port;
        Path data = tmp.resolve("mipo-data");
        Path operatorLog = tmp.resolve("operator.log");
        List<String> command = new ArrayList<>(List.of(StandaloneOperator.javaExecutable(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Dmipo.standalone=true", "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + StandaloneOperator.freePort(),
                "-Dquarkus.http.ssl-port=" + port,
                "-Dquarkus.http.insecure-requests=disabled",
                "-Dquarkus.http.ssl.certificate.key-store-file=" + server,
                "-Dquarkus.http.ssl.certificate.key-store-file-type=PKCS12",
                "-Dquarkus.http.ssl.certificate.key-store-password=" + PASSWORD,
                "-Dmipo.standalone.data-dir=" + data,
                "-Dmipo.public-url=" + url,
                "-Dmipo.distribution.dir=" + BuildOutputs.agentJar().getParent(),
                "-jar", BuildOutputs.operatorJar().toString()));
        Process operator = Commands.start(command, Map.of(), operatorLog);
        try (AutoCloseable stop = () -> stop(operator)) {
            HttpClient trusting = HttpClient.newBuilder().sslContext(trusting(caPem)).connectTimeout(Duration.ofSeconds(5)).build();
            awaitReady(operator, trusting, url, operatorLog);
            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            try {
                plain.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
                fail("a client without the CA reached the server");
            } catch (javax.net.ssl.SSLHandshakeException expected) {
                // the JVM's default trust does not know our CA
            }

            try (KubernetesClient kube = new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(Files.readString(data.resolve("kubeconfig")))).build()) {
                String withCa = token(kube, "tls-a");
                Path configA = tmp.resolve("etc-a");
                Commands.Outcome registered = agent(List.of("register", "--server", url, "--config-dir", configA.toString(),
                        "--ca-file", caPem.toString()), Map.of("MIPO_TOKEN", withCa), tmp.resolve("register-a.log"));
                assertEquals(0, registered.exit(), registered.describe("register with --ca-file") + "\n" + Commands.read(operatorLog));
                assertTrue(Files.exists(configA.resolve("ca.pem")), "register keeps the CA for run");

                // run: heartbeats over HTTPS, trusting the CA register kept
                Path runLog = tmp.resolve("run-a.log");
                Process run = Commands.start(agentCommand(List.of("run", "--config-dir", configA.toString())),
                        Map.of("MIPO_SCAN_PAUSE_SECONDS", "0.5"), runLog);
                try (AutoCloseable stopRun = () -> stop(run)) {
                    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                    Scanner s = null;
                    while (System.nanoTime() < deadline) {
                        s = kube.resources(Scanner.class).inNamespace("default").withName("tls-a").get();
                        if (s != null && s.getStatus() != null && "Active".equals(String.valueOf(s.getStatus().getPhase()))
                                && s.getStatus().getLastHeartbeatTime() != null) {
                            break;
                        }
                        Thread.sleep(250);
                    }
                    assertEquals("Active", s == null || s.getStatus() == null ? null : String.valueOf(s.getStatus().getPhase()),
                            "the agent did not heartbeat over HTTPS; run output:\n" + Commands.read(runLog));
                }

                // the CA's text in MIPO_CA_PEM, as the operator hands it to in-cluster (DaemonSet) agents:
                // the operator must see a heartbeat later than any of the run above
                Files.delete(configA.resolve("ca.pem"));
                String adminToken = Files.readString(data.resolve("admin-token")).trim();
                java.time.Instant seenBefore = lastSeen(trusting, url, adminToken, "tls-a");
                java.time.Instant before = seenBefore == null ? java.time.Instant.EPOCH : seenBefore;
                Thread.sleep(1100); // lastSeen has whole seconds
                Path pemRunLog = tmp.resolve("run-a-pem.log");
                Process pemRun = Commands.start(agentCommand(List.of("run", "--config-dir", configA.toString())),
                        Map.of("MIPO_SCAN_PAUSE_SECONDS", "0.5", "MIPO_CA_PEM", Files.readString(caPem)), pemRunLog);
                try (AutoCloseable stopRun = () -> stop(pemRun)) {
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    java.time.Instant seen = before;
                    while (System.nanoTime() < deadline && pemRun.isAlive() && (seen == null || !seen.isAfter(before))) {
                        Thread.sleep(250);
                        seen = lastSeen(trusting, url, adminToken, "tls-a");
                    }
                    assertTrue(seen != null && seen.isAfter(before), "with MIPO_CA_PEM the agent's heartbeat did not reach the server over HTTPS"
                            + " (lastSeen " + before + " before, " + seen + " after); run output:\n" + Commands.read(pemRunLog));
                }

                // without the CA: the agent refuses the server's certificate and registers no one
                String withoutCa = token(kube, "tls-b");
                Commands.Outcome refused = agent(List.of("register", "--server", url, "--config-dir", tmp.resolve("etc-b").toString()),
                        Map.of("MIPO_TOKEN", withoutCa), tmp.resolve("register-b.log"));
                assertNotEquals(0, refused.exit(), refused.describe("register without the CA"));
                assertTrue(!Files.exists(tmp.resolve("etc-b").resolve("credentials")), refused.describe("register without the CA"));
                Secret p = kube.secrets().inNamespace("default").withName("tls-b-provisioning").get();
                String state = new String(Base64.getDecoder().decode(p.getData().get("state")), StandardCharsets.UTF_8);
                assertEquals("Unused", state, "the token must not have been sent over an unverified connection");
            }
        }
    }

    /** The scanner's lastSeen on the health page (the latest heartbeat any replica took), or null. */
    private static java.time.Instant lastSeen(HttpClient client, String url, String adminToken, String id) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url + "/api/scanners?q=" + id))
                .header("Authorization", "Bearer " + adminToken).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), "GET /api/scanners: " + r.body());
        for (com.fasterxml.jackson.databind.JsonNode item : new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("items")) {
            if (id.equals(item.path("id").asText()) && item.hasNonNull("lastSeen")) {
                return java.time.Instant.parse(item.path("lastSeen").asText());
            }
        }
        return null;
    }

    private static String token(KubernetesClient kube, String name) throws InterruptedException {
        Scanner s = new Scanner();
        s.setMetadata(new ObjectMetaBuilder().withNamespace("default").withName(name).build());
        s.setSpec(new ScannerSpec());
        kube.resource(s).create();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Secret p = kube.secrets().inNamespace("default").withName(name + "-provisioning").get();
            if (p != null && p.getData() != null && p.getData().get("install-command") != null) {
                return StandaloneOperator.tokenIn(new String(Base64.getDecoder().decode(p.getData().get("install-command")), StandardCharsets.UTF_8));
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no token issued for " + name + " within 60 s");
    }

    private static SSLContext trusting(Path caPem) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static void awaitReady(Process operator, HttpClient http, String url, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!operator.isAlive()) {
                fail("the operator exited with " + operator.exitValue() + "; output:\n" + Commands.read(log));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                last = r.statusCode() + " " + r.body();
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        fail("not ready over HTTPS within 180 s; last: " + last + "\n" + Commands.read(log));
    }

    private void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Commands.Outcome o = Commands.run(command, Map.of(), tmp.resolve("keytool.log"), TOOL_TIMEOUT);
        assertEquals(0, o.exit(), o.describe("keytool " + args[0]));
    }

    private static List<String> agentCommand(List<String> args) {
        List<String> command = new ArrayList<>(List.of(StandaloneOperator.javaExecutable(), "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-jar", BuildOutputs.agentJar().toString()));
        command.addAll(args);
        return command;
    }

    private static Commands.Outcome agent(List<String> args, Map<String, String> env, Path log) throws Exception {
        return Commands.run(agentCommand(args), env, log, Duration.ofSeconds(60));
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
