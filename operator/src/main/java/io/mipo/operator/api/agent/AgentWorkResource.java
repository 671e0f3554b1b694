package io.mipo.operator.api.agent;

import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import io.mipo.operator.core.AgentCallGuard;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mipo.operator.api.ApiException;
import io.mipo.operator.core.ScannerRef;
import io.mipo.operator.core.ReconcileTrigger;
import io.mipo.operator.model.Scanner;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The agent calls that carry work (docs/api.md#agent-ingest-api): {@code GET /scanner/assignments} tells an agent what
 * to scan and how fast, {@code POST /scanner/results} takes what it found. Both authenticate with
 * the API key and run the call guards (source-address binding) through {@link AgentAuthenticator}.
 */
@Path("/scanner")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Agent work", description = "What agents scan and what they found (docs/api.md#agent-ingest-api).")
public class AgentWorkResource {
    /** Up to {@link Findings#MAX_BATCH} findings of about 120 bytes each, with room for JSON whitespace. */
    static final int MAX_RESULTS_BODY_BYTES = 512 * 1024;

    /** What an agent is told: {@code maxProbesPerSecond} 0 = unlimited, may be fractional. */
    public record WorkItem(String group, String subnet, String ports, double maxProbesPerSecond) {
    }

    /** {@code version} equals the {@code assignmentsVersion} of heartbeats. */
    public record AssignmentsAnswer(boolean disabled, String version, List<WorkItem> assignments) {
    }

    @Inject
    AgentAuthenticator authenticator;

    @Inject
    AgentClientAddress clientAddress;

    /** The Scanner cache heartbeats read too, so the version here never trails the heartbeat's. */
    @Inject
    ReconcileTrigger scanners;

    @Inject
    ResultsLog results;

    @Inject
    FindingsPolicy findingsPolicy;

    @Inject
    io.mipo.operator.group.AssignmentContributor allAssignments;

    @Inject
    ObjectMapper mapper;

    Clock clock = Clock.systemUTC();

    @GET
    @Path("assignments")
    @Operation(summary = "The scanner's assignments", description = "Authenticated with the API key (Authorization: Bearer mipo_sk_...). "
            + "version equals the assignmentsVersion of heartbeats; maxProbesPerSecond 0 = unlimited, may be fractional. A disabled scanner gets disabled: true and no assignments. "
            + "The pods of a DaemonSet scanner share its rate equally: each is told the scanner's rate divided by the number of its pods.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = AssignmentsAnswer.class)))
    @APIResponse(responseCode = "401", description = "INVALID_API_KEY.")
    @APIResponse(responseCode = "403", description = "IP_BINDING_VIOLATION.")
    public AssignmentsAnswer assignments(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                         @Context HttpServerRequest request) {
        ScannerRef ref = authenticate(authorization, request, AgentCallGuard.Call.ASSIGNMENTS);
        Scanner scanner = scanners.scanner(ref).orElse(null);
        List<WorkItem> work = AgentWork.items(scanner, allAssignments.all(scanner));
        return new AssignmentsAnswer(AgentWork.disabled(scanner), AssignmentsVersion.of(work), work);
    }

    @POST
    @Path("results")
    @Operation(summary = "Report findings", description = "Body {findings: [{ip, port, state (open|closed|filtered), observedAt (RFC 3339)}]}, "
            + "at most " + Findings.MAX_BATCH + " per batch; taken whole or refused whole. Each finding is written as one JSON line to the log category mipo.results.")
    @APIResponse(responseCode = "202", description = "The batch was taken: accepted is the number of findings.",
            content = @Content(schema = @Schema(implementation = ResultsMessages.Accepted.class)))
    @APIResponse(responseCode = "400", description = "A bad finding (errors[] names each field) or malformed JSON.")
    @APIResponse(responseCode = "401", description = "INVALID_API_KEY.")
    @APIResponse(responseCode = "403", description = "IP_BINDING_VIOLATION.")
    @APIResponse(responseCode = "413", description = "BATCH_TOO_LARGE or BODY_TOO_LARGE.")
    @APIResponse(responseCode = "422", description = "TARGET_NOT_ASSIGNED: a finding is outside every target assigned to the scanner (errors[] names each); nothing was taken.")
    @APIResponse(responseCode = "429", description = "FINDINGS_RATE_LIMITED: more than mipo.limits.findings-per-minute; Retry-After says when to send the batch again.")
    public Response results(@RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ResultsMessages.Batch.class))) byte[] body, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                            @Context HttpServerRequest request) {
        ScannerRef ref = authenticate(authorization, request, AgentCallGuard.Call.RESULTS);
        if (body != null && body.length > MAX_RESULTS_BODY_BYTES) {
            throw new ApiException(413, "BODY_TOO_LARGE", "Payload too large", "the request body has " + body.length
                    + " bytes; results calls accept at most " + MAX_RESULTS_BODY_BYTES + " (send smaller batches)");
        }
        JsonNode json;
        try {
            json = body == null || body.length == 0 ? null : mapper.readTree(body);
        } catch (JsonProcessingException e) {
            // Not e.getMessage(): it may quote the body.
            throw new ApiException(400, "MALFORMED_JSON", "Invalid request", "the body is not valid JSON");
        } catch (IOException e) {
            throw new ApiException(400, "MALFORMED_JSON", "Invalid request", "the body could not be read");
        }
        List<Findings.Finding> findings = Findings.parse(json);
        Scanner reporting = scanners.scanner(ref).orElse(null);
        findingsPolicy.check(ref, AgentWork.items(reporting, allAssignments.all(reporting)), findings);
        results.write(ref.namespace(), ref.name(), findings, clock.instant());
        return Response.accepted(new ResultsMessages.Accepted(findings.size())).build();
    }

    private ScannerRef authenticate(String authorization, HttpServerRequest request, AgentCallGuard.Call call) {
        Optional<InetAddress> client = clientAddress.of(request);
        return authenticator.authenticate(authorization, request.getHeader(io.mipo.operator.credentials.LateRegistrations.SCANNER_HEADER),
                client.orElse(null), call);
    }
}
