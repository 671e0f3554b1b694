package io.mipo.operator.distribution;

import io.mipo.operator.config.MipoConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Optional;

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

    @Inject
    BundleDistribution distribution;

    @Inject
    MipoConfig config;

    private volatile String served;
    private volatile Minimum minimum;
    private volatile Parsed lastAgent;
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
        return Optional.ofNullable(minimum().text());
    }

    /**
     * The minimum for the configured and served versions of now, worked out again only when either
     * text changed: every heartbeat asks for it, and the served text changes with a new bundle only.
     */
    private Minimum minimum() {
        String configured = config.agent().minimumVersion().filter(v -> !v.isBlank()).orElse(null);
        String servedNow = servedVersion().orElse(null);
        Minimum m = minimum;
        if (m != null && java.util.Objects.equals(m.configured(), configured) && java.util.Objects.equals(m.served(), servedNow)) {
            return m;
        }
        String text = configured != null ? configured : servedNow == null ? null : defaultMinimum(servedNow).orElse(null);
        m = new Minimum(configured, servedNow, text, text == null ? null : numbers(text));
        minimum = m;
        return m;
    }

    /** The minimum worked out from a configured and a served text; {@code numbers} null when it is not a version. */
    private record Minimum(String configured, String served, String text, int[] numbers) {
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
        Minimum min = minimum();
        if (min.text() == null || !older(agentNumbers(agentVersion), min.numbers())) {
            return Optional.empty();
        }
        String url = config.publicUrl().filter(u -> !u.isBlank()).map(u -> u.replaceAll("/+$", "")).orElse("<mipo-url>");
        return Optional.of("agent version " + abbreviate(agentVersion) + " is older than the oldest this operator accepts ("
                + min.text() + "; it serves " + servedVersion().orElse("no bundle")
                + "). Upgrade the agent on its host, keeping its API key: sudo /opt/mipo-scanner/bin/mipo-scanner upgrade"
                + " (or: curl -fsSL " + url + "/scanner/install | sudo MIPO_UPGRADE=1 sh)");
    }

    /** The numbers of an agent's version, from the last text read when it is the same (a fleet mostly runs one version). */
    private int[] agentNumbers(String agentVersion) {
        if (agentVersion == null) {
            return null;
        }
        Parsed last = lastAgent;
        if (last != null && last.text().equals(agentVersion)) {
            return last.numbers();
        }
        int[] n = numbers(agentVersion);
        lastAgent = new Parsed(agentVersion, n);
        return n;
    }

    private record Parsed(String text, int[] numbers) {
    }

    /** {@code a} is an older release than {@code b}; false when either is not a version. */
    static boolean older(String a, String b) {
        return older(numbers(a), numbers(b));
    }

    private static boolean older(int[] x, int[] y) {
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

    /**
     * major, minor and patch (0 when missing) of a text that starts, after blanks, with an optional
     * {@code v}, then {@code major.minor} and optionally {@code .patch}, each of 1 to 9 digits (more
     * digits of minor or patch are ignored, like any suffix); null when it does not. Read character by
     * character: it runs for every heartbeat ({@code AgentVersionPolicyTest} compares it with the
     * regular expression {@code ^v?(\d{1,9})\.(\d{1,9})(?:\.(\d{1,9}))?} on the trimmed text).
     */
    static int[] numbers(String v) {
        if (v == null) {
            return null;
        }
        int end = v.length();
        while (end > 0 && v.charAt(end - 1) <= ' ') {
            end--;
        }
        int i = 0;
        while (i < end && v.charAt(i) <= ' ') {
            i++;
        }
        if (i < end && v.charAt(i) == 'v') {
            i++;
        }
        int[] n = new int[3];
        int at = i;
        for (int part = 0; part < 3; part++) {
            if (part > 0) {
                if (at >= end || v.charAt(at) != '.') {
                    return part == 1 ? null : n;
                }
                at++;
            }
            int start = at;
            int value = 0;
            while (at < end && at - start < 9 && isDigit(v.charAt(at))) {
                value = value * 10 + (v.charAt(at) - '0');
                at++;
            }
            if (at == start) {
                return part < 2 ? null : n; // "1.2." is 1.2.0, as the optional patch group makes it
            }
            if (part == 0 && at < end && isDigit(v.charAt(at))) {
                return null; // a major of more than 9 digits is not followed by its '.'
            }
            n[part] = value;
        }
        return n;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static String abbreviate(String s) {
        String clean = s.replaceAll("[^A-Za-z0-9_.+-]", "?");
        return clean.length() > 40 ? clean.substring(0, 40) + "…" : clean;
    }
}
