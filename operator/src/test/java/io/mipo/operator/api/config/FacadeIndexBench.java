package io.mipo.operator.api.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.mipo.operator.model.AgentInfo;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerSpec;
import io.mipo.operator.model.ScannerStatus;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The facade's incremental index at 1,000 / 10,000 / 100,000 rows, in process (no HTTP, no API
 * server): what one change of a scanner costs, what the full rebuild it replaced cost, list
 * latency with 8 concurrent readers while a writer applies changes, and heap per row. See
 * docs/benchmarks.md ("REST facade list queries", "The incremental index").
 *
 * <pre>
 * mvn -q -o -B test-compile -pl operator
 * mvn -q -o -B dependency:build-classpath -pl operator -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/cp.txt
 * java -Xmx2g -cp operator/target/test-classes:operator/target/classes:$(cat /tmp/cp.txt) \
 *     io.mipo.operator.api.config.FacadeIndexBench 1000 10000 100000
 * </pre>
 */
public final class FacadeIndexBench {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String[] PHASES = {"Active", "Active", "Active", "Offline", "Pending", "Disabled"};
    private static final Instant NOW = Instant.parse("2026-12-03T14:00:00Z");
    private static final Duration OFFLINE_AFTER = Duration.ofSeconds(90);
    private static final int READERS = 8;

    private static final String[] QUERIES = {
            "sort=name&page=1&pageSize=50",
            "sort=name&order=desc&page=100&pageSize=50",
            "status=Active&sort=name&page=1&pageSize=50",
            "status=Offline,Disabled&sort=rateLimit&order=desc&page=2&pageSize=50",
            "bindingMode=ip&createdBy=user-3&sort=createdAt&pageSize=50",
            "group=group-4&sort=status&page=1&pageSize=50",
            "q=rack-17&sort=name&page=1&pageSize=50",
            "q=no-such-text&sort=name",
            "sort=lastHeartbeatAt&order=desc&page=1&pageSize=50",
    };

    public static void main(String[] args) throws Exception {
        int[] sizes = args.length == 0 ? new int[]{1_000, 10_000, 100_000} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        System.out.printf(Locale.ROOT, "JDK %s, %d cores, max heap %d MB, load average %.1f%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        for (int n : sizes) {
            run(n);
        }
    }

    static Scanner scanner(int i, Random rnd, String phase) {
        String id = String.format(Locale.ROOT, "bench-%06d", i);
        Scanner s = new Scanner();
        s.setMetadata(new ObjectMetaBuilder().withNamespace("default").withName(id).withResourceVersion("" + (1000 + i))
                .withCreationTimestamp(NOW.minusSeconds(100_000 - i % 100_000).toString())
                .withLabels(Map.of("site", "site-" + (i % 50), "group", "group-" + (i % 10)))
                .withAnnotations(Map.of("mipo.io/created-by", "user-" + (i % 20))).build());
        ScannerSpec spec = new ScannerSpec();
        spec.setDisplayName(String.format(Locale.ROOT, "Bench-%06d", i));
        spec.setDescription("rack-" + (i % 40) + " in hall " + (i % 7));
        spec.setRateLimit((i % 5) * 100);
        spec.setDisabled(phase.equals("Disabled"));
        s.setSpec(spec);
        ScannerStatus st = new ScannerStatus();
        st.setPhase(Phase.valueOf(phase));
        if (!phase.equals("Pending")) {
            st.setRegisteredAt(NOW.minusSeconds(90_000).toString());
            st.setLastHeartbeatTime(NOW.minusSeconds(rnd.nextInt(600)).toString());
            AgentInfo a = new AgentInfo();
            a.setVersion("1.4.0");
            a.setHostname("host-" + i);
            a.setOs("linux");
            a.setArch("amd64");
            a.setSourceAddress("10.1." + (i / 250 % 250) + "." + (i % 250));
            st.setAgent(a);
        }
        s.setStatus(st);
        return s;
    }

    /** What {@code ScannerIndex} does for a changed scanner: the view, its JSON, the row. */
    static ScannerRow row(Scanner s, String lastHeartbeatAt) throws Exception {
        int i = Integer.parseInt(s.getMetadata().getName().substring(6));
        ScannerView.BindingSummary binding = i % 3 == 0 ? new ScannerView.BindingSummary("ip", "10.1.0." + (i % 250), "Enforce", 0)
                : ScannerView.BindingSummary.NONE;
        ScannerView v = ScannerViews.of(s, binding, List.of("group-" + (i % 10)), NOW, OFFLINE_AFTER, lastHeartbeatAt);
        return ScannerRow.of(v, s.getMetadata().getResourceVersion(), MAPPER.writeValueAsBytes(v));
    }

