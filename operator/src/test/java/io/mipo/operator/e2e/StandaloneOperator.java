package io.mipo.operator.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerSpec;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The packaged operator in standalone mode as a separate process ({@code java -Dmipo.standalone=true -jar
 * quarkus-run.jar}), on 127.0.0.1 and a free port, with its output in a file; plus the calls the end-to-end
 * tests make on it: the embedded Kubernetes API through the kubeconfig it writes, and plain HTTP.
 */
final class StandaloneOperator implements AutoCloseable {
    static final String NAMESPACE = "default";
    static final Pattern TOKEN = Pattern.compile("mipo_pt_[0-9A-Za-z]{38}");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final int port;
    private final Path dataDir;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private KubernetesClient kube;
    private String adminToken;

    private StandaloneOperator(Process process, int port, Path dataDir, Path log) {
        this.process = process;
        this.port = port;
        this.dataDir = dataDir;
        this.log = log;
    }

    /**
     * Starts the operator with its data in {@code workDir/mipo-data} and its output in
     * {@code workDir/operator.log}, and waits until it is ready. {@code properties} are extra
     * {@code -D} settings (key=value).
     */
    static StandaloneOperator start(Path workDir, String... properties) throws Exception {
        return start(workDir, null, properties);
    }

    /** As {@link #start(Path, String...)}, with {@code cwd} as the operator's working directory (null: this JVM's). */
    static StandaloneOperator start(Path workDir, Path cwd, String... properties) throws Exception {
        int port = freePort();
        Path data = workDir.resolve("mipo-data");
        Path log = workDir.resolve("operator.log");
        List<String> command = new ArrayList<>(List.of(javaExecutable(),
                // a test JVM on a busy machine: start fast rather than peak fast
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Dmipo.standalone=true",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + port,
                "-Dmipo.standalone.data-dir=" + data,
                "-Dmipo.public-url=http://127.0.0.1:" + port,
                // serve the agent bundle and install script this build made
                "-Dmipo.distribution.dir=" + BuildOutputs.agentJar().getParent()));
        for (String p : properties) {
            command.add("-D" + p);
        }
        command.addAll(List.of("-jar", BuildOutputs.operatorJar().toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        pb.environment().keySet().removeIf(k -> k.startsWith("MIPO_") || k.startsWith("QUARKUS_"));
        StandaloneOperator op = new StandaloneOperator(pb.start(), port, data, log);
        try {
            op.awaitReady();
            op.adminToken = Files.readString(data.resolve("admin-token")).trim();
            op.kube = new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(Files.readString(data.resolve("kubeconfig")))).build();
        } catch (Throwable t) {
            op.close();
            throw t;
        }
        return op;
    }

    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void awaitReady() throws Exception {
        long started = System.nanoTime();
        long deadline = started + READY_TIMEOUT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("the operator exited with " + process.exitValue() + " before it was ready; its output:\n" + tail(80));
            }
            try {
                HttpResponse<String> r = get("/q/health/ready", null);
                last = r.statusCode() + " " + r.body();
                if (r.statusCode() == 200) {
                    System.out.printf("standalone operator ready on %s in %.1f s%n", url(), (System.nanoTime() - started) / 1e9);
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        fail("the operator was not ready within " + READY_TIMEOUT + "; last answer: " + last + "\noutput:\n" + tail(80));
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** kill -9: no shutdown hook runs and nothing is flushed, as in a crash or an out-of-memory kill. */
    void kill() throws InterruptedException {
        if (kube != null) {
            kube.close();
        }
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            fail("the operator did not die within 30 s of SIGKILL");
        }
    }

    Path dataDir() {
        return dataDir;
    }

    KubernetesClient kube() {
        return kube;
    }

    String adminToken() {
        return adminToken;
    }

    /** Everything the operator printed so far (stdout and stderr). */
    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<cannot read " + log + ": " + e + ">";
        }
    }

