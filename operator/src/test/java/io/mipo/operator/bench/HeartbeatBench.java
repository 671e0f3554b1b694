package io.mipo.operator.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Heartbeat ingest and liveness write budget benchmark (docs/benchmarks.md). Not a test: run by
 * {@code bench/heartbeats.sh} against an operator in standalone mode. JDK only, so it runs from
 * {@code operator/target/test-classes} without a class path.
 *
 * <ol>
 * <li>Creates N Scanners through the embedded Kubernetes API (as kubectl would), reads each
 *     auto-issued token from its {@code <scanner>-provisioning} Secret, registers every scanner.</li>
 * <li>Fixed rate: heartbeats at a target rate for a while, latency measured from the moment each
 *     request was due (so a stalled server cannot hide its queueing).</li>
 * <li>Maximum rate: as many heartbeats as the connections get answered.</li>
 * <li>Side by side ({@code --compare-seconds}, {@code --compare-rounds}): the same connections at maximum
 *     rate against {@code GET /q/health/live} (the framework's own minimum) and against the heartbeat,
 *     in alternating rounds, and the ratio of the two throughputs.</li>
 * <li>Steady state: every scanner heartbeats every interval (30 s), and the Kubernetes API writes the
 *     operator makes, from {@code mipo_kubernetes_writes_total}, are counted per minute.</li>
 * </ol>
 * With {@code --keys-file}, the API keys are written there after provisioning (mode 600) and read
 * from it instead of provisioning when it exists, so an operator restarted on the same data
 * directory (another build) is measured with the same fleet.
 * Heartbeats go over plain HTTP/1.1 keep-alive sockets on 127.0.0.1, written by hand so that the
 * load generator costs little CPU next to the server it measures on the same machine.
 */
public final class HeartbeatBench {
    private static final Pattern INSTALL_COMMAND = Pattern.compile("\"install-command\"\\s*:\\s*\"([A-Za-z0-9+/=]+)\"");
    private static final Pattern API_KEY = Pattern.compile("\"apiKey\"\\s*:\\s*\"(mipo_sk_[0-9A-Za-z]{38})\"");
    private static final Pattern WRITES = Pattern.compile("^mipo_kubernetes_writes_total\\{([^}]*)\\}\\s+([0-9.eE+-]+)");
    private static final Pattern GAUGE = Pattern.compile("^mipo_scanners\\{phase=\"(\\w+)\"[^}]*\\}\\s+([0-9.eE+-]+)");

    private final Map<String, String> args;
    private final String url;
    final String api;
    private final String host;
    private final int port;
    final String namespace;
    /** Every key's heartbeat request, built once, so that the client's own work is the same for every call measured. */
    private volatile byte[][] heartbeatRequests;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    HeartbeatBench(Map<String, String> args) throws IOException {
        this.args = args;
        this.url = args.getOrDefault("url", "http://127.0.0.1:18080");
        URI u = URI.create(url);
        this.host = u.getHost();
        this.port = u.getPort();
        this.api = args.containsKey("api") ? args.get("api") : apiServerOf(Path.of(args.get("kubeconfig")));
        this.namespace = args.getOrDefault("namespace", "default");
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        new HeartbeatBench(args).run();
    }

    private int intArg(String name, int dflt) {
        return Integer.parseInt(args.getOrDefault(name, String.valueOf(dflt)));
    }

    private void run() throws Exception {
        int scanners = intArg("scanners", 10_000);
        int connections = intArg("connections", 32);
        // An open-loop load needs enough connections to absorb a stall without falling behind for good.
        int rateConnections = intArg("rate-connections", 32);
        int rate = intArg("rate", 5_000);
        int rateSeconds = intArg("rate-seconds", 30);
        int maxSeconds = intArg("max-seconds", 20);
        int steadyMinutes = intArg("steady-minutes", 5);
        int interval = intArg("interval", 30);
        int compareSeconds = intArg("compare-seconds", 10);
        int compareRounds = intArg("compare-rounds", 3);
        System.out.printf(Locale.ROOT, "operator %s, Kubernetes API %s, %d scanners%n", url, api, scanners);

        long t = System.nanoTime();
        Path keysFile = args.containsKey("keys-file") ? Path.of(args.get("keys-file")) : null;
        List<String> keys;
        if (keysFile != null && Files.exists(keysFile)) {
            keys = Files.readAllLines(keysFile).stream().filter(l -> !l.isBlank()).toList();
            System.out.printf(Locale.ROOT, "read %d API keys from %s (fleet provisioned earlier)%n", keys.size(), keysFile);
        } else {
            keys = provision(scanners);
            System.out.printf(Locale.ROOT, "provisioned and registered %d scanners in %.0f s%n", keys.size(), secondsSince(t));
            if (keysFile != null) {
                Files.write(keysFile, keys);
                Files.setPosixFilePermissions(keysFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            }
        }
        heartbeatRequests = new byte[keys.size()][];
        for (int i = 0; i < keys.size(); i++) {
            heartbeatRequests[i] = Connection.heartbeatRequest(host, port, keys.get(i));
        }
        awaitActive(keys, connections);

        warmUp(keys, connections);
        if (rateSeconds > 0) {
            Result fixed = fixedRate(keys, rateConnections, rate, rateSeconds);
            report("fixed rate " + rate + "/s over " + rateConnections + " connections", fixed);
        }
        if (maxSeconds > 0) {
            Result max = maxRate(keys, connections, maxSeconds);
            report("maximum rate over " + connections + " connections", max);
        }
        if (compareSeconds > 0 && compareRounds > 0) {
            sideBySide(keys, connections, compareSeconds, compareRounds);
        }
        if (args.containsKey("jfr-pid")) {
            profile(keys, connections, args.get("jfr-pid"), args.get("jfr-file"), intArg("jfr-seconds", 20));
        }

        if (steadyMinutes > 0) {
            steadyState(keys, interval, steadyMinutes);
        }
    }

    // ---- provisioning ----

    List<String> provision(int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        AtomicInteger failed = new AtomicInteger();
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = String.format(Locale.ROOT, "bench-%05d", i);
            fs.add(pool.submit(() -> {
                String body = "{\"apiVersion\":\"mipo.io/v1alpha1\",\"kind\":\"Scanner\",\"metadata\":{\"name\":\"" + name
                        + "\",\"namespace\":\"" + namespace + "\"},\"spec\":{}}";
                HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(api + "/apis/mipo.io/v1alpha1/namespaces/" + namespace + "/scanners"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
                if (r.statusCode() != 201 && r.statusCode() != 200 && r.statusCode() != 409) {
                    failed.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        System.out.printf(Locale.ROOT, "created %d Scanners (%d failed)%n", n, failed.get());

        List<String> tokens = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 20 * 60_000L;
        while (true) {
            String list = send(HttpRequest.newBuilder(URI.create(api + "/api/v1/namespaces/" + namespace
                    + "/secrets?labelSelector=mipo.io%2Fcomponent%3Dprovisioning")).GET().build()).body();
            tokens.clear();
            Matcher m = INSTALL_COMMAND.matcher(list);
            while (m.find()) {
                String command = new String(Base64.getDecoder().decode(m.group(1)), StandardCharsets.UTF_8);
                int at = command.indexOf("MIPO_TOKEN=");
                tokens.add(command.substring(at + 11, command.indexOf(' ', at)));
            }
            if (tokens.size() >= n || System.currentTimeMillis() > deadline) {
                break;
            }
            System.out.printf(Locale.ROOT, "  %d of %d tokens issued so far%n", tokens.size(), n);
            Thread.sleep(5_000);
        }

        ConcurrentLinkedQueue<String> keys = new ConcurrentLinkedQueue<>();
        // Agents heartbeat from the moment they register; without this, scanners registered early
        // would go Offline while a big fleet is still registering, and come back in a burst later.
        java.util.concurrent.atomic.AtomicBoolean registering = new java.util.concurrent.atomic.AtomicBoolean(true);
        List<Thread> keepAlive = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int stripe = t;
            Thread th = new Thread(() -> keepAlive(keys, stripe, 4, registering), "keep-alive-" + t);
            th.setDaemon(true);
            th.start();
            keepAlive.add(th);
        }
        fs.clear();
        for (String token : tokens) {
            fs.add(pool.submit(() -> {
                String body = "{\"token\":\"" + token + "\",\"hostname\":\"bench-host\",\"version\":\"1.0.0\",\"os\":\"linux\",\"arch\":\"amd64\",\"internalIp\":\"10.0.0.1\"}";
                HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url + "/scanner/register"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
                Matcher m = API_KEY.matcher(r.body());
                if (r.statusCode() == 200 && m.find()) {
                    keys.add(m.group(1));
                } else {
                    failed.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        registering.set(false);
        for (Thread th : keepAlive) {
            th.join();
        }
        return new ArrayList<>(keys);
    }

    /** Heartbeats every registered key of one stripe about every 20 s until {@code running} ends. */
    void keepAlive(java.util.Collection<String> keys, int stripe, int stripes, java.util.concurrent.atomic.AtomicBoolean running) {
        try (Connection cx = new Connection(host, port)) {
            while (running.get()) {
                long passStart = System.nanoTime();
                int i = 0;
                for (String key : List.copyOf(keys)) {
                    if (!running.get()) {
                        return;
                    }
                    if (i++ % stripes == stripe) {
                        cx.heartbeat(key);
                    }
                }
                long sleepUntil = passStart + 20_000_000_000L;
                while (running.get() && System.nanoTime() < sleepUntil) {
                    Thread.sleep(200);
                }
            }
        } catch (Exception e) {
            System.out.println("keep-alive heartbeats stopped: " + e);
        }
    }

    /**
     * Waits until every scanner shows Active. Scanners registered early have been silent while the
     * rest registered (longer than offline-after for a big fleet), so heartbeats keep going meanwhile.
     */
    void awaitActive(List<String> keys, int connections) throws Exception {
        int n = keys.size();
        long deadline = System.currentTimeMillis() + 10 * 60_000L;
        Map<String, Double> phases = Map.of();
        while (System.currentTimeMillis() < deadline) {
            maxRate(keys, connections, 2);
            phases = phases();
            if (phases.getOrDefault("Active", 0.0) >= n) {
                break;
            }
            Thread.sleep(2_000);
        }
        System.out.printf(Locale.ROOT, "scanners by phase: %s%n", phases);
    }

    // ---- load ----

    record Result(long requests, long errors, double seconds, long[] latenciesMicros, long[] perSecond, long[] slowPerSecond) {
    }

    private void warmUp(List<String> keys, int connections) throws Exception {
        maxRate(keys, connections, intArg("warmup-seconds", 10));
    }

    /**
     * The heartbeat against the cheapest call the framework serves, {@code GET /q/health/live}: the
     * same client, connections and duration, in alternating rounds (live first in odd rounds,
     * heartbeat first in even ones) so that a change in the machine's load hits both alike.
     */
    private void sideBySide(List<String> keys, int connections, int seconds, int rounds) throws Exception {
        byte[] live = ("GET /q/health/live HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        System.out.printf(Locale.ROOT, "side by side: %d rounds of %d s per call at maximum rate over %d connections%n",
                rounds, seconds, connections);
        drive(connections, 3, 0, k -> live); // warm the health check's path too
        long liveRequests = 0;
        double liveSeconds = 0;
        long heartbeatRequests = 0;
        double heartbeatSeconds = 0;
        double liveCpu = 0;
        double heartbeatCpu = 0;
        double livePathCpu = 0;
        double heartbeatPathCpu = 0;
        List<long[]> liveLatencies = new ArrayList<>();
        List<long[]> heartbeatLatencies = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            double[] rate = new double[2];
            for (int turn = 0; turn < 2; turn++) {
                boolean liveTurn = (turn == 0) == (round % 2 == 1);
                double cpu0 = operatorCpuSeconds(false);
                double path0 = operatorCpuSeconds(true);
                Result r = liveTurn ? drive(connections, seconds, 0, k -> live) : maxRate(keys, connections, seconds);
                double cpu = operatorCpuSeconds(false) - cpu0;
                double path = operatorCpuSeconds(true) - path0;
                report(String.format(Locale.ROOT, "  round %d %s", round, liveTurn ? "GET /q/health/live" : "POST /scanner/heartbeat"), r);
                if (cpu >= 0) {
                    System.out.printf(Locale.ROOT, "    operator CPU %.2f s = %.0f µs per request, of which HTTP threads %.2f s = %.0f µs per request%n",
                            cpu, 1e6 * cpu / Math.max(1, r.requests()), path, 1e6 * path / Math.max(1, r.requests()));
                }
                rate[liveTurn ? 0 : 1] = r.requests() / r.seconds();
                if (liveTurn) {
                    liveRequests += r.requests();
                    liveSeconds += r.seconds();
                    liveCpu += cpu;
                    livePathCpu += path;
                    liveLatencies.add(r.latenciesMicros());
                } else {
                    heartbeatRequests += r.requests();
                    heartbeatSeconds += r.seconds();
                    heartbeatCpu += cpu;
                    heartbeatPathCpu += path;
                    heartbeatLatencies.add(r.latenciesMicros());
                }
            }
            ratios.add(rate[1] / rate[0]);
        }
        long[] l = merge(liveLatencies);
        long[] h = merge(heartbeatLatencies);
        double liveRate = liveRequests / liveSeconds;
        double heartbeatRate = heartbeatRequests / heartbeatSeconds;
        List<Double> sorted = ratios.stream().sorted().toList();
        System.out.printf(Locale.ROOT, "side by side over %d connections: GET /q/health/live %.0f/s (p99 %.2f ms), "
                        + "POST /scanner/heartbeat %.0f/s (p99 %.2f ms): heartbeat at %.1f %% of liveness "
                        + "(per round: %s; median %.1f %%)%n",
                connections, liveRate, percentile(l, 0.99) / 1000.0, heartbeatRate, percentile(h, 0.99) / 1000.0,
                100.0 * heartbeatRate / liveRate,
                String.join(" ", ratios.stream().map(x -> String.format(Locale.ROOT, "%.0f%%", 100 * x)).toList()),
                100 * sorted.get(sorted.size() / 2));
        if (liveCpu > 0 && heartbeatCpu > 0) {
            System.out.printf(Locale.ROOT, "operator CPU per request, all threads: GET /q/health/live %.0f µs, POST /scanner/heartbeat %.0f µs "
                            + "(liveness costs %.1f %% of a heartbeat)%n",
                    1e6 * liveCpu / liveRequests, 1e6 * heartbeatCpu / heartbeatRequests,
                    100.0 * (liveCpu / liveRequests) / (heartbeatCpu / heartbeatRequests));
        }
        if (livePathCpu > 0 && heartbeatPathCpu > 0) {
            System.out.printf(Locale.ROOT, "operator CPU per request, HTTP threads (event loops, workers): GET /q/health/live %.1f µs, "
                            + "POST /scanner/heartbeat %.1f µs (liveness costs %.1f %% of a heartbeat)%n",
                    1e6 * livePathCpu / liveRequests, 1e6 * heartbeatPathCpu / heartbeatRequests,
                    100.0 * (livePathCpu / liveRequests) / (heartbeatPathCpu / heartbeatRequests));
        }
    }

    /**
     * The operator's user + system CPU time from /proc (needs --operator-pid); -1 when unknown. With
     * {@code httpThreads}, only the threads that serve requests (Vert.x event loops and workers,
     * Quarkus executor threads): the request path's own cost, without background work, and not
     * inflated by other processes on a busy machine the way throughput is.
     */
    private double operatorCpuSeconds(boolean httpThreads) {
        String pid = args.get("operator-pid");
        if (pid == null) {
            return -1;
        }
        try {
            if (!httpThreads) {
                return ticks(Path.of("/proc", pid, "stat")) / 100.0;
            }
            long sum = 0;
            try (var tasks = Files.list(Path.of("/proc", pid, "task"))) {
                for (Path t : tasks.toList()) {
                    String comm;
                    try {
                        comm = Files.readString(t.resolve("comm")).trim();
                    } catch (IOException gone) {
                        continue;
                    }
                    if (comm.startsWith("vert.x-eventloo") || comm.startsWith("vert.x-worker") || comm.startsWith("executor-thread")) {
                        try {
                            sum += ticks(t.resolve("stat"));
                        } catch (IOException gone) {
                            // the thread ended meanwhile
                        }
                    }
                }
            }
            return sum / 100.0;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** utime + stime (fields 14 and 15 of proc(5)) in clock ticks, 1/100 s on Linux. */
    private static long ticks(Path stat) throws IOException {
        String s = Files.readString(stat);
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** A flight recording (settings=profile) of the operator while heartbeats alone run at maximum rate. */
    private void profile(List<String> keys, int connections, String pid, String file, int seconds) throws Exception {
        jcmd(pid, "JFR.start", "name=heartbeats", "settings=profile");
        Result r = maxRate(keys, connections, seconds);
        jcmd(pid, "JFR.stop", "name=heartbeats", "filename=" + file);
        report("recorded (JFR) maximum rate over " + connections + " connections", r);
        System.out.println("flight recording of the heartbeats: " + file
                + " (jfr print --events jdk.ExecutionSample " + file + ")");
    }

    private static void jcmd(String pid, String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("jcmd", pid));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd " + String.join(" ", command) + " did not finish in 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException("jcmd " + String.join(" ", command) + " failed with exit code " + p.exitValue());
        }
    }

    private static long[] merge(List<long[]> parts) {
        long[] all = parts.stream().flatMapToLong(Arrays::stream).toArray();
        Arrays.sort(all);
        return all;
    }

    /** Each connection sends its share of the target rate on schedule; latency counts from when a request was due. */
    private Result fixedRate(List<String> keys, int connections, int rate, int seconds) throws Exception {
        long periodNanos = 1_000_000_000L * connections / rate;
        return drive(keys, connections, seconds, periodNanos);
    }

    private Result maxRate(List<String> keys, int connections, int seconds) throws Exception {
        return drive(keys, connections, seconds, 0);
    }

    private Result drive(List<String> keys, int connections, int seconds, long periodNanos) throws Exception {
        byte[][] requests = heartbeatRequests;
        return drive(connections, seconds, periodNanos, requests != null && requests.length == keys.size()
                ? k -> requests[k % requests.length]
                : k -> Connection.heartbeatRequest(host, port, keys.get(k % keys.size())));
    }

    /** Requests {@code request.apply(k)} for k = the connection's number, then every connections-th one. */
    private Result drive(int connections, int seconds, long periodNanos, java.util.function.IntFunction<byte[]> request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<long[]>> fs = new ArrayList<>();
        long[] errors = new long[connections];
        long[] t0Shared = {System.nanoTime()};
        long durationNanos = seconds * 1_000_000_000L;
        for (int c = 0; c < connections; c++) {
            int conn = c;
            fs.add(pool.submit(() -> {
                long[] lat = new long[1 << 16];
                int count = 0;
                try (Connection cx = new Connection(host, port)) {
                    start.await();
                    long begin = System.nanoTime();
                    long due = begin + (periodNanos == 0 ? 0 : (periodNanos * conn) / Math.max(1, connections));
                    int k = conn;
                    while (true) {
                        long now = System.nanoTime();
                        if (now - begin >= durationNanos) {
                            break;
                        }
                        if (periodNanos > 0 && now < due) {
                            // park, never spin: the load generator shares the 2 cores with the operator
                            LockSupport.parkNanos(due - now);
                            continue;
                        }
                        long sentAt = periodNanos > 0 ? due : now;
                        int status = cx.send(request.apply(k));
                        long done = System.nanoTime();
                        if (status != 200) {
                            errors[conn]++;
                        }
                        if (count == lat.length) {
                            lat = Arrays.copyOf(lat, lat.length * 2);
                        }
                        // packed: millisecond the request was due (high 32 bits), latency in microseconds (low 32)
                        lat[count++] = ((sentAt - t0Shared[0]) / 1_000_000L) << 32 | Math.min(0xFFFF_FFFFL, (done - sentAt) / 1_000);
                        k += connections;
                        due += periodNanos;
                    }
                }
                return Arrays.copyOf(lat, count);
            }));
        }
        long t0 = System.nanoTime();
        t0Shared[0] = t0;
        start.countDown();
        List<long[]> all = new ArrayList<>();
        for (Future<long[]> f : fs) {
            all.add(f.get());
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        int total = all.stream().mapToInt(a -> a.length).sum();
        long[] merged = new long[total];
        long[] slowPerSecond = new long[seconds + 2];
        long[] perSecond = new long[seconds + 2];
        int i = 0;
        for (long[] a : all) {
            for (long packed : a) {
                long micros = packed & 0xFFFF_FFFFL;
                int second = (int) Math.min(seconds + 1, Math.max(0, (packed >>> 32) / 1000));
                perSecond[second]++;
                if (micros > 50_000) {
                    slowPerSecond[second]++;
                }
                merged[i++] = micros;
            }
        }
        Arrays.sort(merged);
        return new Result(total, Arrays.stream(errors).sum(), Math.min(secs, seconds), merged, perSecond, slowPerSecond);
    }

    /** The seconds in which more than 1 % of the heartbeats took over 50 ms: where a p99 breach comes from. */
    private static String slowSeconds(Result r) {
        StringBuilder b = new StringBuilder();
        for (int s = 0; s < r.perSecond().length; s++) {
            if (r.perSecond()[s] > 0 && r.slowPerSecond()[s] * 100 > r.perSecond()[s]) {
                b.append(String.format(Locale.ROOT, " s%d:%d/%d", s, r.slowPerSecond()[s], r.perSecond()[s]));
            }
        }
        return b.length() == 0 ? "none" : b.toString().trim();
    }

    private static void report(String what, Result r) {
        System.out.printf(Locale.ROOT, "%s: %d heartbeats in %.1f s = %.0f/s, errors %d, latency p50 %.2f ms, p99 %.2f ms, max %.1f ms%n",
                what, r.requests(), r.seconds(), r.requests() / r.seconds(), r.errors(),
                percentile(r.latenciesMicros(), 0.50) / 1000.0, percentile(r.latenciesMicros(), 0.99) / 1000.0,
                r.latenciesMicros().length == 0 ? 0 : r.latenciesMicros()[r.latenciesMicros().length - 1] / 1000.0);
        System.out.printf(Locale.ROOT, "  seconds with over 1 %% of heartbeats slower than 50 ms: %s%n", slowSeconds(r));
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    /**
     * Every scanner heartbeats once per interval, spread evenly over it, while the operator's API
     * writes are counted: one warm-up interval, then {@code minutes} measured.
     */
    private void steadyState(List<String> keys, int intervalSeconds, int minutes) throws Exception {
        int connections = 8;
        double rate = keys.size() / (double) intervalSeconds;
        long periodNanos = (long) (1e9 * connections / rate);
        System.out.printf(Locale.ROOT, "steady state: %d scanners every %d s (%.0f heartbeats/s), %d warm-up s + %d min measured%n",
                keys.size(), intervalSeconds, rate, intervalSeconds * 2, minutes);
        int totalSeconds = intervalSeconds * 2 + minutes * 60;
        Thread load = new Thread(() -> {
            try {
                Result r = drive(keys, connections, totalSeconds, periodNanos);
                report("steady-state load", r);
            } catch (Exception e) {
                e.printStackTrace();
            }
        });
        load.start();
        Thread.sleep(intervalSeconds * 2 * 1000L);
        Map<String, Double> before = writes();
        long t0 = System.nanoTime();
        Thread.sleep(minutes * 60_000L);
        Map<String, Double> after = writes();
        double mins = (System.nanoTime() - t0) / 60e9;
        load.join();
        Map<String, Double> perMinute = new TreeMap<>();
        double liveness = 0;
        double all = 0;
        for (Map.Entry<String, Double> e : after.entrySet()) {
            double d = (e.getValue() - before.getOrDefault(e.getKey(), 0.0)) / mins;
            if (d > 0) {
                perMinute.put(e.getKey(), d);
                all += d;
                if (e.getKey().contains("configmaps") || e.getKey().contains("scanners/status") || e.getKey().contains("events")) {
                    liveness += d;
                }
            }
        }
        System.out.printf(Locale.ROOT, "Kubernetes API writes per minute over %.1f min: total %.1f, liveness (ledgers, Scanner status, events) %.1f%n",
                mins, all, liveness);
        perMinute.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-40s %8.1f/min%n", k, v));
        System.out.printf(Locale.ROOT, "scanners by phase: %s%n", phases());
    }

    // ---- metrics ----

    Map<String, Double> writes() throws Exception {
        Map<String, Double> out = new TreeMap<>();
        for (String line : metrics().split("\n")) {
            Matcher m = WRITES.matcher(line);
            if (m.find()) {
                out.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
            }
        }
        return out;
    }

    private Map<String, Double> phases() throws Exception {
        Map<String, Double> out = new TreeMap<>();
        for (String line : metrics().split("\n")) {
            Matcher m = GAUGE.matcher(line);
            if (m.find()) {
                out.put(m.group(1), Double.parseDouble(m.group(2)));
            }
        }
        return out;
    }

    String metrics() throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url + "/q/metrics")).GET().build()).body();
    }

    /** Set-up calls, retried a few times: a busy embedded API server may drop a connection. */
    HttpResponse<String> send(HttpRequest r) throws IOException, InterruptedException {
        return sendRetrying(http, r);
    }

    /** A call retried up to five times on I/O errors, waiting longer each time (the benches' set-up calls). */
    static HttpResponse<String> sendRetrying(HttpClient http, HttpRequest r) throws IOException, InterruptedException {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                return http.send(r, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                last = e;
                Thread.sleep(1_000L * (attempt + 1));
            }
        }
        throw last;
    }

    private static double secondsSince(long t) {
        return (System.nanoTime() - t) / 1e9;
    }

    private static String apiServerOf(Path kubeconfig) throws IOException {
        for (String line : Files.readAllLines(kubeconfig)) {
            String l = line.trim();
            if (l.startsWith("server:")) {
                return l.substring("server:".length()).trim();
            }
        }
        throw new IOException("no server in " + kubeconfig);
    }

    /** One keep-alive HTTP/1.1 connection sending heartbeats. */
    static final class Connection implements AutoCloseable {
        private static final byte[] BODY = ("{\"version\":\"1.0.0\",\"hostname\":\"bench-host\",\"internalIp\":\"10.0.0.1\","
                + "\"capabilities\":[\"tcp-connect\",\"ipv4\",\"ipv6\",\"fractional-rate\",\"results-batch\"],"
                + "\"metrics\":{\"loadAvg1m\":0.5,\"loadAvg5m\":0.4,\"loadAvg15m\":0.3,\"memoryTotalBytes\":8000000000,"
                + "\"memoryAvailableBytes\":4000000000,\"networkRxBytes\":123456789,\"networkTxBytes\":98765432,\"numCpus\":4},"
                + "\"state\":\"idle\"}").getBytes(StandardCharsets.US_ASCII);
        private final String host;
        private final int port;
        private Socket socket;
        private OutputStream out;
        private InputStream in;

        Connection(String host, int port) throws IOException {
            this.host = host;
            this.port = port;
            open();
        }

        private void open() throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 5_000);
            socket.setSoTimeout(30_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 8192);
        }

        static byte[] heartbeatRequest(String host, int port, String key) {
            String head = "POST /scanner/heartbeat HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + BODY.length + "\r\n\r\n";
            byte[] h = head.getBytes(StandardCharsets.US_ASCII);
            byte[] req = Arrays.copyOf(h, h.length + BODY.length);
            System.arraycopy(BODY, 0, req, h.length, BODY.length);
            return req;
        }

        int heartbeat(String key) throws IOException {
            return send(heartbeatRequest(host, port, key));
        }

        /** Sends one complete HTTP/1.1 request and reads the answer; -1 (and a new connection) on an I/O error. */
        int send(byte[] req) throws IOException {
            try {
                out.write(req);
                out.flush();
                return readResponse();
            } catch (IOException e) {
                close();
                open();
                return -1;
            }
        }

        /** A GET on the same connection (bearer may be null); answers the status code, -1 when the connection broke. */
        int get(String pathAndQuery, String bearer) throws IOException {
            try {
                sendGet(pathAndQuery, bearer);
                return readResponse(null);
            } catch (IOException e) {
                close();
                open();
                return -1;
            }
        }

        /** A GET whose body is wanted (set-up and metrics calls). */
        String getBody(String pathAndQuery, String bearer) throws IOException {
            sendGet(pathAndQuery, bearer);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            readResponse(body);
            return body.toString(StandardCharsets.UTF_8);
        }

        private void sendGet(String pathAndQuery, String bearer) throws IOException {
            String head = "GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + ":" + port
                    + (bearer == null ? "" : "\r\nAuthorization: Bearer " + bearer) + "\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        private int readResponse() throws IOException {
            return readResponse(null);
        }

        private int readResponse(ByteArrayOutputStream body) throws IOException {
            String status = line();
            int code = Integer.parseInt(status.split(" ")[1]);
            int length = -1;
            boolean chunked = false;
            String l;
            while (!(l = line()).isEmpty()) {
                String lower = l.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Integer.parseInt(l.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
            }
            if (chunked) {
                while (true) {
                    int size = Integer.parseInt(line().trim(), 16);
                    skip(size, body);
                    line();
                    if (size == 0) {
                        break;
                    }
                }
            } else if (length > 0) {
                skip(length, body);
            }
            return code;
        }

        private void skip(int n, ByteArrayOutputStream sink) throws IOException {
            if (sink != null) {
                sink.write(in.readNBytes(n));
                return;
            }
            int left = n;
            while (left > 0) {
                long s = in.skip(left);
                if (s <= 0) {
                    if (in.read() < 0) {
                        throw new IOException("closed");
                    }
                    s = 1;
                }
                left -= (int) s;
            }
        }

        private String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream(64);
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    break;
                }
                if (c != '\r') {
                    b.write(c);
                }
            }
            if (c < 0 && b.size() == 0) {
                throw new IOException("closed");
            }
            return b.toString(StandardCharsets.US_ASCII);
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
