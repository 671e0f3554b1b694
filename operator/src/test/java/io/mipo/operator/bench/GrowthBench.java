package io.mipo.operator.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One row of the growth curve (docs/benchmarks.md, "Growth curve"): an operator in standalone mode
 * with a fleet already in place (bench/growth.sh seeds it with {@link FleetSeed}) is measured for
 * <ol>
 * <li>start-up: until the facade lists the whole fleet, and until every scanner shows Active once
 *     its agent heartbeats (every {@code --interval} seconds, paced over the fleet);</li>
 * <li>heartbeat throughput side by side with {@code GET /q/health/live}: the same client, the same
 *     connections and the same duration, health, heartbeats, health again;</li>
 * <li>heartbeats at a fixed rate (latency counted from when a request was due);</li>
 * <li>facade list latency with 8 concurrent clients while the fleet heartbeats;</li>
 * <li>Kubernetes API writes per minute and RSS in steady state.</li>
 * </ol>
 * Everything runs on the same machine as the operator; the report says so.
 */
public final class GrowthBench {
    private static final Pattern TOTAL = Pattern.compile("\"total\"\\s*:\\s*(\\d+)");
    private static final Pattern WRITES = Pattern.compile("^mipo_kubernetes_writes_total\\{[^}]*\\}\\s+([0-9.eE+-]+)", Pattern.MULTILINE);
    /** Each write counter with its labels (resource, verb), for the steady state's breakdown. */
    private static final Pattern WRITES_BY = Pattern.compile("^mipo_kubernetes_writes_total(\\{[^}]*\\})\\s+([0-9.eE+-]+)", Pattern.MULTILINE);
    private static final Pattern ACTIVE = Pattern.compile("^mipo_scanners\\{phase=\"Active\"[^}]*\\}\\s+([0-9.eE+-]+)", Pattern.MULTILINE);
    private static final Pattern TRANSITIONS = Pattern.compile("^mipo_liveness_transitions_written_total\\{[^}]*\\}\\s+([0-9.eE+-]+)", Pattern.MULTILINE);
    private static final Pattern PENDING = Pattern.compile("^mipo_liveness_transitions_pending\\{[^}]*\\}\\s+([0-9.eE+-]+)", Pattern.MULTILINE);
    private static final int STRIPES = 4;
    private static final String[] LIST_QUERIES = {
            "/api/config/scanners?page=1&pageSize=50&sort=name",
            "/api/config/scanners?page=20&pageSize=50&sort=name&order=desc",
            "/api/config/scanners?status=Active&sort=lastHeartbeatAt&page=1&pageSize=50",
            "/api/config/scanners?q=rack-17&sort=name&page=1&pageSize=50",
    };

    private final String host;
    private final int port;
    private final List<String> keys;
    private final String adminToken;
    private final long pid;
    private final Map<String, String> args;
    /** Where each keep-alive stripe goes on when restarted: so that no scanner waits longer than one round. */
    private final int[] keepAliveNext = new int[STRIPES];

    private GrowthBench(Map<String, String> args) throws IOException {
        this.args = args;
        URI url = URI.create(args.get("url"));
        this.host = url.getHost();
        this.port = url.getPort();
        this.keys = Files.readAllLines(Path.of(args.get("keys")), StandardCharsets.US_ASCII);
        this.adminToken = Files.readString(Path.of(args.get("admin-token"))).trim();
        this.pid = Long.parseLong(args.get("pid"));
        for (int s = 0; s < STRIPES; s++) {
            keepAliveNext[s] = s;
        }
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        new GrowthBench(args).run();
    }

    private int intArg(String name, int dflt) {
        return Integer.parseInt(args.getOrDefault(name, String.valueOf(dflt)));
    }

