package io.mipo.operator.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mipo.operator.binding.BindingObservations;
import io.mipo.operator.binding.LiveAsnDatabase;
import io.mipo.operator.liveness.Leadership;
import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.Enforcement;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The operator's own state as metrics (see docs/metrics.md): which version runs, whether this
 * replica leads, and how old the AS database in use is.
 */
@Startup
@ApplicationScoped
public class OperatorMetrics {
    public static final String BUILD_INFO = "mipo.build.info";
    public static final String LEADER = "mipo.leader";
    public static final String ASN_DATABASE_AGE = "mipo.asn.database.age";

    @Inject
    MeterRegistry registry;

    @Inject
    Leadership leadership;

    @Inject
    LiveAsnDatabase asnDatabase;

    @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown")
    String version;

    Clock clock = Clock.systemUTC();

    @PostConstruct
    void register() {
        Gauge.builder(BUILD_INFO, () -> 1)
                .description("Always 1; the version label says which build of the operator runs")
                .tag("version", version)
                .strongReference(true)
                .register(registry);
        Gauge.builder(LEADER, this, m -> m.leadership.isLeader() ? 1 : 0)
                .description("1 on the replica that holds the leader-election Lease and runs the reconcilers (or runs without election), 0 on the others")
                .register(registry);
        Gauge.builder(ASN_DATABASE_AGE, this, OperatorMetrics::asnDatabaseAgeSeconds)
                .description("Seconds since the AS database in use was built (MaxMind DB build time, else the file's modification time); NaN when none is loaded")
                .baseUnit("seconds")
                .register(registry);
        // BindingObservations counts mismatches per mode and enforcement on the first one; created here
        // at zero (the same meters), so that rates and the MipoBindingMismatches alert have series
        for (BindingMode mode : BindingMode.values()) {
            for (Enforcement enforcement : Enforcement.values()) {
                if (mode != BindingMode.none) {
                    Counter.builder(BindingObservations.METRIC)
                            .description("Agent calls whose source address did not satisfy the scanner's binding (rejected or audited)")
                            .tag("mode", mode.name()).tag("enforcement", enforcement.name())
                            .register(registry);
                }
            }
        }
    }

    /**
     * The injected registry is Micrometer's global one, which outlives the application when it is
     * restarted in the same JVM (tests with another profile, dev mode): a gauge registered again
     * under the same name would stay bound to the previous application's objects. Removing the
     * operator's meters when the application stops makes the next start register fresh ones.
     */
    void onStop(@Observes ShutdownEvent event) {
        for (Meter m : List.copyOf(registry.getMeters())) {
            if (m.getId().getName().startsWith("mipo.")) {
                registry.remove(m);
            }
        }
    }

    double asnDatabaseAgeSeconds() {
        Optional<Instant> built = asnDatabase.dataTime();
        return built.map(t -> Duration.between(t, clock.instant()).toMillis() / 1000.0).orElse(Double.NaN);
    }
}
