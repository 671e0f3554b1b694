package io.mipo.operator.api.config;

import io.mipo.operator.api.ApiException;
import io.mipo.operator.api.auth.CurrentUser;
import io.mipo.operator.api.auth.RequiresAccess;
import io.mipo.operator.group.GroupCache;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerGroup;
import io.mipo.operator.validation.Texts;
import io.quarkus.resteasy.reactive.jackson.CustomDeserialization;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The groups page of the mipo UI (docs/api.md, "Beyond the Scanners page"): HTTP only, like
 * {@link ScannerResource}. Reads come from the fleet cache ({@link GroupQuery} filters and sorts,
 * {@link GroupViews} builds what is shown); writes ({@link GroupWrites}) go to the API server and
 * answer with the written state. Membership is kept as the label
 * {@code mipo.io/group.<id>: "true"} on each member Scanner, so kubectl shows it.
 */
@Path("/api/config/scanner-groups")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Scanner groups", description = "Groups of scanners that scan the same targets and share each target's subnet rate limit.")
@SecurityRequirement(name = "bearer")
@APIResponse(responseCode = "401", description = "No or invalid bearer token.")
@APIResponse(responseCode = "403", description = "The SubjectAccessReview said no.")
public class ScannerGroupResource {
    static final String RESOURCE = "scannergroups";
    static final int MAX_TARGETS = 1000;

    @Inject
    GroupCache cache;

    @Inject
    GroupViews views;

    @Inject
    GroupWrites writes;

    @Inject
    CurrentUser user;

    @GET
    @Revalidated
    @RequiresAccess(verb = "list", resource = RESOURCE)
    @Operation(summary = "List groups", description = "Filters of one kind may repeat or be comma-separated and are OR-ed; different filters are AND-ed.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = GroupPage.class)))
    @APIResponse(responseCode = "400", description = "An unknown status, sort key or order, or page/pageSize out of range.")
    public GroupPage list(
            @Parameter(description = "Ready, NoMembers, Invalid") @QueryParam("status") List<String> status,
            @Parameter(description = "user name, exact") @QueryParam("createdBy") List<String> createdBy,
            @Parameter(description = "scanner id: groups that have it as a member") @QueryParam("scanner") List<String> scanner,
            @Parameter(description = "case-insensitive substring of name or description") @QueryParam("q") String q,
            @Parameter(description = "name (default), status, createdAt, memberCount") @QueryParam("sort") String sort,
            @Parameter(description = "asc (default) or desc") @QueryParam("order") String order,
            @Parameter(description = "1-based, default 1") @QueryParam("page") String page,
            @Parameter(description = "1-" + GroupQuery.MAX_PAGE_SIZE + ", default " + GroupQuery.DEFAULT_PAGE_SIZE) @QueryParam("pageSize") String pageSize) {
        GroupQuery query = GroupQuery.parse(status, createdBy, scanner, q, sort, order, page, pageSize);
        List<GroupView> all = cache.groups(user.namespace()).stream()
                .map(views::view)
                .filter(query.filter())
                .sorted(query.order())
                .toList();
        long from = (long) (query.page() - 1) * query.pageSize();
        List<GroupView> items = from >= all.size() ? List.of()
                : all.subList((int) from, (int) Math.min(all.size(), from + query.pageSize()));
        return new GroupPage(items, all.size(), query.page(), query.pageSize());
    }

    @GET
    @Path("filter-values")
    @RequiresAccess(verb = "list", resource = RESOURCE)
    @Operation(summary = "Distinct filter values with counts", description = "For status, createdBy and scanner (member id): each value present among the groups, with how many groups have it.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = GroupFilterValues.class)))
    public GroupFilterValues filterValues() {
        List<GroupView> all = cache.groups(user.namespace()).stream().map(views::view).toList();
        return new GroupFilterValues(
                counts(all.stream().map(GroupView::status).toList()),
                counts(all.stream().map(GroupView::createdBy).filter(Objects::nonNull).toList()),
                counts(all.stream().flatMap(v -> v.scanners().stream()).toList()));
    }

    @GET
    @Path("{id}")
    @RequiresAccess(verb = "get", resource = RESOURCE)
    @Operation(summary = "One group", description = "The ETag is the group's resourceVersion.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = GroupView.class)))
    @APIResponse(responseCode = "404", description = "No such group.")
    public Response get(@PathParam("id") String id) {
        ScannerGroup g = cached(id);
        return Response.ok(views.view(g)).tag(etag(g)).build();
    }

    @GET
    @Path("{id}/details")
    @RequiresAccess(verb = "get", resource = RESOURCE)
    @Operation(summary = "A group with its members and per-member rates", description = "Each member with its status and rate limit; each target with the share of its subnet limit per enabled member and every enabled member's effective rate and the limit that decided it (docs/rate-limits.md).")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = GroupDetails.class)))
    @APIResponse(responseCode = "404", description = "No such group.")
    public Response details(@PathParam("id") String id) {
        ScannerGroup g = cached(id);
        return Response.ok(views.details(g)).tag(etag(g)).build();
    }

