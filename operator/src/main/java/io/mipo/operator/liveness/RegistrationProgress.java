package io.mipo.operator.liveness;

import java.time.Duration;
import java.time.Instant;

/**
 * A registration whose agent never heartbeated: the token was exchanged for a key, but nothing was
 * heard from the agent afterwards (it never got the answer, could not store the key, or its host
 * went away). Past offline-after (and any new leader's grace) the Registered condition says so, with
 * reason {@code RegistrationIncomplete}, instead of a plain Offline: only a new token helps, unless the
 * agent retries within {@link io.mipo.operator.credentials.RegistrationRetry#WINDOW}.
 *
 * <p>The registration itself is recorded as a sighting at exactly {@code registeredAt} (second
 * precision); a real heartbeat is always later.
 */
public final class RegistrationProgress {
    public static final String REASON = "RegistrationIncomplete";

    private RegistrationProgress() {
    }

    /** Whether the condition should say RegistrationIncomplete at {@code now}. */
    public static boolean incomplete(Instant registeredAt, Sighting sighting, Instant now, Duration offlineAfter, Instant graceUntil) {
        boolean heardFrom = sighting != null && sighting.lastSeen().isAfter(registeredAt);
        return !heardFrom && !now.isBefore(registeredAt.plus(offlineAfter)) && (graceUntil == null || !now.isBefore(graceUntil));
    }

    public static String message(String scanner, Instant registeredAt) {
        return "The provisioning token was used at " + io.mipo.operator.kube.Times.format(registeredAt)
                + " but the agent never sent a heartbeat: it may not have received or stored its API key. Regenerate the token of "
                + scanner + " and run the new install command.";
    }
}
