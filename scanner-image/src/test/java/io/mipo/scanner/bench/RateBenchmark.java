package io.mipo.scanner.bench;

import io.mipo.scanner.scan.ConnectScanner;
import io.mipo.scanner.scan.Finding;
import io.mipo.scanner.scan.ProbePacer;
import io.mipo.scanner.scan.ProbeStream;
import io.mipo.scanner.scan.RateWindows;
import io.mipo.scanner.util.Clock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark (not a test): the real scan engine against a listener on 127.0.0.1 — the only
 * address it ever connects to — at fixed rates, then with the limiter off.
 *
 * <p>For each rate it records every probe's launch time and reports the achieved rate and
 * the worst deviation of any 1-second and any 10-second sliding window from the target.
 *
 * <pre>
 * mvn -q -o -pl scanner-image test-compile
 * java -cp scanner-image/target/classes:scanner-image/target/test-classes \
 *     io.mipo.scanner.bench.RateBenchmark [--seconds 12] [--raw-seconds 5] [--rates 10,100,1000,10000]
 * </pre>
 */
public final class RateBenchmark {
    private RateBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = 12;
        double rawSeconds = 5;
        double[] rates = {10, 100, 1000, 10000};
        int maxInFlight = 512;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--seconds": seconds = Double.parseDouble(args[i + 1]); break;
                case "--raw-seconds": rawSeconds = Double.parseDouble(args[i + 1]); break;
                case "--max-in-flight": maxInFlight = Integer.parseInt(args[i + 1]); break;
                case "--rates":
                    rates = Arrays.stream(args[i + 1].split(",")).mapToDouble(Double::parseDouble).toArray();
                    break;
                default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        try (Listener listener = new Listener()) {
            System.out.printf(Locale.ROOT, "# mipo scanner rate benchmark: %s cores, JDK %s, load %s, listener 127.0.0.1:%d%n",
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), loadAvg(),
                    listener.port());
            System.out.printf(Locale.ROOT, "# %.0f s per rate, max %d connects in flight, probe timeout 2 s%n%n",
                    seconds, maxInFlight);
            simulated();
            System.out.println("Real engine, probes to the loopback listener:");
            System.out.println();
            System.out.println("| target probes/s | probes | achieved probes/s | worst 1 s window | worst 10 s window"
                    + " | open | not open | scan thread CPU µs/probe | process CPU % of one core |");
            System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            for (double rate : rates) {
                Result r = run(listener, rate, seconds, maxInFlight);
                System.out.printf(Locale.ROOT, "| %,.0f | %,d | %,.1f | %s | %s | %,d | %,d | %.1f | %.0f %% |%n", rate,
                        r.probes, r.achieved, pct(r.worst1s), pct(r.worst10s), r.open, r.notOpen, r.threadCpuMicrosPerProbe,
                        r.processCpuShare * 100);
            }
            Result raw = run(listener, 0, rawSeconds, maxInFlight);
            System.out.printf(Locale.ROOT, "%nlimiter off (0 = unlimited), %.0f s: %,d probes, %,.0f connects/s, %,d open,"
                    + " %,d not open; scan thread %.1f CPU µs/probe, process %.0f %% of one core%n",
                    rawSeconds, raw.probes, raw.achieved, raw.open, raw.notOpen, raw.threadCpuMicrosPerProbe,
                    raw.processCpuShare * 100);
            System.out.printf(Locale.ROOT, "listener accepted %,d connections; load now %s%n", listener.accepted.get(), loadAvg());
        }
    }

    /**
     * The limiter alone, on simulated time (no load dependence): 60 s with a caller that
     * wakes on a 1 ms tick and is late by up to 3 ms one time in ten, like a busy selector loop.
     */
    private static void simulated() {
        System.out.println("ProbePacer alone, simulated 60 s, caller on a 1 ms tick, 10 % of wake-ups up to 3 ms late:");
        System.out.println();
        System.out.println("| target probes/s | probes | worst 1 s window | worst 10 s window | 10 s window counts (min–max) |");
        System.out.println("|---:|---:|---:|---:|---:|");
        for (double rate : new double[] {0.5, 1, 10, 100, 1000, 10000}) {
            ProbePacer pacer = new ProbePacer(rate);
            java.util.Random random = new java.util.Random(7);
            long end = 60_000_000_000L;
            long[] times = new long[(int) (rate * 61) + 16];
            int n = 0;
            long now = 0;
            while (now <= end) {
                while (pacer.tryAcquire(now)) {
                    times[n++] = now;
                }
                long wait = Math.max(1_000_000, pacer.nanosUntilNext(now));
                now += (wait + 999_999) / 1_000_000 * 1_000_000 + (random.nextInt(10) == 0 ? random.nextInt(3_000_000) : 0);
            }
            long[] t = Arrays.copyOf(times, n);
            long[] mm = RateWindows.minMaxCount(t, 10_000_000_000L);
            System.out.printf(Locale.ROOT, "| %s | %,d | %s | %s | %d–%d (target %s) |%n", fmt(rate), n,
                    pct(RateWindows.worstDeviation(t, rate, 1_000_000_000L)),
                    pct(RateWindows.worstDeviation(t, rate, 10_000_000_000L)), mm[0], mm[1], fmt(rate * 10));
        }
        System.out.println();
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.format(Locale.ROOT, "%,.0f", d) : String.valueOf(d);
    }

    private static String pct(double d) {
        return Double.isNaN(d) ? "n/a" : String.format(Locale.ROOT, "%.2f %%", d * 100);
    }

    private static final class Result {
        long probes;
        double achieved;
        double worst1s;
        double worst10s;
        long open;
        long notOpen;
        /** CPU (user + system) of the scanning thread per probe: what a probe costs, whatever the machine's load. */
        double threadCpuMicrosPerProbe;
        /** CPU of the whole process (scanner and the listener it talks to) over wall time. */
        double processCpuShare;
    }

    private static Result run(Listener listener, double rate, double seconds, int maxInFlight) throws IOException {
        long[] times = new long[(int) Math.max(1024, (rate > 0 ? rate : 200_000) * (seconds + 1))];
        int[] n = {0};
        long[] open = {0};
        long[] other = {0};
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.port());
        Iterator<InetSocketAddress> endless = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public InetSocketAddress next() {
                return target;
            }
        };
        ConnectScanner scanner = new ConnectScanner(new ConnectScanner.Settings(maxInFlight, Duration.ofSeconds(2)),
                Clock.SYSTEM);
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long proc0 = os.getProcessCpuTime();
        long wall0 = System.nanoTime();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        scanner.scan(List.of(new ProbeStream("bench", endless, new ProbePacer(rate))), new ConnectScanner.Listener() {
            @Override
            public void finding(Finding f) {
                if (f.state() == io.mipo.scanner.scan.ProbeState.OPEN) {
                    open[0]++;
                } else {
                    other[0]++;
                    if (other[0] <= 3) {
                        System.err.println("not open: " + f);
                    }
                }
            }

            @Override
            public void probeStarted(long nanoTime) {
                if (n[0] < times.length) {
                    times[n[0]++] = nanoTime;
                }
            }
        }, () -> System.nanoTime() > deadline);
        long[] t = Arrays.copyOf(times, n[0]);
        Result r = new Result();
        r.threadCpuMicrosPerProbe = (threads.getCurrentThreadCpuTime() - cpu0) / 1e3 / Math.max(1, t.length);
        r.processCpuShare = (os.getProcessCpuTime() - proc0) / (double) (System.nanoTime() - wall0);
        r.probes = t.length;
        r.open = open[0];
        r.notOpen = other[0];
        r.achieved = t.length > 1 ? (t.length - 1) / ((t[t.length - 1] - t[0]) / 1e9) : 0;
        if (rate > 0) {
            r.worst1s = RateWindows.worstDeviation(t, rate, 1_000_000_000L);
            r.worst10s = seconds >= 10 ? RateWindows.worstDeviation(t, rate, 10_000_000_000L) : Double.NaN;
        }
        return r;
    }

    private static String loadAvg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    /** Accepts and closes connections on 127.0.0.1, on its own thread. */
    private static final class Listener implements AutoCloseable {
        final ServerSocketChannel server;
        final AtomicLong accepted = new AtomicLong();
        final Thread thread;

        Listener() throws IOException {
            server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
            thread = new Thread(() -> {
                while (server.isOpen()) {
                    try (SocketChannel c = server.accept()) {
                        accepted.incrementAndGet();
                    } catch (IOException e) {
                        if (!server.isOpen()) {
                            return;
                        }
                    }
                }
            }, "bench-listener");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.socket().getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
