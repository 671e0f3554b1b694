package io.mipo.operator.observability;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetricsV2;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Java Operator SDK's reconciliation metrics, exported under the operator's prefix.
 *
 * <p>The extension's own metrics bean is built when Micrometer binds its meter binders, which
 * may come after the operator asked for it (it then keeps a no-op); this bean is built from the
 * registry itself, so the SDK always reports. The SDK names its meters without a prefix
 * ({@code reconciliations.started.total}, {@code custom_resources}, ...); {@link #sdkPrefix()}
 * puts {@code mipo.} in front of exactly those names, so they read {@code mipo_reconciliations_*}
 * like the operator's own metrics. docs/metrics.md lists them.
 */
public class SdkMetrics {
    /** The SDK's meter names (JOSDK MicrometerMetricsV2), before the prefix. */
    static final Set<String> SDK_METERS = Set.of(
            MicrometerMetricsV2.RECONCILIATIONS_STARTED,
            MicrometerMetricsV2.RECONCILIATIONS_SUCCESS,
            MicrometerMetricsV2.RECONCILIATIONS_FAILED,
            MicrometerMetricsV2.RECONCILIATIONS_RETRIES_NUMBER,
            MicrometerMetricsV2.RECONCILIATIONS_EXECUTIONS_GAUGE,
            MicrometerMetricsV2.RECONCILIATIONS_QUEUE_SIZE_GAUGE,
            MicrometerMetricsV2.NUMBER_OF_RESOURCE_GAUGE,
            MicrometerMetricsV2.RECONCILIATION_EXECUTION_DURATION,
            "events.received");

    static final String PREFIX = "mipo.";

    /** The SDK's counters per controller, created at zero when the controller registers. */
    static final List<String> COUNTERS = List.of(
            MicrometerMetricsV2.RECONCILIATIONS_STARTED,
            MicrometerMetricsV2.RECONCILIATIONS_SUCCESS,
            MicrometerMetricsV2.RECONCILIATIONS_FAILED,
            MicrometerMetricsV2.RECONCILIATIONS_RETRIES_NUMBER);

    @Produces
    @Singleton
    Metrics operatorSdkMetrics(MeterRegistry registry) {
        return new ZeroedCounters(MicrometerMetricsV2.newBuilder(registry).build(), registry);
    }

    /**
     * The SDK creates a counter on its first increment, so a controller that never failed has no
     * failure series and a failure ratio has nothing to divide. This creates them at zero (same
     * name and tag as the SDK's, so the SDK then increments these) and delegates all else. The SDK
     * calls reconciliationStarted and reconciliationFinished on the reconciling thread around each
     * reconciliation: there the resource goes into the logging MDC ({@link ReconcileMdc}).
     */
    static final class ZeroedCounters implements Metrics {
        private final Metrics delegate;
        private final MeterRegistry registry;

        ZeroedCounters(Metrics delegate, MeterRegistry registry) {
            this.delegate = delegate;
            this.registry = registry;
        }

        @Override
        public void controllerRegistered(Controller<? extends HasMetadata> controller) {
            delegate.controllerRegistered(controller);
            String name = controller.getConfiguration().getName();
            for (String counter : COUNTERS) {
                registry.counter(counter, "controller.name", name);
            }
        }

        @Override
        public void eventReceived(Event event, Map<String, Object> metadata) {
            delegate.eventReceived(event, metadata);
        }

        @Override
        public void reconciliationSubmitted(HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
            delegate.reconciliationSubmitted(resource, retryInfo, metadata);
        }

        @Override
        public void reconciliationStarted(HasMetadata resource, Map<String, Object> metadata) {
            ReconcileMdc.set(resource);
            delegate.reconciliationStarted(resource, metadata);
        }

        @Override
        public void reconciliationFailed(HasMetadata resource, RetryInfo retryInfo, Exception exception, Map<String, Object> metadata) {
            delegate.reconciliationFailed(resource, retryInfo, exception, metadata);
        }

        @Override
        public void reconciliationSucceeded(HasMetadata resource, Map<String, Object> metadata) {
            delegate.reconciliationSucceeded(resource, metadata);
        }

        @Override
        public void reconciliationFinished(HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
            try {
                delegate.reconciliationFinished(resource, retryInfo, metadata);
            } finally {
                ReconcileMdc.clear();
            }
        }

        @Override
        public void cleanupDone(ResourceID resourceID, Map<String, Object> metadata) {
            delegate.cleanupDone(resourceID, metadata);
        }

        @Override
        public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
            return delegate.timeControllerExecution(execution);
        }
    }

    @Produces
    @Singleton
    MeterFilter sdkPrefix() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return SDK_METERS.contains(id.getName()) ? id.withName(PREFIX + id.getName()) : id;
            }
        };
    }
}
