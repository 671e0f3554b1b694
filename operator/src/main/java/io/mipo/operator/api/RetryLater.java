package io.mipo.operator.api;

/** A 429 refusal that tells the caller when to come back ({@code Retry-After}, in seconds). */
public class RetryLater extends ApiException {
    private final long retryAfterSeconds;

    public RetryLater(String code, String detail, long retryAfterSeconds) {
        super(429, code, "Too many requests", detail);
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