    @POST
    @CustomDeserialization(StrictJson.class)
    @RequiresAccess(verb = "create", resource = RESOURCE)
    @Operation(summary = "Create a group", description = "Creates the ScannerGroup (id = name lower-cased) selecting the label mipo.io/group.<id>=true, and puts that label on each listed scanner.")
    @APIResponse(responseCode = "201", content = @Content(schema = @Schema(implementation = GroupView.class)))
    @APIResponse(responseCode = "400", description = "Invalid field (no scanners, unknown scanner, bad subnet or ports, ...), unknown field or malformed JSON.")
    @APIResponse(responseCode = "409", description = "NAME_TAKEN, GROUP_LIMIT_REACHED, or WRITE_CONFLICT (a scanner kept changing).")
    public Response create(GroupRequest request) {
        String ns = user.namespace();
        GroupWrites.Written w = writes.create(ns, user.name(), request);
        return Response.created(URI.create("/api/config/scanner-groups/" + w.group().getMetadata().getName()))
                .entity(views.view(w.group(), views.memberObjects(ns, w.memberIds()))).tag(etag(w.group())).build();
    }

    @PUT
    @Path("{id}")
    @CustomDeserialization(StrictJson.class)
    @RequiresAccess(verb = "update", resource = RESOURCE)
    @Operation(summary = "Edit a group", description = "Fields left out stay as they are; scanners, when given, replaces the member list. With If-Match, a stale ETag gives 412.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = GroupView.class)))
    @APIResponse(responseCode = "400", description = "Invalid field, unknown field or malformed JSON.")
    @APIResponse(responseCode = "404", description = "No such group.")
    @APIResponse(responseCode = "409", description = "NAME_TAKEN, MEMBERSHIP_BY_SELECTOR (members chosen by a kubectl selector), or WRITE_CONFLICT.")
    @APIResponse(responseCode = "412", description = "If-Match does not match the current ETag.")
    public Response update(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch, GroupRequest request) {
        String ns = user.namespace();
        GroupWrites.Written w = writes.update(ns, user.name(), id, ifMatch, request);
        return Response.ok(views.view(w.group(), views.memberObjects(ns, w.memberIds()))).tag(etag(w.group())).build();
    }

    @DELETE
    @Path("{id}")
    @RequiresAccess(verb = "delete", resource = RESOURCE)
    @Operation(summary = "Delete a group", description = "Removes the group's label from its members, then the group.")
    @APIResponse(responseCode = "204", description = "Deleted.")
    @APIResponse(responseCode = "404", description = "No such group.")
    @APIResponse(responseCode = "412", description = "If-Match does not match the current ETag.")
    public Response delete(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
        writes.delete(user.namespace(), id, ifMatch);
        return Response.noContent().build();
    }

    // ---- reading ----

    private ScannerGroup cached(String id) {
        return cache.group(user.namespace(), id).orElseThrow(() -> ApiException.notFound("scanner group " + Texts.abbreviate(id)));
    }

    private static EntityTag etag(ScannerGroup g) {
        return new EntityTag(g.getMetadata().getResourceVersion());
    }

    // ---- list helpers ----

    private static List<GroupFilterValues.Value> counts(List<String> values) {
        Map<String, Long> counted = values.stream().collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
        return counted.entrySet().stream().map(e -> new GroupFilterValues.Value(e.getKey(), e.getValue())).toList();
    }


}
