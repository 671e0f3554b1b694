package io.mipo.scanner.run;

import io.mipo.scanner.client.AgentClient;
import io.mipo.scanner.client.ApiException;
import io.mipo.scanner.client.ServerUnreachableException;
import io.mipo.scanner.scan.Finding;
import io.mipo.scanner.util.Log;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Posts findings to {@code /scanner/results} as {@code {findings: [...]}} from its own thread:
 * a batch goes out when {@code resultsBatchSize} findings are waiting, or when the oldest has
 * waited {@code resultsFlushInterval}. While the server is unreachable the findings wait, up
 * to {@code maxBufferedFindings} (then the oldest are dropped, and counted).
 */
final class ResultReporter {
    private final AgentClient client;
    private final Session session;
    private final AgentSettings settings;
    private final Log log;
    private final Consumer<ApiException> onUnauthorized;

    private final Object lock = new Object();
    private final ArrayDeque<Finding> buffer = new ArrayDeque<>();
    private long oldestSince;
    private boolean stopping;
    private long posted;
    private long dropped;
    private Thread thread;

    ResultReporter(AgentClient client, Session session, AgentSettings settings, Log log,
            Consumer<ApiException> onUnauthorized) {
        this.client = client;
        this.session = session;
        this.settings = settings;
        this.log = log;
        this.onUnauthorized = onUnauthorized;
    }

    void start() {
        thread = new Thread(this::loop, "mipo-results");
        thread.setDaemon(true);
        thread.start();
    }

    void submit(Finding f) {
        synchronized (lock) {
            if (buffer.isEmpty()) {
                oldestSince = System.nanoTime();
            }
            buffer.addLast(f);
            if (buffer.size() > settings.maxBufferedFindings()) {
                buffer.pollFirst();
                if (dropped++ % 10_000 == 0) {
                    log.warn("results buffer full (%d findings): dropping the oldest", settings.maxBufferedFindings());
                }
            }
            if (buffer.size() >= settings.resultsBatchSize()) {
                lock.notifyAll();
            }
        }
    }

    long posted() {
        synchronized (lock) {
            return posted;
        }
    }

    /** Stops taking findings and tries, within {@code budget}, to post what is waiting. */
    void stop(Duration budget) {
        synchronized (lock) {
            stopping = true;
            lock.notifyAll();
        }
        if (thread == null) {
            return;
        }
        try {
            thread.join(Math.max(1, budget.toMillis()));
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            if (!buffer.isEmpty()) {
                log.warn("%d findings not posted at shutdown", buffer.size());
            }
        }
    }

    private void loop() {
        Backoff backoff = new Backoff(settings.backoffInitial(), settings.backoffMax());
        long flushNanos = settings.resultsFlushInterval().toNanos();
        while (true) {
            List<Finding> batch;
            boolean finalFlush;
            synchronized (lock) {
                try {
                    while (!stopping) {
                        if (buffer.size() >= settings.resultsBatchSize()) {
                            break;
                        }
                        long waited = System.nanoTime() - oldestSince;
                        if (!buffer.isEmpty() && waited >= flushNanos) {
                            break;
                        }
                        long waitNanos = buffer.isEmpty() ? flushNanos : flushNanos - waited;
                        lock.wait(Math.max(1, waitNanos / 1_000_000));
                    }
                } catch (InterruptedException e) {
                    return;
                }
                if (buffer.isEmpty()) {
                    return; // stopping with nothing left
                }
                finalFlush = stopping;
                batch = new ArrayList<>(Math.min(buffer.size(), settings.resultsBatchSize()));
                while (batch.size() < settings.resultsBatchSize() && !buffer.isEmpty()) {
                    batch.add(buffer.pollFirst());
                }
                oldestSince = System.nanoTime();
            }
            String failure = post(batch);
            if (failure == null) {
                backoff.reset();
                continue;
            }
            synchronized (lock) {
                for (int i = batch.size() - 1; i >= 0; i--) {
                    buffer.addFirst(batch.get(i));
                }
                if (finalFlush) {
                    return;
                }
            }
            Duration delay = backoff.next();
            log.warn("posting %d findings failed (%s); retrying in %d ms", batch.size(), failure, delay.toMillis());
            synchronized (lock) {
                try {
                    if (!stopping) {
                        lock.wait(Math.max(1, delay.toMillis()));
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Null on success (or when the batch is dropped as unacceptable), else why it should be retried. */
    private String post(List<Finding> batch) {
        List<Object> findings = new ArrayList<>(batch.size());
        for (Finding f : batch) {
            findings.add(f.toJson());
        }
        try {
            client.post("/scanner/results", session.apiKey(), Map.of("findings", findings));
            synchronized (lock) {
                posted += batch.size();
            }
            return null;
        } catch (ApiException e) {
            if (e.status() == 401) {
                onUnauthorized.accept(e);
                return e.getMessage();
            }
            if (e.retryable() || e.status() == 403) {
                return e.getMessage();
            }
            log.error("server refused %d findings (%s); dropping them", batch.size(), e.getMessage());
            return null;
        } catch (ServerUnreachableException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
