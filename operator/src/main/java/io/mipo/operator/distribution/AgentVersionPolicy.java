package io.mipo.operator.distribution;

import io.mipo.operator.config.MipoConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which agent versions this operator serves and accepts (docs/operations.md, "Upgrading agents"):
 * it serves the version of the bundles it has ({@code bundles.properties}); it accepts agents from
 * {@code mipo.agent.minimum-version}, by default one minor version behind the served one
 * (serving 1.4.x accepts 1.3.0 and later; serving 1.0.x accepts 1.0.0 and later), and any newer
 * agent. Versions compare by their numeric major.minor.patch; a pre-release suffix
 * ({@code -SNAPSHOT}) is ignored, and an agent that reports no parseable version is accepted.
 * The served version is read from disk at most every {@link #REFRESH_MILLIS}, so heartbeats cost
 * no I/O and a rebuilt or replaced distribution is picked up within seconds.
 */
@ApplicationScoped
public class AgentVersionPolicy {
    static final long REFRESH_MILLIS = 2000;
    private static final Pattern VERSION = Pattern.compile("^v?(\\d{1,9})\\.(\\d{1,9})(?:\\.(\\d{1,9}))?");

    @Inject
    BundleDistribution distribution;

    @Inject
    MipoConfig config;

    private volatile String served;
    private volatile long readAt = Long.MIN_VALUE;
    private final java.util.concurrent.atomic.AtomicBoolean rereading = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * The agent version this operator's bundles carry; empty when it has none. Only the first call
     * reads the disk itself; later re-reads run in the background, so that a heartbeat answered on
     * the event loop never waits for I/O (the answer is then at most a re-read late).
     */
    public Optional<String> servedVersion() {
        long now = System.currentTimeMillis();
        if (readAt == Long.MIN_VALUE) {
            read(now);
        } else if (now - readAt >= REFRESH_MILLIS && rereading.compareAndSet(false, true)) {
            try {
                io.smallrye.mutiny.infrastructure.Infrastructure.getDefaultWorkerPool().execute(() -> {
                    try {
                        read(System.currentTimeMillis());
                    } finally {
                        rereading.set(false);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                rereading.set(false); // shutting down
            }
        }
        return Optional.ofNullable(served).filter(v -> !v.isBlank());
    }

    private void read(long now) {
        String v;
        try {
            v = distribution.version().orElse(null);
        } catch (RuntimeException e) {
            v = null;
        }
        served = v;
        readAt = now;
    }

    /** The oldest agent version accepted; empty when there is no minimum (nothing served, none configured). */
    public Optional<String> minimumVersion() {
        Optional<String> configured = config.agent().minimumVersion().filter(v -> !v.isBlank());
        if (configured.isPresent()) {
            return configured;
        }
        return servedVersion().flatMap(AgentVersionPolicy::defaultMinimum);
    }

    /** The policy's default: x.(y-1).0 for a served x.y.z, x.0.0 for x.0.z. */
    static Optional<String> defaultMinimum(String served) {
        int[] v = numbers(served);
        if (v == null) {
            return Optional.empty();
        }
        return Optional.of(v[0] + "." + Math.max(0, v[1] - 1) + ".0");
    }

    /** True when the agent reported a version older than the one served (an upgrade is available). */
    public boolean outdated(String agentVersion) {
        return servedVersion().map(s -> older(agentVersion, s)).orElse(false);
    }

    /**
     * Why an agent of this version is refused, or empty when it is accepted: an agent below the
     * minimum. The agent API answers it as 426 AGENT_OUTDATED; the text names both versions and
     * the upgrade commands.
     */
    public Optional<String> tooOld(String agentVersion) {
        Optional<String> min = minimumVersion();
        if (min.isEmpty() || !older(agentVersion, min.get())) {
            return Optional.empty();
        }
        String url = config.publicUrl().filter(u -> !u.isBlank()).map(u -> u.replaceAll("/+$", "")).orElse("<mipo-url>");
        return Optional.of("agent version " + abbreviate(agentVersion) + " is older than the oldest this operator accepts ("
                + min.get() + "; it serves " + servedVersion().orElse("no bundle")
                + "). Upgrade the agent on its host, keeping its API key: sudo /opt/mipo-scanner/bin/mipo-scanner upgrade"
                + " (or: curl -fsSL " + url + "/scanner/install | sudo MIPO_UPGRADE=1 sh)");
    }

    /** {@code a} is an older release than {@code b}; false when either is not a version. */
    static boolean older(String a, String b) {
        int[] x = numbers(a);
        int[] y = numbers(b);
        if (x == null || y == null) {
            return false;
        }
        for (int i = 0; i < 3; i++) {
            if (x[i] != y[i]) {
                return x[i] < y[i];
            }
        }
        return false;
    }

    static int[] numbers(String v) {
        if (v == null) {
            return null;
        }
        Matcher m = VERSION.matcher(v.trim());
        if (!m.find()) {
            return null;
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
            m.group(3) == null ? 0 : Integer.parseInt(m.group(3))};
    }

    private static String abbreviate(String s) {
        String clean = s.replaceAll("[^A-Za-z0-9_.+-]", "?");
        return clean.length() > 40 ? clean.substring(0, 40) + "…" : clean;
    }
}
