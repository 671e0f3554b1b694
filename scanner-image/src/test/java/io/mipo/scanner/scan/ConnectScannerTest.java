package io.mipo.scanner.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mipo.scanner.util.Clock;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The NIO engine against listeners on 127.0.0.1 (the only address these tests touch). */
class ConnectScannerTest {
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private ServerSocket acceptingListener(AtomicInteger accepted) throws IOException {
        ServerSocket ss = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        closeables.add(ss);
        Thread t = new Thread(() -> {
            while (!ss.isClosed()) {
                try (Socket s = ss.accept()) {
                    accepted.incrementAndGet();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return ss;
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static ConnectScanner scanner(int maxInFlight, long timeoutMillis) {
        return new ConnectScanner(new ConnectScanner.Settings(maxInFlight, Duration.ofMillis(timeoutMillis)), Clock.SYSTEM);
    }

    private static final class Recorder implements ConnectScanner.Listener {
        final List<Finding> findings = new CopyOnWriteArrayList<>();
        final List<Long> starts = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void finding(Finding f) {
            findings.add(f);
        }

        @Override
        public void probeStarted(long nanoTime) {
            starts.add(nanoTime);
        }

        ProbeState stateOf(int port) {
            return findings.stream().filter(f -> f.port() == port).findFirst().orElseThrow().state();
        }
    }

    @Test
    void seesOpenAndClosedPorts() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        int open = acceptingListener(accepted).getLocalPort();
        int closed = closedPort();
        Recorder rec = new Recorder();
        ConnectScanner.Stats stats = scanner(16, 1000).scan(
                List.of(ProbeStream.of("t", Subnet.parse("127.0.0.1/32"), PortList.parse(open + "," + closed), 0)),
                rec, () -> false);
        assertEquals(2, stats.probes());
        assertEquals(1, stats.open());
        assertEquals(1, stats.closed());
        assertEquals(ProbeState.OPEN, rec.stateOf(open));
        assertEquals(ProbeState.CLOSED, rec.stateOf(closed));
        assertEquals("127.0.0.1", rec.findings.get(0).toJson().get("ip"));
        Thread.sleep(100);
        assertEquals(1, accepted.get(), "the listener saw exactly one connection");
    }

    @Test
    void scansIpv6Loopback() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        ServerSocket ss;
        try {
            ss = new ServerSocket(0, 10, v6);
        } catch (IOException e) {
            Assumptions.abort("no IPv6 loopback here: " + e);
            return;
        }
        closeables.add(ss);
        Recorder rec = new Recorder();
        ConnectScanner.Stats stats = scanner(4, 1000).scan(List.of(ProbeStream.of("v6", Subnet.parse("::1/128"),
                PortList.parse(String.valueOf(ss.getLocalPort())), 0)), rec, () -> false);
        assertEquals(1, stats.open());
        assertEquals("0:0:0:0:0:0:0:1", rec.findings.get(0).toJson().get("ip"));
    }

    @Test
    void holdsTheRateOfEachStream() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        int open = acceptingListener(accepted).getLocalPort();
        Recorder rec = new Recorder();
        // 61 probes at 60/s: the first at once, the last 1 s later
        List<java.net.InetSocketAddress> targets = new ArrayList<>();
        for (int i = 0; i < 61; i++) {
            targets.add(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), open));
        }
        long t0 = System.nanoTime();
        ConnectScanner.Stats stats = scanner(8, 1000).scan(
                List.of(new ProbeStream("t", targets.iterator(), new ProbePacer(60))), rec, () -> false);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(61, stats.probes());
        assertEquals(61, stats.open());
        assertTrue(seconds >= 0.98 && seconds < 1.5, "took " + seconds + " s");
        long span = rec.starts.get(60) - rec.starts.get(0);
        assertEquals(1.0, span / 1e9, 0.03);
    }

    @Test
    void cancellationStopsPromptly() throws Exception {
        int closed = closedPort();
        Recorder rec = new Recorder();
        long t0 = System.nanoTime();
        long deadline = t0 + 300_000_000L;
        ConnectScanner.Stats stats = scanner(8, 1000).scan(
                List.of(ProbeStream.of("t", Subnet.parse("127.0.0.1/32"), PortList.parse(String.valueOf(closed)), 0),
                        new ProbeStream("slow", repeat(closed, 1000), new ProbePacer(10))),
                rec, () -> System.nanoTime() > deadline);
        assertTrue(stats.cancelled());
        assertTrue(System.nanoTime() - t0 < 600_000_000L);
        assertTrue(stats.probes() >= 3 && stats.probes() <= 6, "probes " + stats.probes());
    }

    private static java.util.Iterator<InetSocketAddress> repeat(int port, int n) {
        List<InetSocketAddress> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        }
        return l.iterator();
    }

    /**
     * A listener that never accepts, with its accept queue full: Linux drops further SYNs, so
     * connects hang until the probe timeout (filtered). Also shows the in-flight bound: with
     * 2 slots, 6 hanging probes need 3 timeout rounds.
     */
    @Test
    void unansweredProbesAreFilteredAndInFlightIsBounded() throws Exception {
        ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        closeables.add(full);
        int port = full.getLocalPort();
        List<Socket> fillers = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                Socket s = new Socket();
                closeables.add(s);
                try {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                    fillers.add(s);
                } catch (IOException timedOut) {
                    break;
                }
            }
        } catch (RuntimeException e) {
            Assumptions.abort("could not fill the accept queue: " + e);
        }
        Recorder probe = new Recorder();
        scanner(1, 300).scan(List.of(new ProbeStream("p", repeat(port, 1), new ProbePacer(0))), probe, () -> false);
        Assumptions.assumeTrue(probe.findings.get(0).state() == ProbeState.FILTERED,
                "this kernel answers SYNs to a full accept queue");

        Recorder rec = new Recorder();
        long t0 = System.nanoTime();
        ConnectScanner.Stats stats = scanner(2, 300).scan(
                List.of(new ProbeStream("p", repeat(port, 6), new ProbePacer(0))), rec, () -> false);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(6, stats.filtered());
        assertTrue(seconds >= 0.85 && seconds < 1.6, "3 rounds of 300 ms, took " + seconds);
    }

    @Test
    void classifiesConnectFailures() {
        assertEquals(ProbeState.CLOSED, ConnectScanner.classify(new ConnectException("Connection refused")));
        assertEquals(ProbeState.FILTERED, ConnectScanner.classify(new ConnectException("Connection timed out")));
        assertEquals(ProbeState.FILTERED, ConnectScanner.classify(new NoRouteToHostException("No route to host")));
        assertEquals(ProbeState.OPEN, ConnectScanner.classify(new SocketException("Connection reset by peer")));
        assertEquals(ProbeState.OPEN, ConnectScanner.classify(new SocketException("Connection reset")));
        assertEquals(ProbeState.ERROR, ConnectScanner.classify(new SocketException("Network is unreachable")));
        assertEquals(ProbeState.ERROR, ConnectScanner.classify(new IOException("Too many open files")));
    }
}
