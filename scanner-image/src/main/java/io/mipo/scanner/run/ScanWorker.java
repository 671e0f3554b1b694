package io.mipo.scanner.run;

import io.mipo.scanner.scan.ConnectScanner;
import io.mipo.scanner.scan.Finding;
import io.mipo.scanner.scan.ProbeState;
import io.mipo.scanner.scan.ProbeStream;
import io.mipo.scanner.util.Log;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Runs scan passes on its own thread. A pass probes every assignment (all of them at once,
 * each at its own rate); after a pass it pauses {@code scanPause}, then starts over.
 *
 * <ul>
 *   <li>New assignments (different from the current ones) cancel the pass in progress and
 *       start a new one at once, so a changed rate or target takes effect immediately.</li>
 *   <li>Disabled: the pass in progress runs to its end; no new pass starts until enabled.
 *       Assignments that arrive meanwhile are kept for then.</li>
 * </ul>
 */
final class ScanWorker {
    private final ConnectScanner scanner;
    private final Consumer<Finding> sink;
    private final Set<ProbeState> reportStates;
    private final Duration pause;
    private final Log log;

    private List<Assignment> assignments = List.of();
    private long generation;
    private long lastPassGeneration = -1;
    private boolean disabled;
    private boolean stopped;
    private long nextPassAt = System.nanoTime();
    private volatile boolean scanning;
    private volatile int passesStarted;
    private Thread thread;

    ScanWorker(ConnectScanner scanner, Consumer<Finding> sink, Set<ProbeState> reportStates, Duration pause, Log log) {
        this.scanner = scanner;
        this.sink = sink;
        this.reportStates = reportStates;
        this.pause = pause;
        this.log = log;
    }

    void start() {
        thread = new Thread(this::loop, "mipo-scan");
        thread.setDaemon(true);
        thread.start();
    }

    /** Takes a new assignment set; a set equal to the current one changes nothing. */
    synchronized void offer(List<Assignment> next) {
        if (keys(next).equals(keys(assignments))) {
            return;
        }
        assignments = List.copyOf(next);
        generation++;
        log.info("assignments: %s", next.isEmpty() ? "none" : next);
        notifyAll();
    }

    synchronized void setDisabled(boolean value) {
        if (value != disabled) {
            disabled = value;
            log.info(value ? "scanner disabled in mipo: finishing the scan in progress, taking no new work"
                    : "scanner enabled in mipo: resuming scans");
            notifyAll();
        }
    }

    boolean scanning() {
        return scanning;
    }

    int passesStarted() {
        return passesStarted;
    }

    void stop(Duration wait) {
        synchronized (this) {
            stopped = true;
            notifyAll();
        }
        if (thread != null) {
            try {
                thread.join(Math.max(1, wait.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static List<String> keys(List<Assignment> list) {
        List<String> k = new ArrayList<>(list.size());
        for (Assignment a : list) {
            k.add(a.key());
        }
        return k;
    }

    private void loop() {
        while (true) {
            List<Assignment> work;
            long gen;
            synchronized (this) {
                try {
                    while (true) {
                        if (stopped) {
                            return;
                        }
                        if (disabled || assignments.isEmpty()) {
                            wait();
                            continue;
                        }
                        long waitNanos = generation != lastPassGeneration ? 0 : nextPassAt - System.nanoTime();
                        if (waitNanos <= 0) {
                            break;
                        }
                        wait(Math.max(1, waitNanos / 1_000_000));
                    }
                } catch (InterruptedException e) {
                    return;
                }
                work = assignments;
                gen = generation;
                lastPassGeneration = gen;
                scanning = true;
                passesStarted++;
            }
            try {
                runPass(work, gen);
            } finally {
                synchronized (this) {
                    scanning = false;
                    nextPassAt = System.nanoTime() + pause.toNanos();
                }
            }
        }
    }

    private void runPass(List<Assignment> work, long gen) {
        List<ProbeStream> streams = new ArrayList<>();
        long total = 0;
        for (Assignment a : work) {
            streams.add(ProbeStream.of(a.toString(), a.subnet(), a.ports(), a.maxProbesPerSecond()));
            total += a.subnet().size() * a.ports().size();
        }
        int pass = passesStarted;
        log.info("scan pass %d started: %d assignment(s), %d probes", pass, work.size(), total);
        long start = System.nanoTime();
        try {
            ConnectScanner.Stats s = scanner.scan(streams, new ConnectScanner.Listener() {
                @Override
                public void finding(Finding f) {
                    if (reportStates.contains(f.state())) {
                        sink.accept(f);
                    }
                }
            }, () -> cancelled(gen));
            log.info("scan pass %d %s after %.1f s: %d probes, %d open, %d closed, %d filtered, %d local errors", pass,
                    s.cancelled() ? "stopped" : "finished", (System.nanoTime() - start) / 1e9, s.probes(), s.open(),
                    s.closed(), s.filtered(), s.errors());
        } catch (IOException | RuntimeException e) {
            log.error("scan pass %d failed: %s", pass, e);
        }
    }

    private synchronized boolean cancelled(long gen) {
        return stopped || (generation != gen && !disabled);
    }
}
