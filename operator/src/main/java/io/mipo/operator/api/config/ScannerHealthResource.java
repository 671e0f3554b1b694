package io.mipo.operator.api.config;

import io.mipo.operator.api.auth.RequiresAccess;
import io.mipo.operator.model.AgentInfo;
import io.mipo.operator.model.Scanner;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.ArrayList;
import java.util.List;

/** The scanner-health page of the mipo UI: liveness and addresses of every scanner, by name. */
@Path("/api/scanners")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Scanner health")
@SecurityRequirement(name = "bearer")
public class ScannerHealthResource {

    /** One page of health rows. */
    @Schema(name = "ScannerHealthPage")
    public record Page(List<ScannerHealthView> items, int total, int page, int pageSize) {
    }

    @Inject
    ScannerIndex index;

    @GET
    @NonBlocking
    @Revalidated
    @RequiresAccess(verb = "list")
    @Operation(summary = "Scanner health", description = "Name, status, agent version, external and internal address, hostname and last heartbeat of each scanner, sorted by name. The ETag is a hash of the answer, for If-None-Match (304 while nothing changed).")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(schema = @Schema(implementation = Page.class)))
    @APIResponse(responseCode = "400", description = "Unknown status or page/pageSize out of range.")
    public Page health(@Parameter(description = "Pending, Active, Offline, Disabled") @QueryParam("status") List<String> status,
                       @Parameter(description = "case-insensitive substring of name or description") @QueryParam("q") String q,
                       @Parameter(description = "1-based, default 1", schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.INTEGER, minimum = "1")) @QueryParam("page") String page,
                       @Parameter(description = "1-" + ScannerQuery.MAX_PAGE_SIZE + ", default " + ScannerQuery.DEFAULT_PAGE_SIZE, schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.INTEGER, minimum = "1", maximum = "" + ScannerQuery.MAX_PAGE_SIZE)) @QueryParam("pageSize") String pageSize) {
        ScannerQuery query = ScannerQuery.parse(status, null, null, null, q, null, null, page, pageSize);
        ScannerPage rows = index.list(query);
        List<ScannerHealthView> items = new ArrayList<>(rows.items().size());
        for (ScannerView v : rows.items()) {
            AgentInfo agent = index.scanner(v.id()).map(Scanner::getStatus).map(s -> s.getAgent()).orElse(null);
            items.add(new ScannerHealthView(v.id(), v.name(), v.status(),
                    agent == null ? null : agent.getVersion(),
                    agent == null ? null : agent.getSourceAddress(),
                    agent == null ? null : agent.getInternalIp(),
                    agent == null ? null : agent.getHostname(),
                    v.lastHeartbeatAt()));
        }
        return new Page(items, rows.total(), rows.page(), rows.pageSize());
    }
}
