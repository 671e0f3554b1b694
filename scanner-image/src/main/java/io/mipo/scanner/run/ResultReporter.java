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
 *
 * <p>A batch never exceeds {@link AgentSettings#MAX_RESULTS_BATCH}, the operator's limit. A server
 * that takes less answers 413 ({@code BATCH_TOO_LARGE} or {@code BODY_TOO_LARGE}) and refuses the
 * batch whole: the batch is then split in halves and sent again, and later batches keep the
 * smaller size, so no finding is lost to a size limit.
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
    /** Findings per POST: resultsBatchSize, lowered when the server refuses a batch as too large. */
    private int batchLimit;
    private Thread thread;

    ResultReporter(AgentClient client, Session session, AgentSettings settings, Log log,
            Consumer<ApiException> onUnauthorized) {
        this.client = client;
        this.session = session;
        this.settings = settings;
        this.log = log;
        this.onUnauthorized = onUnauthorized;
        this.batchLimit = settings.resultsBatchSize();
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
            if (buffer.size() >= batchLimit) {
                lock.notifyAll();
            }
        }
    }

    long posted() {
        synchronized (lock) {
            return posted;
        }
    }

    int batchLimit() {
        synchronized (lock) {
            return batchLimit;
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
                        if (buffer.size() >= batchLimit) {
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
                batch = new ArrayList<>(Math.min(buffer.size(), batchLimit));
                while (batch.size() < batchLimit && !buffer.isEmpty()) {
                    batch.add(buffer.pollFirst());
                }
                oldestSince = System.nanoTime();
            }
            String failure = post(batch);
            if (failure == null) {
                backoff.reset();
                continue;
            }
            boolean split = TOO_LARGE.equals(failure);
            synchronized (lock) {
                for (int i = batch.size() - 1; i >= 0; i--) {
                    buffer.addFirst(batch.get(i));
                }
                if (split) {
                    batchLimit = Math.max(1, batch.size() / 2);
                    log.warn("the server refused %d findings in one call as too large; sending at most %d per call",
                            batch.size(), batchLimit);
                    continue; // at once: the server is up, only the size was wrong
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

    /** What {@link #post} answers when the batch was refused for its size and can be split. */
    private static final String TOO_LARGE = "batch too large";

    /**
     * Null on success (or when the batch is dropped as unacceptable), {@link #TOO_LARGE} when it
     * should be split, else why it should be retried.
     */
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
            if (e.status() == 413 && batch.size() > 1) {
                return TOO_LARGE;
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
