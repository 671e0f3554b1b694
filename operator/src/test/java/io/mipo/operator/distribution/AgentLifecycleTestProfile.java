package io.mipo.operator.distribution;

import io.mipo.operator.liveness.LivenessTestProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The liveness test timings, a distribution that serves agent version {@value #SERVED} (a
 * bundles.properties without bundles, in a temporary directory) and a configured minimum of
 * {@value #MINIMUM}, so that outdated and too-old agents can both be shown.
 */
public class AgentLifecycleTestProfile extends LivenessTestProfile {
    public static final String SERVED = "1.5.0";
    public static final String MINIMUM = "1.0.0";
    static final Path DIR = distribution();

    private static Path distribution() {
        try {
            Path dir = Files.createTempDirectory("mipo-distribution-");
            Files.writeString(dir.resolve("bundles.properties"), "version=" + SERVED + "\nbundles=\n");
            dir.toFile().deleteOnExit();
            dir.resolve("bundles.properties").toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = new HashMap<>(super.getConfigOverrides());
        m.put("mipo.distribution.dir", DIR.toString());
        m.put("mipo.agent.minimum-version", MINIMUM);
        return m;
    }
}
