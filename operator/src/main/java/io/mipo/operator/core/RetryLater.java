package io.mipo.operator.core;

/**
 * A "not now": the operator is at a bound it keeps on purpose (TokenReviews in flight, a
 * scanner's findings rate) and says when to come back. The HTTP layer answers it 429 with
 * {@code Retry-After} (seconds).
 */
public class RetryLater extends Refusal {
    private final long retryAfterSeconds;

    public RetryLater(String code, String detail, long retryAfterSeconds) {
        super(Kind.UNAVAILABLE, code, "Too many requests", detail, null);
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
