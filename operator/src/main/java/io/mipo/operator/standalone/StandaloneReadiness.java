package io.mipo.operator.standalone;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of standalone mode's embedded API server: down while its objects cannot be saved (a
 * restart would lose what was written since). The Operator SDK's own check covers the reconcilers
 * (started, informers synced); in cluster mode this check has nothing to say and is up.
 */
@Readiness
@ApplicationScoped
public class StandaloneReadiness implements HealthCheck {

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("mipo standalone store");
        var running = StandaloneBoot.running();
        if (running.isEmpty()) {
            return b.up().withData("standalone", false).build();
        }
        EmbeddedApiServer server = running.get().apiServer();
        b.withData("standalone", true)
                .withData("apiServer", server.url())
                .withData("objects", server.objectCount());
        server.lastSavedAt().ifPresent(t -> b.withData("lastSavedAt", t.toString()));
        var error = server.saveError();
        if (error.isPresent()) {
            return b.down().withData("saveError", error.get()).build();
        }
        return b.up().build();
    }
}
