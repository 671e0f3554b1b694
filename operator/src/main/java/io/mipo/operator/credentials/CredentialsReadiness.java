package io.mipo.operator.credentials;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready until the credentials indexes (External scanners, DaemonSet pods) have listed every Secret and pod: before that, valid API keys would get 401. */
@Readiness
@ApplicationScoped
public class CredentialsReadiness implements HealthCheck {
    @Inject
    CredentialIndex index;

    @Inject
    PodKeys podKeys;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("credentials-index").status(index.isSynced() && podKeys.isSynced()).build();
    }
}
