package io.mipo.scanner.scan;

import io.mipo.scanner.util.Clock;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * TCP connect scanning on one thread with non-blocking NIO: each probe is a
 * {@link SocketChannel} connecting in the background, a {@link Selector} reports the
 * outcomes. At most {@code maxInFlight} connects are outstanding; each gets
 * {@code probeTimeout}; each {@link ProbeStream} is paced by its own {@link ProbePacer}.
 *
 * <p>Open connections are closed with {@code SO_LINGER 0} (a reset rather than a FIN), as
 * connect scanners usually do: the target's service sees no half-finished session and
 * neither side keeps a socket in TIME_WAIT, which at thousands of probes per second would
 * exhaust the local port range.
 */
public final class ConnectScanner {
    /** Longest single wait in the selector, so cancellation is noticed promptly. */
    private static final long MAX_SELECT_MILLIS = 100;

    /** Engine limits. */
    public record Settings(int maxInFlight, Duration probeTimeout) {
        public Settings {
            if (maxInFlight < 1) {
                throw new IllegalArgumentException("maxInFlight must be ≥ 1");
            }
            if (probeTimeout.isNegative() || probeTimeout.isZero()) {
                throw new IllegalArgumentException("probeTimeout must be positive");
            }
        }
    }

    /** Receives outcomes on the scanning thread; keep it quick. */
    public interface Listener {
        void finding(Finding finding);

        /** Called as each probe is launched (benchmarks record the pacing from here). */
        default void probeStarted(long nanoTime) {
        }
    }

    /** What one {@link #scan} did. */
    public record Stats(long probes, long open, long closed, long filtered, long errors, boolean cancelled) {
    }

    private final Settings settings;
    private final Clock clock;

