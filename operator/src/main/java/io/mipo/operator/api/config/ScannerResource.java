package io.mipo.operator.api.config;

import io.mipo.operator.api.ApiException;
import io.mipo.operator.api.auth.AccessReviewer;
import io.mipo.operator.api.auth.RequestUser;
import io.mipo.operator.api.auth.RequiresAccess;
import io.mipo.operator.binding.BindingService;
import io.mipo.operator.credentials.CredentialService;
import io.mipo.operator.distribution.AgentDistribution;
import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.Scanner;
import io.quarkus.resteasy.reactive.jackson.CustomDeserialization;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/**
 * The Scanners page of the mipo UI (docs/api.md): 15 calls under /api/config/scanners. Reads come
 * from the {@link ScannerIndex}; writes go through {@link ScannerWrites}. Every method declares the
 * Kubernetes permission it needs ({@link RequiresAccess}); the access filter checks it before the
 * method runs. Reads of the cache are {@link NonBlocking}: they run on the event loop, with no
 * thread hand-over, which keeps their latency low on a busy machine. The literal paths (filter-values, binary-hash, install-script-preview, source-code)
 * win over {id} by JAX-RS matching rules, and are never given out as ids.
 */
@Path("/api/config/scanners")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Scanners", description = "The scanner fleet: provisioning, edits, bindings, credentials.")
@SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "A Kubernetes bearer token (checked with a TokenReview; each call with a SubjectAccessReview), or the static admin token.")
@SecurityRequirement(name = "bearer")
@APIResponse(responseCode = "401", description = "No or invalid bearer token.")
@APIResponse(responseCode = "403", description = "The SubjectAccessReview said no.")
public class ScannerResource {
    static final String JSON = MediaType.APPLICATION_JSON;
    static final String MERGE_PATCH = "application/merge-patch+json";

    @Inject
    ScannerIndex index;

    @Inject
    ScannerWrites writes;

    @Inject
    RequestUser user;

    @Inject
    AccessReviewer access;

    @Inject
    io.fabric8.kubernetes.client.KubernetesClient kube;

    @Inject
    BindingService bindings;

    @Inject
    Instance<AgentDistribution> distribution;

    @Context
    UriInfo uri;

