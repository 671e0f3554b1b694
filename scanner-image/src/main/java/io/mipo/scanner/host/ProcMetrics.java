package io.mipo.scanner.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Host metrics for heartbeats, read from Linux's /proc. A file that is missing or unreadable
 * (another OS, a locked-down container) leaves its fields out instead of failing.
 */
public final class ProcMetrics {
    private final Path proc;

    public ProcMetrics(Path proc) {
        this.proc = proc;
    }

    public static ProcMetrics system() {
        return new ProcMetrics(Path.of("/proc"));
    }

    /** {@code loadAvg1m … numCpus}, only the fields that could be read. */
    public Map<String, Object> read() {
        Map<String, Object> m = new LinkedHashMap<>();
        read("loadavg").ifPresent(text -> parseLoadAvg(text, m));
        read("meminfo").ifPresent(text -> parseMemInfo(text, m));
        read("net/dev").ifPresent(text -> parseNetDev(text, m));
        m.put("numCpus", Runtime.getRuntime().availableProcessors());
        return m;
    }

    private java.util.Optional<String> read(String name) {
        try {
            return java.util.Optional.of(Files.readString(proc.resolve(name), StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /** {@code 0.52 0.58 0.59 1/467 12345}. */
    static void parseLoadAvg(String text, Map<String, Object> m) {
        String[] f = text.trim().split("\\s+");
        if (f.length < 3) {
            return;
        }
        try {
            double a = Double.parseDouble(f[0]);
            double b = Double.parseDouble(f[1]);
            double c = Double.parseDouble(f[2]);
            m.put("loadAvg1m", a);
            m.put("loadAvg5m", b);
            m.put("loadAvg15m", c);
        } catch (NumberFormatException ignored) {
            // leave the load fields out
        }
    }

    /** {@code MemTotal:  16318480 kB}; without MemAvailable (kernels before 3.14) free+buffers+cached. */
    static void parseMemInfo(String text, Map<String, Object> m) {
        Map<String, Long> kb = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String[] v = line.substring(colon + 1).trim().split("\\s+");
            try {
                kb.put(line.substring(0, colon).trim(), Long.parseLong(v[0]));
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException ignored) {
                // skip odd lines
            }
        }
        if (kb.containsKey("MemTotal")) {
            m.put("memoryTotalBytes", kb.get("MemTotal") * 1024);
        }
        Long available = kb.get("MemAvailable");
        if (available == null && kb.containsKey("MemFree")) {
            available = kb.get("MemFree") + kb.getOrDefault("Buffers", 0L) + kb.getOrDefault("Cached", 0L);
        }
        if (available != null) {
            m.put("memoryAvailableBytes", available * 1024);
        }
    }

    /** Sums received and sent bytes over every interface but loopback. */
    static void parseNetDev(String text, Map<String, Object> m) {
        long rx = 0;
        long tx = 0;
        boolean any = false;
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue; // the two header lines have no "name:" prefix
            }
            String name = line.substring(0, colon).trim();
            if (name.equals("lo") || name.contains("|")) {
                continue;
            }
            String[] f = line.substring(colon + 1).trim().split("\\s+");
            if (f.length < 9) {
                continue;
            }
            try {
                rx += Long.parseLong(f[0]);
                tx += Long.parseLong(f[8]);
                any = true;
            } catch (NumberFormatException ignored) {
                // skip this interface
            }
        }
        if (any) {
            m.put("networkRxBytes", rx);
            m.put("networkTxBytes", tx);
        }
    }
}