    private void run() throws Exception {
        int n = keys.size();
        int interval = intArg("interval", 30);
        int seconds = intArg("seconds", 15);
        int connections = intArg("connections", 32);
        int rate = intArg("rate", 5_000);
        int steadyMinutes = intArg("steady-minutes", 3);
        long started = System.nanoTime();
        System.out.printf(Locale.ROOT, "growth row: %d scanners, operator pid %d at %s:%d (the load generator shares the machine)%n",
                n, pid, host, port);

        int listed = 0;
        while (listed < n && secondsSince(started) < 3_600) {
            listed = facadeTotal();
            if (listed < n) {
                Thread.sleep(2_000);
            }
        }
        System.out.printf(Locale.ROOT, "facade lists %d scanners %.0f s after the bench started; RSS %d MB%n",
                listed, secondsSince(started), rssMb());

        AtomicBoolean keepAlive = new AtomicBoolean(true);
        List<Thread> pacers = startKeepAlive(interval, keepAlive);
        long t = System.nanoTime();
        double active = 0;
        while (active < n && secondsSince(t) < 1_800) {
            Thread.sleep(2_000);
            active = gauge(ACTIVE);
        }
        System.out.printf(Locale.ROOT, "all %d Active %.0f s after the agents began to heartbeat (every %d s); RSS %d MB%n",
                (long) active, secondsSince(t), interval, rssMb());
        stop(keepAlive, pacers);

        // Both calls get a warm-up round, so that neither measured round pays for JIT compilation.
        drive("warm-up heartbeats", connections, seconds, 0, Call.HEARTBEAT);
        drive("warm-up GET /q/health/live", connections, seconds, 0, Call.LIVE);
        Result live1 = drive("GET /q/health/live", connections, seconds, 0, Call.LIVE);
        Result beats = drive("POST /scanner/heartbeat", connections, seconds, 0, Call.HEARTBEAT);
        Result live2 = drive("GET /q/health/live again", connections, seconds, 0, Call.LIVE);
        double liveRate = (live1.perSecond() + live2.perSecond()) / 2;
        System.out.printf(Locale.ROOT, "heartbeats at %.1f %% of /q/health/live (%.0f/s against %.0f/s, %d connections)%n",
                100 * beats.perSecond() / liveRate, beats.perSecond(), liveRate, connections);
        drive("heartbeats at " + rate + "/s", connections, seconds, 1_000_000_000L * connections / rate, Call.HEARTBEAT);

        keepAlive = new AtomicBoolean(true);
        pacers = startKeepAlive(interval, keepAlive);
        // The drives above heartbeat only part of a large fleet, so some scanners may have gone Offline
        // meanwhile: lists and the steady state are measured after one full round of keep-alive heartbeats
        // (every scanner heard from since), once all are Active again with no phase change pending.
        long settle = System.nanoTime();
        Thread.sleep((interval + 5) * 1_000L);
        while (secondsSince(settle) < 900 && (gauge(ACTIVE) < n || gauge(PENDING) > 0)) {
            Thread.sleep(2_000);
        }
        System.out.printf(Locale.ROOT, "settled %.0f s after the keep-alive heartbeats resumed: %.0f Active, %.0f phase changes pending%n",
                secondsSince(settle), gauge(ACTIVE), gauge(PENDING));
        drive("facade lists, 8 clients, fleet heartbeating", 8, seconds, 0, Call.LIST);

        double t0 = gauge(TRANSITIONS);
        long w0 = (long) gauge(WRITES);
        java.util.Map<String, Double> by0 = byLabels(WRITES_BY);
        long s0 = System.nanoTime();
        long rssMax = 0;
        double leastActive = n;
        while (secondsSince(s0) < steadyMinutes * 60.0) {
            Thread.sleep(5_000);
            rssMax = Math.max(rssMax, rssMb());
            leastActive = Math.min(leastActive, gauge(ACTIVE));
        }
        double minutes = secondsSince(s0) / 60;
        System.out.printf(Locale.ROOT, "steady state over %.1f min: %.1f Kubernetes API writes/min, %.0f Active (at least %.0f "
                        + "throughout), RSS max %d MB; %.0f phase changes written%n", minutes, (gauge(WRITES) - w0) / minutes, gauge(ACTIVE),
                leastActive, rssMax, gauge(TRANSITIONS) - t0);
        for (java.util.Map.Entry<String, Double> e : byLabels(WRITES_BY).entrySet()) {
            double d = e.getValue() - by0.getOrDefault(e.getKey(), 0.0);
            if (d > 0) {
                System.out.printf(Locale.ROOT, "  writes/min %s: %.1f%n", e.getKey(), d / minutes);
            }
        }
        stop(keepAlive, pacers);
    }

    enum Call { HEARTBEAT, LIVE, LIST }

    record Result(long requests, long errors, double seconds, long[] micros) {
        double perSecond() {
            return requests / seconds;
        }
    }

