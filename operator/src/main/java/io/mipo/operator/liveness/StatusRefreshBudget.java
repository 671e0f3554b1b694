package io.mipo.operator.liveness;

/**
 * A token bucket for status refreshes (lastHeartbeatTime, agent) across all scanners: at most
 * {@code perMinute} a minute, in bursts of at most a quarter of that. Phase changes do not draw
 * from it: they have their own bucket ({@link TransitionGate}).
 */
public final class StatusRefreshBudget {
    private final double perMilli;
    private final double capacity;
    private double tokens;
    private long last;

    public StatusRefreshBudget(int perMinute, long nowMillis) {
        this.perMilli = perMinute / 60_000.0;
        this.capacity = Math.max(1, perMinute / 4.0);
        this.tokens = capacity;
        this.last = nowMillis;
    }

    public synchronized boolean tryAcquire(long nowMillis) {
        if (nowMillis > last) {
            tokens = Math.min(capacity, tokens + (nowMillis - last) * perMilli);
            last = nowMillis;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
