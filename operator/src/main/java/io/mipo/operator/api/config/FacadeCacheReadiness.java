package io.mipo.operator.api.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the facade's cache has listed its namespace: until then list calls would wait. */
@Readiness
@ApplicationScoped
public class FacadeCacheReadiness implements HealthCheck {
    @Inject
    ScannerIndex index;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("facade-cache").status(index.isSynced())
                .withData("namespace", index.namespace()).build();
    }
}