    /** Closed loop when {@code periodNanos} is 0, else each connection sends on schedule (latency from when due). */
    private Result drive(String what, int connections, int seconds, long periodNanos, Call call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        CountDownLatch go = new CountDownLatch(1);
        long[] errors = new long[connections];
        List<Future<long[]>> fs = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int conn = c;
            fs.add(pool.submit(() -> {
                long[] lat = new long[1 << 14];
                int count = 0;
                try (HeartbeatBench.Connection cx = new HeartbeatBench.Connection(host, port)) {
                    go.await();
                    long begin = System.nanoTime();
                    long due = begin + (periodNanos == 0 ? 0 : periodNanos * conn / connections);
                    int k = conn;
                    while (System.nanoTime() - begin < seconds * 1_000_000_000L) {
                        long now = System.nanoTime();
                        if (periodNanos > 0 && now < due) {
                            LockSupport.parkNanos(due - now);
                            continue;
                        }
                        long sentAt = periodNanos > 0 ? due : now;
                        int status = switch (call) {
                            case HEARTBEAT -> cx.heartbeat(keys.get(k % keys.size()));
                            case LIVE -> cx.get("/q/health/live", null);
                            case LIST -> cx.get(LIST_QUERIES[k % LIST_QUERIES.length], adminToken);
                        };
                        if (status != 200) {
                            errors[conn]++;
                        }
                        if (count == lat.length) {
                            lat = Arrays.copyOf(lat, count * 2);
                        }
                        lat[count++] = (System.nanoTime() - sentAt) / 1_000;
                        k += connections;
                        due += periodNanos;
                    }
                }
                return Arrays.copyOf(lat, count);
            }));
        }
        long t0 = System.nanoTime();
        go.countDown();
        List<long[]> all = new ArrayList<>();
        for (Future<long[]> f : fs) {
            all.add(f.get());
        }
        double secs = secondsSince(t0);
        pool.shutdown();
        long[] merged = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        Result r = new Result(merged.length, Arrays.stream(errors).sum(), secs, merged);
        System.out.printf(Locale.ROOT, "%-45s %8.0f/s  p50 %6.2f ms  p99 %7.2f ms  max %8.2f ms  errors %d  (%d requests, %d connections)%n",
                what, r.perSecond(), pct(merged, 0.50), pct(merged, 0.99), merged.length == 0 ? 0 : merged[merged.length - 1] / 1000.0,
                r.errors(), r.requests(), connections);
        return r;
    }

    /** Heartbeats every key once per interval, spread evenly, over four connections. */
    private List<Thread> startKeepAlive(int intervalSeconds, AtomicBoolean running) {
        List<Thread> out = new ArrayList<>();
        int stripes = STRIPES;
        for (int s = 0; s < stripes; s++) {
            int stripe = s;
            Thread th = new Thread(() -> {
                try (HeartbeatBench.Connection cx = new HeartbeatBench.Connection(host, port)) {
                    long gap = intervalSeconds * 1_000_000_000L * stripes / Math.max(1, keys.size());
                    long due = System.nanoTime();
                    int i = keepAliveNext[stripe];
                    while (running.get()) {
                        long now = System.nanoTime();
                        if (now < due) {
                            LockSupport.parkNanos(Math.min(due - now, 200_000_000L));
                            continue;
                        }
                        cx.heartbeat(keys.get(i));
                        i += stripes;
                        if (i >= keys.size()) {
                            i = stripe;
                        }
                        due += gap;
                        keepAliveNext[stripe] = i;
                    }
                } catch (IOException e) {
                    System.out.println("keep-alive heartbeats stopped: " + e);
                }
            }, "keep-alive-" + s);
            th.setDaemon(true);
            th.start();
            out.add(th);
        }
        return out;
    }

    private static void stop(AtomicBoolean running, List<Thread> threads) throws InterruptedException {
        running.set(false);
        for (Thread th : threads) {
            th.join(10_000);
        }
    }

    private int facadeTotal() {
        try (HeartbeatBench.Connection cx = new HeartbeatBench.Connection(host, port)) {
            Matcher m = TOTAL.matcher(cx.getBody("/api/config/scanners?page=1&pageSize=1", adminToken));
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** Every series of a counter, by its labels. */
    private java.util.Map<String, Double> byLabels(Pattern p) {
        java.util.Map<String, Double> out = new java.util.TreeMap<>();
        try (HeartbeatBench.Connection cx = new HeartbeatBench.Connection(host, port)) {
            Matcher m = p.matcher(cx.getBody("/q/metrics", null));
            while (m.find()) {
                out.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
            }
        } catch (IOException e) {
            // an empty breakdown: the total above still stands
        }
        return out;
    }

    private double gauge(Pattern p) {
        try (HeartbeatBench.Connection cx = new HeartbeatBench.Connection(host, port)) {
            Matcher m = p.matcher(cx.getBody("/q/metrics", null));
            double sum = 0;
            while (m.find()) {
                sum += Double.parseDouble(m.group(1));
            }
            return sum;
        } catch (IOException e) {
            return 0;
        }
    }

    private long rssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))] / 1000.0;
    }

    private static double secondsSince(long t) {
        return (System.nanoTime() - t) / 1e9;
    }
}
