package io.mipo.scanner.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcMetricsTest {
    @TempDir
    Path proc;

    @Test
    void readsLoadMemoryAndNetwork() throws Exception {
        Files.writeString(proc.resolve("loadavg"), "0.52 0.58 1.59 1/467 12345\n");
        Files.writeString(proc.resolve("meminfo"), "MemTotal:       16318480 kB\nMemFree:  1000 kB\n"
                + "MemAvailable:    8000000 kB\nBuffers: 5 kB\n");
        Files.createDirectories(proc.resolve("net"));
        Files.writeString(proc.resolve("net/dev"), String.join("\n",
                "Inter-|   Receive                                                |  Transmit",
                " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed",
                "    lo: 999999 10 0 0 0 0 0 0 999999 10 0 0 0 0 0 0",
                "  eth0: 1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0",
                "  eth1:500 1 0 0 0 0 0 0 700 2 0 0 0 0 0 0", ""));
        Map<String, Object> m = new ProcMetrics(proc).read();
        assertEquals(0.52, m.get("loadAvg1m"));
        assertEquals(0.58, m.get("loadAvg5m"));
        assertEquals(1.59, m.get("loadAvg15m"));
        assertEquals(16318480L * 1024, m.get("memoryTotalBytes"));
        assertEquals(8000000L * 1024, m.get("memoryAvailableBytes"));
        assertEquals(1500L, m.get("networkRxBytes"));
        assertEquals(2700L, m.get("networkTxBytes"));
        assertEquals(Runtime.getRuntime().availableProcessors(), m.get("numCpus"));
    }

    @Test
    void oldKernelsWithoutMemAvailable() throws Exception {
        Files.writeString(proc.resolve("meminfo"), "MemTotal: 100 kB\nMemFree: 10 kB\nBuffers: 5 kB\nCached: 20 kB\n");
        assertEquals(35L * 1024, new ProcMetrics(proc).read().get("memoryAvailableBytes"));
    }

    @Test
    void missingOrGarbledFilesAreLeftOut() throws Exception {
        Files.writeString(proc.resolve("loadavg"), "garbage");
        Map<String, Object> m = new ProcMetrics(proc.resolve("absent")).read();
        assertEquals(Map.of("numCpus", Runtime.getRuntime().availableProcessors()), m);
        Map<String, Object> g = new ProcMetrics(proc).read();
        assertFalse(g.containsKey("loadAvg1m"));
        assertTrue(g.containsKey("numCpus"));
    }
}
