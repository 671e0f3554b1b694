package io.mipo.scanner.register;

import io.mipo.scanner.client.ApiException;
import io.mipo.scanner.client.ServerUnreachableException;
import io.mipo.scanner.config.Credentials;
import io.mipo.scanner.util.Log;
import java.time.Duration;

/**
 * Registration with retries: a timeout, an unreachable server or a 5xx (and 408/429) is tried again
 * with the same token and registration id, so that an answer lost on the way does not use the
 * token up. Refusals (401 TOKEN_*, 403, 4xx) are final at once.
 */
public final class RegistrationAttempts {
    /** Attempts in all: with the default waits (1 s doubling to 30 s) about 1.5 minutes of retrying. */
    public static final int ATTEMPTS = 8;

    /** One attempt. */
    @FunctionalInterface
    public interface Attempt {
        Credentials register() throws ApiException, ServerUnreachableException, InterruptedException;
    }

    /** How to wait (a test passes one that records instead of sleeping). */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final Sleeper sleeper;
    private final Log log;
    private final Duration initial;
    private final Duration max;

    public RegistrationAttempts(Sleeper sleeper, Log log, Duration initial, Duration max) {
        this.sleeper = sleeper;
        this.log = log;
        this.initial = initial;
        this.max = max.compareTo(initial) < 0 ? initial : max;
    }

    public Credentials run(Attempt attempt) throws ApiException, ServerUnreachableException, InterruptedException {
        Duration wait = initial;
        for (int i = 1; ; i++) {
            try {
                return attempt.register();
            } catch (ApiException e) {
                if (!e.retryable() || i >= ATTEMPTS) {
                    throw e;
                }
                log.warn("registration attempt %d failed (%s); retrying in %d ms with the same token and registration id",
                        i, e.getMessage(), wait.toMillis());
            } catch (ServerUnreachableException e) {
                // a certificate the agent does not trust will not become trusted by waiting
                if (i >= ATTEMPTS || untrusted(e)) {
                    throw e;
                }
                log.warn("registration attempt %d failed (%s); retrying in %d ms with the same token and registration id",
                        i, e.getMessage(), wait.toMillis());
            }
            sleeper.sleep(wait);
            wait = wait.multipliedBy(2).compareTo(max) > 0 ? max : wait.multipliedBy(2);
        }
    }

    static boolean untrusted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLHandshakeException) {
                return true;
            }
        }
        return false;
    }
}
