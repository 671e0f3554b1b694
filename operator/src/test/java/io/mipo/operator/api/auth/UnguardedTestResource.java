package io.mipo.operator.api.auth;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** A call under /api that forgot its @RequiresAccess: the access filter must refuse it (fail closed). */
@Path("/api/test-only/unguarded")
public class UnguardedTestResource {
    @GET
    @Operation(hidden = true)
    public String secret() {
        return "should never be served";
    }
}