    private static long usedHeap() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    static void run(int n) throws Exception {
        Random rnd = new Random(n);
        System.out.printf(Locale.ROOT, "%n== %,d rows ==%n", n);
        long heap0 = usedHeap();
        List<ScannerRow> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Scanner s = scanner(i, rnd, PHASES[i % PHASES.length]);
            rows.add(row(s, s.getStatus().getLastHeartbeatTime()));
        }
        long heapRows = usedHeap();
        RowIndex index = new RowIndex(null);
        long t0 = System.nanoTime();
        index.load(rows);
        index.publish();
        long loadMs = (System.nanoTime() - t0) / 1_000_000;
        // every key the console sorts by besides name (kept from the start), as after first use
        for (String sort : List.of("status", "createdAt", "rateLimit", "lastHeartbeatAt", "description", "binding", "createdBy")) {
            index.query(index.view(), ScannerQuery.parse(List.of(), List.of(), List.of(), List.of(), null, sort, "asc", "1", "1"));
        }
        index.keepWanted();
        index.publish();
        long heapIndex = usedHeap();
        System.out.printf(Locale.ROOT, "heap: rows (view + JSON + keys) %,d bytes/row; index (8 sorted trees, id map, counts) %,d bytes/row; first load %d ms%n",
                (heapRows - heap0) / n, (heapIndex - heapRows) / n, loadMs);

        // the full rebuild the index replaced: four sorts of every row (the other four sorted lazily)
        long rebuildNs = Long.MAX_VALUE;
        for (int k = 0; k < 5; k++) {
            long s0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            ScannerRow[] all = rows.toArray(new ScannerRow[0]);
            for (ScannerQuery.Sort sort : List.of(ScannerQuery.Sort.name, ScannerQuery.Sort.status, ScannerQuery.Sort.createdAt,
                    ScannerQuery.Sort.rateLimit)) {
                ScannerRow[] copy = all.clone();
                Arrays.sort(copy, RowIndex.order(sort));
            }
            rebuildNs = Math.min(rebuildNs, ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - s0);
        }

        // one change at a time, published each time (as a facade write is)
        int changes = 20_000;
        long treeNs = 0;
        long allNs = 0;
        long comparisons = 0;
        int next = n;
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (int k = -changes; k < changes; k++) { // the first half warms up
            if (k == 0) {
                treeNs = 0;
                allNs = 0;
                comparisons = index.comparisons();
            }
            long s0 = mx.getCurrentThreadCpuTime();
            int op = rnd.nextInt(10);
            ScannerRow r;
            if (op == 0) {
                Scanner s = scanner(next++, rnd, "Pending");
                r = row(s, null);
            } else {
                int i = rnd.nextInt(n);
                Scanner s = scanner(i, rnd, PHASES[rnd.nextInt(PHASES.length)]);
                r = row(s, s.getStatus().getLastHeartbeatTime());
            }
            long s1 = mx.getCurrentThreadCpuTime();
            if (op == 1) {
                index.remove(r.id());
            } else {
                index.put(r);
            }
            index.publish();
            long s2 = mx.getCurrentThreadCpuTime();
            treeNs += s2 - s1;
            allNs += s2 - s0;
        }
        comparisons = index.comparisons() - comparisons;
        System.out.printf(Locale.ROOT, "one change (CPU time): %.1f us in the index (%.0f comparisons over 8 keys), %.1f us with view and JSON;"
                        + " the full rebuild it replaced: %.1f ms%n",
                treeNs / 1e3 / changes, (double) comparisons / changes, allNs / 1e3 / changes, rebuildNs / 1e6);