    @GET
    @NonBlocking
    @Revalidated
    @RequiresAccess(verb = "list")
    @Operation(summary = "List scanners", description = "Filters of one kind may repeat or be comma-separated and are OR-ed; different filters are AND-ed. "
            + "The ETag is a hash of the answer: send it back as If-None-Match to get 304 while nothing changed (how the web console follows the list).")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(schema = @Schema(implementation = ScannerPage.class)))
    @APIResponse(responseCode = "304", description = "If-None-Match names the current ETag: nothing changed.")
    @APIResponse(responseCode = "400", description = "An unknown filter value, sort key or order, or page/pageSize out of range.")
    public Response list(
            @Parameter(description = "Pending, Active, Offline, Disabled") @QueryParam("status") List<String> status,
            @Parameter(description = "ip, subnet, asn, none") @QueryParam("bindingMode") List<String> bindingMode,
            @Parameter(description = "user name, exact") @QueryParam("createdBy") List<String> createdBy,
            @Parameter(description = "ScannerGroup name") @QueryParam("group") List<String> group,
            @Parameter(description = "case-insensitive substring of name or description") @QueryParam("q") String q,
            @Parameter(description = "name (default), description, status, binding, createdBy, rateLimit, createdAt, lastHeartbeatAt") @QueryParam("sort") String sort,
            @Parameter(description = "asc (default) or desc") @QueryParam("order") String order,
            @Parameter(description = "1-based, default 1", schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.INTEGER, minimum = "1")) @QueryParam("page") String page,
            @Parameter(description = "1-" + ScannerQuery.MAX_PAGE_SIZE + ", default " + ScannerQuery.DEFAULT_PAGE_SIZE, schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.INTEGER, minimum = "1", maximum = "" + ScannerQuery.MAX_PAGE_SIZE)) @QueryParam("pageSize") String pageSize) {
        ScannerQuery query = ScannerQuery.parse(status, bindingMode, createdBy, group, q, sort, order, page, pageSize);
        return Response.ok(index.listJson(query), MediaType.APPLICATION_JSON).build();
    }

    @POST
    @Consumes(JSON)
    @CustomDeserialization(StrictJson.class)
    @RequiresAccess(verb = "create")
    @Operation(summary = "Create a scanner", description = "Creates the Scanner (id = name lower-cased, made unique) and, "
            + "for a binding mode other than none, its ScannerBinding (which also needs create on scannerbindings); answers the "
            + "one-time provisioning token and install command, which are shown only here.")
    @APIResponse(responseCode = "201", description = "Created; Location and ETag name the new scanner.", content = @Content(schema = @Schema(implementation = ScannerResponses.Created.class)))
    @APIResponse(responseCode = "400", description = "Invalid field, unknown field or malformed JSON.")
    @APIResponse(responseCode = "409", description = "NAME_TAKEN or SCANNER_LIMIT_REACHED.")
    @APIResponse(responseCode = "413", description = "Body over " + BodyLimit.MAX_BYTES + " bytes.")
    @APIResponse(responseCode = "415", description = "Not application/json.")
    public Response create(ScannerRequests.Create body) {
        requireBody(body);
        if (body.bindingMode() != null && !body.bindingMode().equalsIgnoreCase(BindingMode.none.name())) {
            access.require(user, "create", "scannerbindings", "", null);
        }
        ScannerWrites.Creation c = writes.create(body, user, baseUrl());
        Scanner s = c.scanner();
        CredentialService.IssuedToken t = c.token();
        ScannerResponses.Created answer = new ScannerResponses.Created(view(s),
                t == null ? null : t.token(), t == null ? null : t.installCommand(), ScannerWrites.tokenExpiry(t));
        return Response.status(201)
                .location(uri.getBaseUriBuilder().path("api/config/scanners").path(s.getMetadata().getName()).build())
                .tag(etag(s))
                .entity(answer)
                .build();
    }

    @GET
    @NonBlocking
    @Revalidated
    @Path("filter-values")
    @RequiresAccess(verb = "list")
    @Operation(summary = "Distinct filter values with counts", description = "For status, bindingMode, createdBy and group: each value present among the scanners, with how many have it.")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(schema = @Schema(implementation = FilterValues.class)))
    public FilterValues filterValues() {
        return index.filterValues();
    }

    @GET
    @Path("binary-hash")
    @RequiresAccess(verb = "list")
    @Operation(summary = "Hashes of the agent bundle", description = "The SHA-256 of each agent bundle, as embedded in the install script.")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(schema = @Schema(implementation = AgentDistribution.BinaryHashes.class)))
    @APIResponse(responseCode = "503", description = "The agent bundle is not part of this installation.")
    public AgentDistribution.BinaryHashes binaryHash() {
        return distribution().hashes();
    }

    @GET
    @Path("install-script-preview")
    @Produces(MediaType.TEXT_PLAIN)
    @RequiresAccess(verb = "list")
    @Operation(summary = "The install script, with a placeholder token")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.TEXT_PLAIN, schema = @Schema(implementation = String.class)))
    @APIResponse(responseCode = "503", description = "The agent bundle is not part of this installation.")
    public String installScriptPreview() {
        return distribution().installScript(baseUrl(), AgentDistribution.PLACEHOLDER_TOKEN);
    }

    @GET
    @Path("source-code")
    @Produces({"application/gzip", JSON})
    @RequiresAccess(verb = "list")
    @Operation(summary = "The agent's source, for review", description = "A gzip-compressed tar archive; with format=json, the list of files with their sizes and SHA-256.")
    @APIResponse(responseCode = "200", description = "OK", content = {
            @Content(mediaType = "application/gzip", schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.STRING, format = "binary")),
            @Content(mediaType = JSON, schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.ARRAY, implementation = AgentDistribution.SourceFile.class))})
    @APIResponse(responseCode = "400", description = "format is neither tar.gz nor json.")
    public Response sourceCode(@Parameter(description = "json to list the files; default: the tarball") @QueryParam("format") String format) {
        if (format == null || format.isEmpty() || format.equals("tar.gz")) {
            return Response.ok(distribution().sourceTarball(), "application/gzip")
                    .header("Content-Disposition", "attachment; filename=\"mipo-scanner-source.tar.gz\"").build();
        }
        if (format.equals("json")) {
            return Response.ok(distribution().sourceFiles(), JSON).build();
        }
        throw ApiException.invalid(List.of(new io.mipo.operator.validation.FieldError("format", "UnknownFormat", "format must be json or tar.gz")));
    }

    @GET
    @NonBlocking
    @Path("{id}")
    @RequiresAccess(verb = "get")
    @Operation(summary = "One scanner", description = "The ETag header carries the scanner's resourceVersion, for If-Match.")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(schema = @Schema(implementation = ScannerView.class)))
    @APIResponse(responseCode = "404", description = "No such scanner.")
    public Response get(@PathParam("id") String id) {
        ScannerRow row = index.row(id).orElseThrow(() -> ApiException.notFound("scanner '" + id + "'"));
        return Response.ok(row.json(), MediaType.APPLICATION_JSON).tag(row.resourceVersion()).build();
    }

    @PUT
    @Path("{id}")
    @Consumes(JSON)
    @CustomDeserialization(StrictJson.class)
    @RequiresAccess(verb = "update")
    @Operation(summary = "Edit name, description, rate limit", description = "Fields left out stay as they are. With If-Match, a stale ETag gives 412.")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(schema = @Schema(implementation = ScannerView.class)))
    @APIResponse(responseCode = "400", description = "Invalid or unknown field, malformed JSON.")
    @APIResponse(responseCode = "404", description = "No such scanner.")
    @APIResponse(responseCode = "409", description = "NAME_TAKEN, or WRITE_CONFLICT (changed concurrently).")
    @APIResponse(responseCode = "412", description = "If-Match does not match the current ETag.")
    public Response update(@PathParam("id") String id, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch, ScannerRequests.Update body) {
        requireNotLiteral(id);
        requireBody(body);
        return written(writes.update(id, body, ifMatch, user));
    }

    @PATCH
    @Path("{id}")
    @Consumes({JSON, MERGE_PATCH})
    @CustomDeserialization(StrictJson.class)
    @RequiresAccess(verb = "update", resource = "scannerbindings")
    @Operation(summary = "Change the source-address binding", description = "Creates, changes or (mode none) removes the scanner's ScannerBinding. Answers the scanner.")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(schema = @Schema(implementation = ScannerView.class)))
    @APIResponse(responseCode = "400", description = "Invalid or unknown field, malformed JSON.")
    @APIResponse(responseCode = "404", description = "No such scanner.")
    @APIResponse(responseCode = "412", description = "If-Match does not match the scanner's current ETag.")
    public Response changeBinding(@PathParam("id") String id, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch, ScannerRequests.BindingChange body) {
        requireNotLiteral(id);
        requireBody(body);
        requireBindingWriteAccess(id, body);
        writes.changeBinding(id, body, ifMatch, user);
        return current(id);
    }

    @DELETE
    @Path("{id}")
    @RequiresAccess(verb = "delete")
    @Operation(summary = "Delete a scanner and revoke its access", description = "Its API key is rejected from the moment this answers; the finalizer then removes credentials, binding and workloads.")
    @APIResponse(responseCode = "204", description = "Deleted.")
    @APIResponse(responseCode = "404", description = "No such scanner.")
    @APIResponse(responseCode = "412", description = "If-Match does not match the current ETag.")
    public Response delete(@PathParam("id") String id, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch) {
        requireNotLiteral(id);
        writes.delete(id, ifMatch, user);
        return Response.noContent().build();
    }

    @GET
    @Path("{id}/binding")
    @RequiresAccess(verb = "get", resource = "scannerbindings")
    @Operation(summary = "Binding details", description = "Mode, value in force, enforcement, mismatch count, last mismatch, recent mismatching addresses.")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(schema = @Schema(implementation = BindingService.BindingDetails.class)))
    @APIResponse(responseCode = "404", description = "No such scanner.")
    public BindingService.BindingDetails binding(@PathParam("id") String id) {
        requireKnown(id);
        return bindings.details(index.namespace(), id);
    }

    @POST
    @Path("{id}/release-binding")
    @RequiresAccess(verb = "update", resource = "scannerbindings")
    @Operation(summary = "Release the binding", description = "Forgets the bound value (learned or explicit) and zeroes the mismatch counters; the next registration or heartbeat learns the new address.")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(schema = @Schema(implementation = BindingService.BindingDetails.class)))
    @APIResponse(responseCode = "404", description = "No such scanner.")
    public BindingService.BindingDetails releaseBinding(@PathParam("id") String id) {
        return writes.releaseBinding(id, user);
    }

    @POST
    @Path("{id}/disable")
    @RequiresAccess(verb = "update")
    @Operation(summary = "Disable (idempotent)", description = "The scanner keeps heartbeating, finishes its current scan and takes no new work.")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(schema = @Schema(implementation = ScannerView.class)))
    @APIResponse(responseCode = "404", description = "No such scanner.")
    public Response disable(@PathParam("id") String id) {
        return written(writes.setDisabled(id, true, user));
    }

    @POST
    @Path("{id}/enable")
    @RequiresAccess(verb = "update")
    @Operation(summary = "Enable (idempotent)")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(schema = @Schema(implementation = ScannerView.class)))
    @APIResponse(responseCode = "404", description = "No such scanner.")
    public Response enable(@PathParam("id") String id) {
        return written(writes.setDisabled(id, false, user));
    }

    @POST
    @Path("{id}/regenerate-token")
    @RequiresAccess(verb = "create", subresource = "regenerate-token")
    @Operation(summary = "Issue a new provisioning token", description = "The old token and the scanner's API key stop working at once; the scanner must be provisioned again with the new command.")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(schema = @Schema(implementation = ScannerResponses.Token.class)))
    @APIResponse(responseCode = "404", description = "No such scanner.")
    @APIResponse(responseCode = "409", description = "NOT_AN_EXTERNAL_SCANNER: DaemonSet scanners have no provisioning token.")
    public ScannerResponses.Token regenerateToken(@PathParam("id") String id) {
        CredentialService.IssuedToken t = writes.regenerateToken(id, user, baseUrl());
        return new ScannerResponses.Token(t.token(), t.installCommand(), ScannerWrites.tokenExpiry(t));
    }

    // ---- helpers ----

    private Response written(Scanner s) {
        return Response.ok(view(s)).tag(etag(s)).build();
    }

    private Response current(String id) {
        ScannerRow row = index.row(id).orElseThrow(() -> ApiException.notFound("scanner '" + id + "'"));
        return Response.ok(row.view()).tag(row.resourceVersion()).build();
    }

    /** The view of a scanner just written: the index holds it already (read your own writes). */
    private ScannerView view(Scanner s) {
        return index.row(s.getMetadata().getName()).map(ScannerRow::view)
                .orElseThrow(() -> ApiException.notFound("scanner '" + s.getMetadata().getName() + "'"));
    }

    private static String etag(Scanner s) {
        return s.getMetadata().getResourceVersion();
    }

    /**
     * PUT /binary-hash would otherwise reach the {id} method (JAX-RS falls back to the template
     * when the literal path has no such method): it is a wrong method on a literal path, not a
     * write to a scanner of that name.
     */
    private static void requireNotLiteral(String id) {
        if (ScannerIds.isReserved(id)) {
            throw new ApiException(405, "METHOD_NOT_ALLOWED", "Method not allowed",
                    "/api/config/scanners/" + id + " only answers GET");
        }
    }

    private void requireKnown(String id) {
        if (index.scanner(id).isEmpty()) {
            throw ApiException.notFound("scanner '" + id + "'");
        }
    }

    private AgentDistribution distribution() {
        if (!distribution.isResolvable()) {
            throw new ApiException(503, "AGENT_DISTRIBUTION_UNAVAILABLE", "Service unavailable",
                    "this installation does not include the scanner agent bundle");
        }
        return distribution.get();
    }

    /**
     * A PATCH that creates the ScannerBinding needs {@code create scannerbindings}, one that
     * removes it (mode none) {@code delete scannerbindings}, on top of the {@code update} every
     * PATCH needs: kubectl would need the same to do the same.
     */
    private void requireBindingWriteAccess(String id, ScannerRequests.BindingChange body) {
        boolean removing = "none".equals(body.bindingMode());
        boolean exists = kube.resources(io.mipo.operator.model.ScannerBinding.class).inNamespace(index.namespace())
                .withName(id).get() != null;
        if (removing && exists) {
            access.require(user, "delete", "scannerbindings", "", id);
        } else if (!removing && !exists && body.bindingMode() != null) {
            access.require(user, "create", "scannerbindings", "", id);
        }
    }

    private static void requireBody(Object body) {
        if (body == null) {
            throw new ApiException(400, "BODY_REQUIRED", "Invalid request", "send a JSON object as the request body");
        }
    }

    /** Scheme, host and port the request came to; used in install commands when mipo.public-url is unset. */
    private String baseUrl() {
        String s = uri.getBaseUri().toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
