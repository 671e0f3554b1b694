package io.mipo.operator.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fleet-wide outage and its recovery, end to end (docs/benchmarks.md, "Fleet-wide outage and
 * recovery"; run by bench/outage.sh against an operator in standalone mode): provisions and registers
 * SCANNERS scanners with {@link HeartbeatBench}, keeps them heartbeating until the leader shows them
 * all Active, stops every heartbeat (an ingress outage) until the leader shows them all Offline, then
 * resumes them all until all are Active again. Every 5 s it prints the phases the leader decided
 * ({@code mipo_scanners}), the backlog ({@code mipo_liveness_transitions_pending}) and the
 * {@code scanners/status} and {@code events} writes per second; at the end, the time until status
 * agreed with reality and the peak write rates of each half.
 */
public final class OutageBench {
    private static final Pattern PENDING = Pattern.compile("^mipo_liveness_transitions_pending\\{[^}]*to=\"(\\w+)\"[^}]*\\}\\s+([0-9.eE+-]+)");
    private static final Pattern PHASE = Pattern.compile("^mipo_scanners\\{phase=\"(\\w+)\"[^}]*\\}\\s+([0-9.eE+-]+)");
    private static final Pattern OUTAGE = Pattern.compile("^mipo_liveness_outage(\\{[^}]*\\})?\\s+([0-9.eE+-]+)");

    private OutageBench() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        HeartbeatBench bench = new HeartbeatBench(args);
        int scanners = Integer.parseInt(args.getOrDefault("scanners", "10000"));
        int maxMinutes = Integer.parseInt(args.getOrDefault("max-minutes", "40"));
        long t = System.nanoTime();
        List<String> keys = bench.provision(scanners);
        System.out.printf(Locale.ROOT, "provisioned and registered %d scanners in %.0f s%n", keys.size(), (System.nanoTime() - t) / 1e9);
        bench.awaitActive(keys, 32);
        int n = keys.size();

        System.out.println("outage: every heartbeat stops");
        Phase down = watch(bench, "Offline", n, maxMinutes);
        System.out.println("recovery: every scanner heartbeats again (each about every 20 s)");
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            int stripe = s;
            Thread th = new Thread(() -> bench.keepAlive(keys, stripe, 4, running), "heartbeats-" + s);
            th.setDaemon(true);
            th.start();
            threads.add(th);
        }
        Phase up = watch(bench, "Active", n, maxMinutes);
        running.set(false);
        for (Thread th : threads) {
            th.join();
        }
        System.out.printf(Locale.ROOT, "%n%d scanners | all Offline after | peak status writes/s | status writes | events writes | "
                + "all Active again after | peak status writes/s | status writes | events writes%n", n);
        System.out.printf(Locale.ROOT, "%d | %s | %.0f | %.0f | %.0f | %s | %.0f | %.0f | %.0f%n", n, down.describe(), down.peakStatusPerSecond,
                down.statusWrites, down.eventWrites, up.describe(), up.peakStatusPerSecond, up.statusWrites, up.eventWrites);
    }

    /** What one half (outage or recovery) cost. */
    static final class Phase {
        double seconds = -1;
        double peakStatusPerSecond;
        double statusWrites;
        double eventWrites;

        String describe() {
            return seconds < 0 ? "not within the time limit" : String.format(Locale.ROOT, "%.0f s", seconds);
        }
    }

    /** Polls the metrics every 5 s until the leader shows {@code n} scanners in {@code phase}. */
    private static Phase watch(HeartbeatBench bench, String phase, int n, int maxMinutes) throws Exception {
        Phase out = new Phase();
        long start = System.nanoTime();
        double[] before = writes(bench);
        double[] last = before;
        long lastAt = start;
        while ((System.nanoTime() - start) / 60e9 < maxMinutes) {
            Thread.sleep(5_000);
            String metrics = bench.metrics();
            double[] now = writes(bench);
            long at = System.nanoTime();
            double perSecond = (now[0] - last[0]) / ((at - lastAt) / 1e9);
            out.peakStatusPerSecond = Math.max(out.peakStatusPerSecond, perSecond);
            Map<String, Double> phases = match(metrics, PHASE);
            Map<String, Double> pending = match(metrics, PENDING);
            Map<String, Double> outage = match(metrics, OUTAGE);
            System.out.printf(Locale.ROOT, "  %5.0f s  phases %s  pending %s  outage %s  status writes/s %.1f  events writes/s %.1f%n",
                    (at - start) / 1e9, phases, pending, outage.values(), perSecond, (now[1] - last[1]) / ((at - lastAt) / 1e9));
            last = now;
            lastAt = at;
            if (phases.getOrDefault(phase, 0.0) >= n) {
                out.seconds = (at - start) / 1e9;
                break;
            }
        }
        out.statusWrites = last[0] - before[0];
        out.eventWrites = last[1] - before[1];
        return out;
    }

    /** {scanners/status writes, events writes} so far. */
    private static double[] writes(HeartbeatBench bench) throws Exception {
        double status = 0;
        double events = 0;
        for (Map.Entry<String, Double> e : bench.writes().entrySet()) {
            if (e.getKey().contains("resource=\"scanners/status\"")) {
                status += e.getValue();
            } else if (e.getKey().contains("resource=\"events\"")) {
                events += e.getValue();
            }
        }
        return new double[]{status, events};
    }

    private static Map<String, Double> match(String metrics, Pattern p) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : metrics.split("\n")) {
            Matcher m = p.matcher(line);
            if (m.find()) {
                out.put(m.group(1) == null ? "" : m.group(1), Double.parseDouble(m.group(2)));
            }
        }
        return out;
    }
}
