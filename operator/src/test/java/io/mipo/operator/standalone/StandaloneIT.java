package io.mipo.operator.standalone;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
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
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The packaged operator in standalone mode, as a user runs it: {@code java -Dmipo.standalone=true -jar
 * quarkus-run.jar}, then kubectl with the kubeconfig it writes; stopped with SIGTERM and started
 * again on the same data directory. Runs after {@code package} (maven-failsafe-plugin).
 */
class StandaloneIT {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path tmp;

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Path operatorJar() {
        String configured = System.getProperty("mipo.operator.jar");
        Path jar = configured != null ? Path.of(configured) : Path.of("target/quarkus-app/quarkus-run.jar");
        assertTrue(Files.exists(jar), "the packaged operator is missing: " + jar.toAbsolutePath()
                + " (this test runs after mvn package)");
        return jar;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Process startOperator(Path dataDir, int port, Path log) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Dmipo.standalone=true",
                "-Dquarkus.http.port=" + port, "-Dmipo.standalone.data-dir=" + dataDir,
                "-jar", operatorJar().toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().remove("MIPO_AUTH_STATIC_TOKEN");
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private void awaitReady(Process p, int port, Path log) throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                fail("the operator exited with " + p.exitValue() + " before it was ready; its output:\n" + tail(log));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                        + "/q/health/ready")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                last = r.statusCode() + " " + r.body();
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        fail("not ready within " + READY_TIMEOUT + "; last answer: " + last + "\noutput:\n" + tail(log));
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    }

    private static void stop(Process p, Path log) throws Exception {
        p.destroy(); // SIGTERM
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            fail("the operator did not stop within 60 s of SIGTERM; output:\n" + tail(log));
        }
    }

    /** The kubectl to use ({@code -Dmipo.it.kubectl=...}; a missing one exercises the fallback). */
    private static String kubectlCommand() {
        return System.getProperty("mipo.it.kubectl", "kubectl");
    }

    private static boolean kubectlAvailable() {
        try {
            Process p = new ProcessBuilder(kubectlCommand(), "version", "--client").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private record Result(int exitCode, String output) {
    }

    private Result kubectl(Path kubeconfig, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(kubectlCommand(), "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("HOME", tmp.toString()); // a discovery cache of its own
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl " + String.join(" ", args) + " hung");
        return new Result(p.exitValue(), out);
    }

    @Test
    void runsWithoutAClusterAndKeepsItsObjectsAcrossRestarts() throws Exception {
        boolean withKubectl = kubectlAvailable();
        if (!withKubectl) {
            System.out.println("kubectl is not on PATH: the kubectl checks are skipped, the fabric8 client stands in");
        }
        Path data = tmp.resolve("mipo-data");
        Path log = tmp.resolve("operator-1.log");
        int port = freePort();

        long started = System.nanoTime();
        Process first = startOperator(data, port, log);
        awaitReady(first, port, log);
        System.out.printf("standalone operator ready in %.1f s%n", (System.nanoTime() - started) / 1e9);

        String output = Files.readString(log);
        String token = Files.readString(data.resolve("admin-token")).trim();
        assertTrue(output.contains("NOT FOR PRODUCTION"), output);
        assertTrue(output.contains(token), "the banner shows the admin token:\n" + output);
        assertTrue(output.contains("http://localhost:" + port + "/scanner"), "the banner shows the ingest URL:\n" + output);

        Path kubeconfig = data.resolve("kubeconfig");
        String uid;
        if (withKubectl) {
            uid = createWithKubectl(kubeconfig, log);
        } else {
            try (KubernetesClient client = client(kubeconfig)) {
                uid = client.resource(scanner()).create().getMetadata().getUid();
                await().atMost(Duration.ofSeconds(60)).until(() -> phaseOf(client).equals("Pending"));
            }
        }

        stop(first, log);

        Path log2 = tmp.resolve("operator-2.log");
        Process second = startOperator(data, port, log2);
        awaitReady(second, port, log2);
        assertTrue(Files.readString(log2).contains(token), "the same admin token after a restart");
        if (withKubectl) {
            Result again = kubectl(kubeconfig, "get", "scanner", "it-edge-1", "-o", "jsonpath={.metadata.uid} {.status.phase}");
            assertEquals(0, again.exitCode(), again.output() + "\noperator output:\n" + tail(log2));
            assertEquals(uid + " Pending", again.output().trim(), "the scanner is back with its identity and status");

            Result deleted = kubectl(kubeconfig, "delete", "scanner", "it-edge-1", "--timeout=60s");
            assertEquals(0, deleted.exitCode(), deleted.output() + "\noperator output:\n" + tail(log2));
            Result none = kubectl(kubeconfig, "get", "scanners");
            assertTrue(none.output().contains("No resources found"), none.output());
        } else {
            try (KubernetesClient client = client(kubeconfig)) {
                Scanner back = client.resources(Scanner.class).withName("it-edge-1").get();
                assertEquals(uid, back.getMetadata().getUid(), "the scanner is back with its identity");
                assertEquals("Pending", phaseOf(client));
            }
        }
        stop(second, log2);
    }

    private String createWithKubectl(Path kubeconfig, Path log) throws Exception {
        Path manifest = tmp.resolve("scanner.yaml");
        Files.writeString(manifest, """
                apiVersion: mipo.io/v1alpha1
                kind: Scanner
                metadata:
                  name: it-edge-1
                spec:
                  displayName: it-edge-1
                  rateLimit: 50
                """);
        Result applied = kubectl(kubeconfig, "apply", "--validate=false", "-f", manifest.toString());
        assertEquals(0, applied.exitCode(), applied.output());
        assertTrue(applied.output().contains("scanner.mipo.io/it-edge-1 created"), applied.output());

        Result table = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            table = kubectl(kubeconfig, "get", "scanners");
            if (table.exitCode() == 0 && table.output().contains("Pending")) {
                break;
            }
            Thread.sleep(500);
        }
        String[] lines = table.output().strip().split("\n");
        List<String> header = List.of(lines[0].trim().split("\\s+"));
        assertEquals(List.of("NAME", "DISPLAY", "STATUS", "BINDING", "RATE", "LAST-HEARTBEAT", "AGE"), header,
                "the printer columns (docs/resources.md) in the header:\n" + table.output());
        assertTrue(lines.length > 1 && lines[1].startsWith("it-edge-1") && lines[1].contains("Pending"),
                "the reconciler set the scanner Pending:\n" + table.output() + "\noperator output:\n" + tail(log));
        Result shortName = kubectl(kubeconfig, "get", "scn", "it-edge-1", "-o", "jsonpath={.metadata.uid}");
        assertEquals(0, shortName.exitCode(), shortName.output());
        return shortName.output().trim();
    }

    private static KubernetesClient client(Path kubeconfig) throws IOException {
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
    }

    private static Scanner scanner() {
        Scanner s = new Scanner();
        s.setMetadata(new ObjectMetaBuilder().withName("it-edge-1").withNamespace("default").build());
        ScannerSpec spec = new ScannerSpec();
        spec.setDisplayName("it-edge-1");
        spec.setRateLimit(50);
        s.setSpec(spec);
        return s;
    }

    private static String phaseOf(KubernetesClient client) {
        Scanner s = client.resources(Scanner.class).withName("it-edge-1").get();
        return s == null || s.getStatus() == null || s.getStatus().getPhase() == null ? "" : s.getStatus().getPhase().name();
    }
}
