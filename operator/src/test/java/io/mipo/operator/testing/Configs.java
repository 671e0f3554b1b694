package io.mipo.operator.testing;

import io.mipo.operator.config.MipoConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.time.Duration;
import java.util.Map;

/** A {@link MipoConfig} with the code's defaults and the given properties, for unit tests (no Quarkus boot). */
public final class Configs {
    private Configs() {
    }

    public static MipoConfig mipo(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "test", 300))
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(MipoConfig.class)
                .build()
                .getConfigMapping(MipoConfig.class);
    }
}
