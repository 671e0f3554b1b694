package io.mipo.operator.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Provisioning benchmark (docs/benchmarks.md, "Provisioning a fleet in standalone mode"). Not a test:
 * run by {@code bench/provisioning.sh} against an operator in standalone mode. JDK only.
 *
 * <p>For each of N scanners, as the mipo UI and an agent would: {@code POST /api/config/scanners}
 * (the facade creates the Scanner and issues its provisioning token), then {@code POST
 * /scanner/register} with that token (the agent gets its API key). {@code --threads} clients do this
 * in parallel. Prints the total time, the throughput per tenth of the fleet (so a cost that grows
 * with the fleet shows as a falling rate), latency percentiles of both calls, and the operator's
 * resident memory at the end ({@code /proc/<pid>/status}).
 */
public final class ProvisioningBench {
    private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"(mipo_pt_[0-9A-Za-z]+)\"");
    private static final Pattern API_KEY = Pattern.compile("\"apiKey\"\\s*:\\s*\"(mipo_sk_[0-9A-Za-z]+)\"");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final String url;
    private final String adminToken;

    private ProvisioningBench(String url, String adminToken) {
        this.url = url;
        this.adminToken = adminToken;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        String token = Files.readString(Path.of(args.get("admin-token-file"))).trim();
        ProvisioningBench bench = new ProvisioningBench(args.getOrDefault("url", "http://127.0.0.1:18080"), token);
        int n = Integer.parseInt(args.getOrDefault("scanners", "1000"));
        int threads = Integer.parseInt(args.getOrDefault("threads", "8"));
        bench.run(n, threads, args.getOrDefault("prefix", "prov"), args.get("pid"));
    }

    private void run(int n, int threads, String prefix, String pid) throws Exception {
        System.out.printf(Locale.ROOT, "operator %s: provisioning %d scanners (facade create + register), %d clients%n",
                url, n, threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long[] createMicros = new long[n];
        long[] registerMicros = new long[n];
        long[] doneAt = new long[n];
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        long t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            fs.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < n) {
                    String name = String.format(Locale.ROOT, "%s-%06d", prefix, i);
                    try {
                        long a = System.nanoTime();
                        HttpResponse<String> created = send(HttpRequest.newBuilder(URI.create(url + "/api/config/scanners"))
                                .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}")).build());
                        long b = System.nanoTime();
                        Matcher tm = TOKEN.matcher(created.body());
                        if (created.statusCode() != 201 && created.statusCode() != 200 || !tm.find()) {
                            failed.incrementAndGet();
                            System.out.printf(Locale.ROOT, "create %s: HTTP %d %s%n", name, created.statusCode(),
                                    created.body().length() > 300 ? created.body().substring(0, 300) : created.body());
                            continue;
                        }
                        String body = "{\"token\":\"" + tm.group(1) + "\",\"hostname\":\"" + name
                                + "\",\"version\":\"1.0.0\",\"os\":\"linux\",\"arch\":\"amd64\"}";
                        HttpResponse<String> registered = send(HttpRequest.newBuilder(URI.create(url + "/scanner/register"))
                                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
                        long c = System.nanoTime();
                        if (registered.statusCode() != 200 || !API_KEY.matcher(registered.body()).find()) {
                            failed.incrementAndGet();
                            System.out.printf(Locale.ROOT, "register %s: HTTP %d%n", name, registered.statusCode());
                            continue;
                        }
                        createMicros[i] = (b - a) / 1_000;
                        registerMicros[i] = (c - b) / 1_000;
                        doneAt[i] = c - t0;
                        int f = finished.incrementAndGet();
                        if (f % Math.max(1, n / 10) == 0) {
                            System.out.printf(Locale.ROOT, "  %d provisioned after %.1f s%n", f, (c - t0) / 1e9);
                        }
                    } catch (IOException | InterruptedException e) {
                        failed.incrementAndGet();
                        System.out.println("scanner " + name + ": " + e);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "RESULT provisioned %d scanners in %.1f s (%.1f/s), %d failed%n",
                finished.get(), seconds, finished.get() / seconds, failed.get());
        long[] done = Arrays.stream(doneAt).filter(x -> x > 0).sorted().toArray();
        if (done.length >= 10) {
            StringBuilder tenths = new StringBuilder("RESULT scanners/s per tenth of the fleet:");
            long prev = 0;
            for (int k = 1; k <= 10; k++) {
                long end = done[done.length * k / 10 - 1];
                int count = done.length * k / 10 - done.length * (k - 1) / 10;
                tenths.append(String.format(Locale.ROOT, " %.1f", count / Math.max(1e-9, (end - prev) / 1e9)));
                prev = end;
            }
            System.out.println(tenths);
        }
        percentiles("facade create", createMicros);
        percentiles("register", registerMicros);
        if (pid != null) {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS") || line.startsWith("VmHWM")) {
                    System.out.println("RESULT operator " + line.replaceAll("\\s+", " "));
                }
            }
        }
    }

    private static void percentiles(String what, long[] micros) {
        long[] s = Arrays.stream(micros).filter(x -> x > 0).sorted().toArray();
        if (s.length == 0) {
            return;
        }
        System.out.printf(Locale.ROOT, "RESULT %s ms: p50 %.1f p90 %.1f p99 %.1f max %.1f%n", what,
                s[s.length / 2] / 1e3, s[(int) (s.length * 0.9)] / 1e3, s[Math.min(s.length - 1, (int) (s.length * 0.99))] / 1e3,
                s[s.length - 1] / 1e3);
    }

    private HttpResponse<String> send(HttpRequest r) throws IOException, InterruptedException {
        return HeartbeatBench.sendRetrying(http, r);
    }
}