    String tail(int lines) {
        List<String> all = List.of(output().split("\n", -1));
        return "--- operator output, last " + lines + " lines (" + log + ") ---\n"
                + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    HttpResponse<String> get(String path, String bearer) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(30)).GET();
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> getBytes(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<String> post(String path, String bearer, String json) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(String text) throws IOException {
        return JSON.readTree(text);
    }

    /** Creates an External scanner (no binding) with these labels. */
    Scanner createScanner(String name, Map<String, String> labels) {
        Scanner s = new Scanner();
        s.setMetadata(new ObjectMetaBuilder().withNamespace(NAMESPACE).withName(name).withLabels(labels).build());
        ScannerSpec spec = new ScannerSpec();
        spec.setDisplayName(name);
        s.setSpec(spec);
        return kube.resource(s).create();
    }

    Scanner scanner(String name) {
        return kube.resources(Scanner.class).inNamespace(NAMESPACE).withName(name).get();
    }

    /** Read-modify-write retried on 409: the operator writes the scanner's status meanwhile. */
    void modifyScanner(String name, Consumer<Scanner> change) {
        for (int attempt = 0; ; attempt++) {
            Scanner current = scanner(name);
            change.accept(current);
            try {
                kube.resource(current).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 20) {
                    throw e;
                }
            }
        }
    }

    /**
     * Waits until the scanner satisfies {@code until}; otherwise fails saying {@code what} was
     * expected, with the scanner as last seen, {@code context} (e.g. the agent's output) and the
     * operator's output.
     */
    Scanner awaitScanner(String name, Duration timeout, String what, Predicate<Scanner> until, Supplier<String> context)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Scanner last = null;
        while (true) {
            try {
                last = scanner(name);
                if (last != null && until.test(last)) {
                    return last;
                }
            } catch (KubernetesClientException e) {
                // a passing failure of the embedded API; try again until the deadline
            }
            if (System.nanoTime() > deadline) {
                fail("scanner " + name + ": " + what + " not seen within " + timeout.toSeconds() + " s.\n"
                        + "--- scanner as last seen ---\n" + describe(last) + "\n" + context.get() + "\n" + tail(60));
            }
            Thread.sleep(100);
        }
    }

    static String phase(Scanner s) {
        return s == null || s.getStatus() == null || s.getStatus().getPhase() == null ? "" : s.getStatus().getPhase().name();
    }

    static String describe(Object resource) {
        return resource == null ? "<absent>" : Serialization.asYaml(resource);
    }

    /** The install command kept in the scanner's provisioning Secret until the token is used (docs/credentials.md). */
    String installCommand(String scanner) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Secret last = null;
        while (System.nanoTime() < deadline) {
            last = kube.secrets().inNamespace(NAMESPACE).withName(scanner + "-provisioning").get();
            if (last != null && last.getData() != null && last.getData().get("install-command") != null) {
                return new String(Base64.getDecoder().decode(last.getData().get("install-command")), StandardCharsets.UTF_8);
            }
            Thread.sleep(100);
        }
        fail("no install command in the Secret " + scanner + "-provisioning within 30 s; the Secret: "
                + (last == null ? "<absent>" : "keys " + (last.getData() == null ? "none" : last.getData().keySet()))
                + "\nscanner:\n" + describe(scanner(scanner)) + "\n" + tail(60));
        return null;
    }

    /** The provisioning token in an install command. */
    static String tokenIn(String installCommand) {
        Matcher m = TOKEN.matcher(installCommand);
        assertTrue(m.find(), "no provisioning token in the install command (length " + installCommand.length() + ")");
        return m.group();
    }

    /** The current value of a counter on /q/metrics (Prometheus text), 0 when it is not there yet. */
    double metric(String name) throws IOException, InterruptedException {
        HttpResponse<String> r = get("/q/metrics", null);
        assertTrue(r.statusCode() == 200, "GET /q/metrics answered " + r.statusCode());
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(r.body());
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(2));
        }
        return sum;
    }

    /** SIGTERM, then SIGKILL after 10 s; also closes the Kubernetes client. */
    @Override
    public void close() {
        if (kube != null) {
            kube.close();
        }
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