    public ConnectScanner(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    private static final class Probe {
        final SocketChannel channel;
        final InetSocketAddress target;
        final long deadline;
        boolean done;

        Probe(SocketChannel channel, InetSocketAddress target, long deadline) {
            this.channel = channel;
            this.target = target;
            this.deadline = deadline;
        }
    }

    private final long[] counts = new long[ProbeState.values().length];
    private Listener listener;

    /**
     * Probes every target of every stream, returning when all are done or when
     * {@code cancelled} turns true (probes in flight are then dropped unreported).
     */
    public synchronized Stats scan(List<ProbeStream> streams, Listener listener, BooleanSupplier cancelled)
            throws IOException {
        java.util.Arrays.fill(counts, 0);
        this.listener = listener;
        long timeout = settings.probeTimeout().toNanos();
        long probes = 0;
        boolean wasCancelled = false;
        int inFlight = 0;
        int roundRobin = 0;
        ArrayDeque<Probe> byDeadline = new ArrayDeque<>();
        try (Selector selector = Selector.open()) {
            try {
                while (true) {
                    if (cancelled.getAsBoolean()) {
                        wasCancelled = true;
                        break;
                    }
                    long now = clock.nanoTime();
                    // launch every probe that is due, as long as there is a free slot
                    while (inFlight < settings.maxInFlight()) {
                        ProbeStream stream = null;
                        for (int k = 0; k < streams.size(); k++) {
                            int idx = (roundRobin + k) % streams.size();
                            ProbeStream s = streams.get(idx);
                            if (s.targets().hasNext() && s.pacer().tryAcquire(now)) {
                                stream = s;
                                roundRobin = idx + 1;
                                break;
                            }
                        }
                        if (stream == null) {
                            break;
                        }
                        InetSocketAddress target = stream.targets().next();
                        listener.probeStarted(now);
                        probes++;
                        Probe p = launch(target, selector, now + timeout);
                        if (p != null) {
                            byDeadline.add(p);
                            inFlight++;
                        }
                    }

                    boolean remaining = false;
                    long wait = Long.MAX_VALUE;
                    for (ProbeStream s : streams) {
                        if (s.targets().hasNext()) {
                            remaining = true;
                            if (inFlight < settings.maxInFlight()) {
                                wait = Math.min(wait, s.pacer().nanosUntilNext(now));
                            }
                        }
                    }
                    if (!remaining && inFlight == 0) {
                        break;
                    }
                    while (!byDeadline.isEmpty() && byDeadline.peekFirst().done) {
                        byDeadline.pollFirst();
                    }
                    if (!byDeadline.isEmpty()) {
                        wait = Math.min(wait, byDeadline.peekFirst().deadline - now);
                    }
                    if (wait <= 0) {
                        selector.selectNow();
                    } else {
                        long millis = Math.min(MAX_SELECT_MILLIS, (wait + 999_999) / 1_000_000);
                        selector.select(millis);
                    }
                    Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                    while (keys.hasNext()) {
                        SelectionKey key = keys.next();
                        keys.remove();
                        Probe p = (Probe) key.attachment();
                        if (p.done) {
                            continue;
                        }
                        ProbeState state;
                        try {
                            if (!p.channel.finishConnect()) {
                                continue;
                            }
                            state = ProbeState.OPEN;
                        } catch (IOException e) {
                            state = classify(e);
                        }
                        complete(p, state);
                        inFlight--;
                    }
                    now = clock.nanoTime();
                    while (!byDeadline.isEmpty()) {
                        Probe head = byDeadline.peekFirst();
                        if (head.done) {
                            byDeadline.pollFirst();
                        } else if (head.deadline - now <= 0) {
                            byDeadline.pollFirst();
                            complete(head, ProbeState.FILTERED);
                            inFlight--;
                        } else {
                            break;
                        }
                    }
                }
            } finally {
                for (Probe p : byDeadline) {
                    if (!p.done) {
                        closeQuietly(p.channel);
                    }
                }
            }
        }
        return new Stats(probes, counts[ProbeState.OPEN.ordinal()], counts[ProbeState.CLOSED.ordinal()],
                counts[ProbeState.FILTERED.ordinal()], counts[ProbeState.ERROR.ordinal()], wasCancelled);
    }

    /** Starts one connect; returns the pending probe, or null when it finished at once. */
    private Probe launch(InetSocketAddress target, Selector selector, long deadline) {
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open();
            ch.configureBlocking(false);
            if (ch.connect(target)) {
                report(target, ProbeState.OPEN);
                resetAndClose(ch);
                return null;
            }
            Probe p = new Probe(ch, target, deadline);
            ch.register(selector, SelectionKey.OP_CONNECT, p);
            return p;
        } catch (IOException e) {
            report(target, classify(e));
        } catch (UnsupportedAddressTypeException | SecurityException e) {
            report(target, ProbeState.ERROR);
        }
        if (ch != null) {
            closeQuietly(ch);
        }
        return null;
    }

    private void complete(Probe p, ProbeState state) {
        p.done = true;
        if (state == ProbeState.OPEN) {
            resetAndClose(p.channel);
        } else {
            closeQuietly(p.channel);
        }
        report(p.target, state);
    }

    private void report(InetSocketAddress target, ProbeState state) {
        counts[state.ordinal()]++;
        listener.finding(new Finding(target.getAddress(), target.getPort(), state, Instant.now()));
    }

    /** Maps a connect failure to what it says about the target. */
    static ProbeState classify(IOException e) {
        if (e instanceof NoRouteToHostException) {
            return ProbeState.FILTERED; // EHOSTUNREACH: typically an ICMP host-unreachable
        }
        String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        if (e instanceof ConnectException) {
            if (m.contains("refused")) {
                return ProbeState.CLOSED; // the SYN was answered with a reset
            }
            if (m.contains("timed out")) {
                return ProbeState.FILTERED;
            }
        }
        if (m.contains("connection reset")) {
            // ECONNRESET when completing a connect: the handshake finished and the service
            // reset the connection before we looked (a refused SYN gives ECONNREFUSED instead)
            return ProbeState.OPEN;
        }
        return ProbeState.ERROR; // ENETUNREACH, EACCES, EMFILE…: a local problem
    }

    private static void resetAndClose(SocketChannel ch) {
        try {
            ch.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException ignored) {
            // close normally then
        }
        closeQuietly(ch);
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }
}