        // 8 readers, while a writer changes 1,000 rows a second
        List<ScannerQuery> queries = new ArrayList<>();
        for (String q : QUERIES) {
            queries.add(parse(q));
        }
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            Random w = new Random(1);
            try {
                while (!stop.get()) {
                    for (int k = 0; k < 10; k++) {
                        Scanner s = scanner(w.nextInt(n), w, PHASES[w.nextInt(PHASES.length)]);
                        index.put(row(s, NOW.plusSeconds(w.nextInt(1000)).toString()));
                    }
                    index.publish();
                    Thread.sleep(10);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        cpu(index, queries, n >= 100_000 ? 30 : 100);
        keptTexts(index, queries, n >= 100_000 ? 30 : 100);
        latency(index, queries, 1, n >= 100_000 ? 100 : 400);
        latency(index, queries, READERS, n >= 100_000 ? 60 : 300);
        stop.set(true);
        writer.join();
    }

    /**
     * CPU time per query on this thread (no waiting for a core counted), the tree walk against a
     * walk of the same rows in a sorted array (what the full rebuild's snapshot offered).
     */
    private static void cpu(RowIndex index, List<ScannerQuery> queries, int rounds) {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        System.out.println("CPU time per query, one reader (median of " + rounds + "), ms: index | sorted array of the same view");
        for (int qi = 0; qi < queries.size(); qi++) {
            ScannerQuery q = queries.get(qi);
            long[] tree = new long[rounds];
            long[] array = new long[rounds];
            RowIndex.View v = index.view();
            ScannerRow[] sorted = sortedCopy(v, q.sort());
            for (int k = -rounds / 2; k < rounds; k++) {
                long c0 = mx.getCurrentThreadCpuTime();
                index.query(v, q);
                long c1 = mx.getCurrentThreadCpuTime();
                RowIndex.query(sorted, q);
                long c2 = mx.getCurrentThreadCpuTime();
                if (k >= 0) {
                    tree[k] = c1 - c0;
                    array[k] = c2 - c1;
                }
            }
            Arrays.sort(tree);
            Arrays.sort(array);
            System.out.printf(Locale.ROOT, "  %-72s %8.3f | %8.3f%n", QUERIES[qi], tree[rounds / 2] / 1e6, array[rounds / 2] / 1e6);
        }
    }

    /** The text queries again once their texts are kept (asked for twice, then the writer's next pass). */
    private static void keptTexts(RowIndex index, List<ScannerQuery> queries, int rounds) {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (ScannerQuery q : queries) {
            if (q.q() != null) {
                index.query(index.view(), q);
                index.query(index.view(), q);
            }
        }
        index.keepWanted();
        RowIndex.View v = index.publish();
        System.out.println("CPU time per query once its text is kept, one reader (median of " + rounds + "), ms (texts kept: "
                + index.keptTexts() + ")");
        for (int qi = 0; qi < queries.size(); qi++) {
            ScannerQuery q = queries.get(qi);
            if (q.q() == null) {
                continue;
            }
            long[] cpu = new long[rounds];
            for (int k = -rounds / 2; k < rounds; k++) {
                long c0 = mx.getCurrentThreadCpuTime();
                index.query(v, q);
                if (k >= 0) {
                    cpu[k] = mx.getCurrentThreadCpuTime() - c0;
                }
            }
            Arrays.sort(cpu);
            System.out.printf(Locale.ROOT, "  %-72s %8.3f%n", QUERIES[qi], cpu[rounds / 2] / 1e6);
        }
    }

    private static ScannerRow[] sortedCopy(RowIndex.View v, ScannerQuery.Sort sort) {
        ScannerRow[] rows = v.byName();
        Arrays.sort(rows, RowIndex.order(sort));
        return rows;
    }

    private static void latency(RowIndex index, List<ScannerQuery> queries, int readers, int rounds) throws InterruptedException {
        int warmup = rounds / 3;
        long[][] samples = new long[queries.size()][readers * (rounds - warmup)];
        CountDownLatch done = new CountDownLatch(readers);
        for (int t = 0; t < readers; t++) {
            int id = t;
            new Thread(() -> {
                for (int round = 0; round < rounds; round++) {
                    for (int qi = 0; qi < queries.size(); qi++) {
                        long s0 = System.nanoTime();
                        byte[] body = json(index, queries.get(qi));
                        long took = System.nanoTime() - s0;
                        if (body.length == 0) {
                            throw new IllegalStateException();
                        }
                        if (round >= warmup) {
                            samples[qi][id * (rounds - warmup) + round - warmup] = took;
                        }
                    }
                }
                done.countDown();
            }).start();
        }
        done.await();
        System.out.printf(Locale.ROOT, "list latency, %d reader(s) x %d rounds, writer at ~1,000 changes/s, load average %.1f:%n",
                readers, rounds - warmup, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.println("| query | p50 ms | p99 ms | max ms |");
        System.out.println("|---|---|---|---|");
        long[] everything = new long[0];
        for (int qi = 0; qi < queries.size(); qi++) {
            long[] s = samples[qi];
            Arrays.sort(s);
            System.out.printf(Locale.ROOT, "| `%s` | %.3f | %.3f | %.3f |%n", QUERIES[qi], s[s.length / 2] / 1e6,
                    s[(int) (s.length * 0.99)] / 1e6, s[s.length - 1] / 1e6);
            long[] merged = Arrays.copyOf(everything, everything.length + s.length);
            System.arraycopy(s, 0, merged, everything.length, s.length);
            everything = merged;
        }
        Arrays.sort(everything);
        System.out.printf(Locale.ROOT, "| all of the above | %.3f | %.3f | %.3f |%n", everything[everything.length / 2] / 1e6,
                everything[(int) (everything.length * 0.99)] / 1e6, everything[everything.length - 1] / 1e6);
    }

    private static ScannerQuery parse(String query) {
        Map<String, List<String>> p = new java.util.HashMap<>();
        for (String kv : query.split("&")) {
            String[] parts = kv.split("=", 2);
            p.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(parts[1]);
        }
        java.util.function.Function<String, String> one = k -> p.containsKey(k) ? p.get(k).get(0) : null;
        return ScannerQuery.parse(p.getOrDefault("status", List.of()), p.getOrDefault("bindingMode", List.of()),
                p.getOrDefault("createdBy", List.of()), p.getOrDefault("group", List.of()), one.apply("q"), one.apply("sort"),
                one.apply("order"), one.apply("page"), one.apply("pageSize"));
    }

    /** The answer's bytes as {@code ScannerIndex.listJson} puts them together. */
    private static byte[] json(RowIndex index, ScannerQuery q) {
        RowIndex.Matches m = index.query(q);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes("{\"items\":[".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        for (int i = 0; i < m.rows().size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(m.rows().get(i).json());
        }
        out.writeBytes(("],\"total\":" + m.total() + "}").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
