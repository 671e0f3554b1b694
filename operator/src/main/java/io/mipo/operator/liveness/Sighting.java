package io.mipo.operator.liveness;

import java.time.Instant;

/** The last heartbeat known of a scanner (epoch milliseconds) and the agent facts it carried. */
public record Sighting(long lastSeenMillis, AgentFacts facts) {

    public Instant lastSeen() {
        return Instant.ofEpochMilli(lastSeenMillis);
    }

    /** The later of two sightings; facts come from the later one. */
    public static Sighting latest(Sighting a, Sighting b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return b.lastSeenMillis > a.lastSeenMillis ? b : a;
    }
}
