package io.mipo.operator.api.config;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mipo.operator.api.ApiException;
import io.mipo.operator.core.Refusal;
import io.mipo.operator.api.Problem;
import io.mipo.operator.api.auth.CurrentUser;
import io.mipo.operator.api.auth.RequiresAccess;
import io.mipo.operator.config.MipoConfig;
import io.mipo.operator.group.GroupCache;
import io.mipo.operator.group.GroupMembership;
import io.mipo.operator.group.GroupRates;
import io.mipo.operator.kube.Labels;
import io.mipo.operator.kube.Times;
import io.mipo.operator.model.GroupTarget;
import io.mipo.operator.model.Phase;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerGroup;
import io.mipo.operator.model.ScannerGroupSpec;
import io.mipo.operator.model.TargetStatus;
import io.mipo.operator.net.Cidr;
import io.mipo.operator.validation.FieldError;
import io.mipo.operator.validation.Texts;
import io.mipo.operator.validation.GroupRules;
import io.mipo.operator.validation.PortList;
import io.mipo.operator.validation.ScannerRules;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The groups page of the mipo UI (docs/api.md, "Beyond the Scanners page"). Reads come from the
 * informer cache; writes go to the API server and answer with the written state. Membership is
 * kept as the label {@code mipo.io/group.<id>: "true"} on each member Scanner, so kubectl shows it.
 */
@Path("/api/config/scanner-groups")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Scanner groups", description = "Groups of scanners that scan the same targets and share each target's subnet rate limit.")
@SecurityRequirement(name = "bearer")
@APIResponse(responseCode = "401", description = "No or invalid bearer token.", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "403", description = "The SubjectAccessReview said no.", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class ScannerGroupResource {
    static final String RESOURCE = "scannergroups";
    static final int MAX_TARGETS = 1000;

    @Inject
    GroupCache cache;

    @Inject
    GroupMembership membership;

    @Inject
    KubernetesClient client;

    @Inject
    CurrentUser user;

    @Inject
    MipoConfig config;

    @GET
    @Revalidated
    @RequiresAccess(verb = "list", resource = RESOURCE)
    @Operation(summary = "List groups", description = "Filters of one kind may repeat or be comma-separated and are OR-ed; different filters are AND-ed.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = GroupPage.class)))
    @APIResponse(responseCode = "400", description = "An unknown status, sort key or order, or page/pageSize out of range.", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
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
                .map(this::view)
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
        List<GroupView> all = cache.groups(user.namespace()).stream().map(this::view).toList();
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
    @APIResponse(responseCode = "404", description = "No such group.", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response get(@PathParam("id") String id) {
        ScannerGroup g = cached(id);
        return Response.ok(view(g)).tag(etag(g)).build();
    }

    @GET
    @Path("{id}/details")
    @RequiresAccess(verb = "get", resource = RESOURCE)
    @Operation(summary = "A group with its members and per-member rates", description = "Each member with its status and rate limit; each target with the share of its subnet limit per enabled member and every enabled member's effective rate and the limit that decided it (docs/rate-limits.md).")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = GroupDetails.class)))
    @APIResponse(responseCode = "404", description = "No such group.", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response details(@PathParam("id") String id) {
        ScannerGroup g = cached(id);
        List<Scanner> members = cache.members(g);
        GroupView v = view(g, members);
        List<GroupDetails.Member> memberViews = members.stream().map(s -> new GroupDetails.Member(
                s.getMetadata().getName(), displayName(s), phase(s), !GroupRates.enabled(s), GroupRates.rateLimit(s))).toList();
        List<GroupTarget> specTargets = g.getSpec() == null || g.getSpec().getTargets() == null ? List.of() : g.getSpec().getTargets();
        List<TargetStatus> rates = GroupRates.targets(g, members, Integer.MAX_VALUE);
        List<GroupDetails.Target> targets = new ArrayList<>();
        for (int i = 0; i < specTargets.size(); i++) {
            GroupTarget t = specTargets.get(i);
            TargetStatus r = rates.get(i);
            targets.add(new GroupDetails.Target(r.getSubnet(), r.getPorts(), orZero(t == null ? null : t.getRateLimit()),
                    orZero(t == null ? null : t.getPortListRateLimit()), r.getPerMemberRate(), r.getMembers()));
        }
        GroupDetails d = new GroupDetails(v.id(), v.name(), v.description(), memberViews, targets, v.memberCount(),
                v.enabledMembers(), v.activeMembers(), v.status(), v.managedMembership(), v.createdBy(), v.createdAt(),
                g.getStatus() == null ? null : g.getStatus().getConditions());
        return Response.ok(d).tag(etag(g)).build();
    }

    @POST
    @CustomDeserialization(StrictJson.class)
    @RequiresAccess(verb = "create", resource = RESOURCE)
    @Operation(summary = "Create a group", description = "Creates the ScannerGroup (id = name lower-cased) selecting the label mipo.io/group.<id>=true, and puts that label on each listed scanner.")
    @APIResponse(responseCode = "201", content = @Content(schema = @Schema(implementation = GroupView.class)))
    @APIResponse(responseCode = "400", description = "Invalid field (no scanners, unknown scanner, bad subnet or ports, ...), unknown field or malformed JSON.", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "NAME_TAKEN, GROUP_LIMIT_REACHED, or WRITE_CONFLICT (a scanner kept changing).", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response create(GroupRequest request) {
        if (request == null) {
            throw ApiException.invalid(List.of(new FieldError("", "MissingBody", "send a JSON object {name, scanners, ...}")));
        }
        String ns = user.namespace();
        List<FieldError> errors = new ArrayList<>();
        checkName(request.name(), true, errors);
        ScannerRules.checkDescription("description", request.description(), errors);
        List<String> members = checkScanners(ns, request.scanners(), true, errors);
        List<GroupTarget> targets = checkTargets(request.targets(), errors);
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        String id = request.name().toLowerCase(Locale.ROOT);
        List<ScannerGroup> existing = cache.groups(ns);
        checkNameFree(existing, request.name(), null);
        if (existing.size() >= config.limits().maxGroups()) {
            throw ApiException.conflict("GROUP_LIMIT_REACHED", "this namespace already has " + existing.size()
                    + " groups; at most " + config.limits().maxGroups() + " are allowed (mipo.limits.max-groups)");
        }

        ScannerGroup g = new ScannerGroup();
        g.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(id)
                .withAnnotations(Map.of(Labels.CREATED_BY, user.name())).build());
        ScannerGroupSpec spec = new ScannerGroupSpec();
        spec.setDisplayName(request.name());
        spec.setDescription(request.description());
        spec.setSelector(GroupMembership.selectorFor(id));
        spec.setTargets(targets);
        g.setSpec(spec);
        ScannerGroup created;
        try {
            created = client.resource(g).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                throw nameTaken(request.name());
            }
            throw e;
        }
        try {
            membership.set(ns, id, members);
        } catch (RuntimeException e) {
            // No half-made group: its label changes were undone by set(); remove the group too.
            client.resources(ScannerGroup.class).inNamespace(ns).withName(id).delete();
            throw membershipFailure(e);
        }
        return Response.created(URI.create("/api/config/scanner-groups/" + id))
                .entity(view(created, memberObjects(ns, members))).tag(etag(created)).build();
    }

    @PUT
    @Path("{id}")
    @CustomDeserialization(StrictJson.class)
    @RequiresAccess(verb = "update", resource = RESOURCE)
    @Operation(summary = "Edit a group", description = "Fields left out stay as they are; scanners, when given, replaces the member list. With If-Match, a stale ETag gives 412.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = GroupView.class)))
    @APIResponse(responseCode = "400", description = "Invalid field, unknown field or malformed JSON.", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such group.", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "NAME_TAKEN, MEMBERSHIP_BY_SELECTOR (members chosen by a kubectl selector), or WRITE_CONFLICT.", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "412", description = "If-Match does not match the current ETag.", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response update(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch, GroupRequest request) {
        if (request == null) {
            throw ApiException.invalid(List.of(new FieldError("", "MissingBody", "send a JSON object with the fields to change")));
        }
        String ns = user.namespace();
        ScannerGroup current = fresh(ns, id);
        checkIfMatch(current, ifMatch);
        List<FieldError> errors = new ArrayList<>();
        if (request.name() != null) {
            checkName(request.name(), false, errors);
        }
        ScannerRules.checkDescription("description", request.description(), errors);
        List<String> members = request.scanners() == null ? null : checkScanners(ns, request.scanners(), true, errors);
        List<GroupTarget> targets = request.targets() == null ? null : checkTargets(request.targets(), errors);
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        if (members != null && !GroupMembership.managedByLabel(current)) {
            throw ApiException.conflict("MEMBERSHIP_BY_SELECTOR", "the members of group " + id
                    + " are chosen by its own label selector (set with kubectl); change the selector or the Scanners' labels instead");
        }
        if (request.name() != null) {
            checkNameFree(cache.groups(ns), request.name(), id);
        }

        ScannerGroup changed = Serialization.clone(current);
        if (changed.getSpec() == null) {
            changed.setSpec(new ScannerGroupSpec());
        }
        if (request.name() != null) {
            changed.getSpec().setDisplayName(request.name());
        }
        if (request.description() != null) {
            changed.getSpec().setDescription(request.description());
        }
        if (targets != null) {
            changed.getSpec().setTargets(targets);
        }
        Map<String, String> annotations = changed.getMetadata().getAnnotations() == null ? new HashMap<>()
                : new HashMap<>(changed.getMetadata().getAnnotations());
        annotations.put(Labels.LAST_MODIFIED_BY, user.name());
        changed.getMetadata().setAnnotations(annotations);
        ScannerGroup updated = client.resource(changed).update();
        if (members == null) {
            return Response.ok(view(updated, memberObjects(ns, membership.labelled(ns, id)))).tag(etag(updated)).build();
        }
        try {
            membership.set(ns, id, members);
        } catch (RuntimeException e) {
            restoreSpec(current, updated);
            throw membershipFailure(e);
        }
        return Response.ok(view(updated, memberObjects(ns, members))).tag(etag(updated)).build();
    }

    @DELETE
    @Path("{id}")
    @RequiresAccess(verb = "delete", resource = RESOURCE)
    @Operation(summary = "Delete a group", description = "Removes the group's label from its members, then the group.")
    @APIResponse(responseCode = "204", description = "Deleted.")
    @APIResponse(responseCode = "404", description = "No such group.", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "412", description = "If-Match does not match the current ETag.", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response delete(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
        String ns = user.namespace();
        ScannerGroup current = fresh(ns, id);
        checkIfMatch(current, ifMatch);
        List<GroupMembership.Change> removed;
        try {
            removed = membership.set(ns, id, List.of());
        } catch (RuntimeException e) {
            throw membershipFailure(e);
        }
        try {
            client.resources(ScannerGroup.class).inNamespace(ns).withName(id).delete();
        } catch (RuntimeException e) {
            membership.undo(ns, id, removed);
            throw e;
        }
        return Response.noContent().build();
    }

    // ---- views ----

    private GroupView view(ScannerGroup g) {
        return view(g, cache.members(g));
    }

    private GroupView view(ScannerGroup g, List<Scanner> members) {
        int enabled = (int) members.stream().filter(GroupRates::enabled).count();
        int active = (int) members.stream().filter(s -> s.getStatus() != null && s.getStatus().getPhase() == Phase.Active).count();
        String status = !GroupRules.check(g.getSpec()).isEmpty() ? GroupStatuses.INVALID
                : members.isEmpty() ? GroupStatuses.NO_MEMBERS : GroupStatuses.READY;
        ScannerGroupSpec spec = g.getSpec();
        List<GroupTargetView> targets = spec == null || spec.getTargets() == null ? List.of()
                : spec.getTargets().stream().filter(Objects::nonNull).map(GroupTargetView::of).toList();
        Map<String, String> annotations = g.getMetadata().getAnnotations() == null ? Map.of() : g.getMetadata().getAnnotations();
        return new GroupView(g.getMetadata().getName(), displayName(g), spec == null || spec.getDescription() == null ? "" : spec.getDescription(),
                members.stream().map(s -> s.getMetadata().getName()).sorted().toList(), targets,
                members.size(), enabled, active, status, GroupMembership.managedByLabel(g),
                annotations.get(Labels.CREATED_BY), g.getMetadata().getCreationTimestamp());
    }

    /** The named scanners, from the cache when it has them (it may trail a write just made). */
    private List<Scanner> memberObjects(String ns, java.util.Collection<String> ids) {
        List<Scanner> out = new ArrayList<>();
        for (String id : ids) {
            Optional<Scanner> s = cache.scanner(ns, id);
            if (s.isEmpty()) {
                s = Optional.ofNullable(client.resources(Scanner.class).inNamespace(ns).withName(id).get());
            }
            s.ifPresent(out::add);
        }
        return out;
    }

    private static String displayName(ScannerGroup g) {
        String d = g.getSpec() == null ? null : g.getSpec().getDisplayName();
        return d == null || d.isEmpty() ? g.getMetadata().getName() : d;
    }

    private static String displayName(Scanner s) {
        String d = s.getSpec() == null ? null : s.getSpec().getDisplayName();
        return d == null || d.isEmpty() ? s.getMetadata().getName() : d;
    }

    private static String phase(Scanner s) {
        if (!GroupRates.enabled(s)) {
            return Phase.Disabled.name();
        }
        return s.getStatus() == null || s.getStatus().getPhase() == null ? Phase.Pending.name() : s.getStatus().getPhase().name();
    }

    // ---- validation ----

    private static void checkName(String name, boolean required, List<FieldError> errors) {
        if (name == null || name.isEmpty()) {
            if (required) {
                errors.add(new FieldError("name", "Required", "name is required"));
            }
            return;
        }
        List<FieldError> nameErrors = new ArrayList<>();
        ScannerRules.checkDisplayName("name", name, nameErrors);
        if (nameErrors.isEmpty() && name.length() > GroupMembership.MAX_GROUP_ID_LENGTH) {
            nameErrors.add(new FieldError("name", "NameTooLong", "name has " + name.length() + " characters; a group name may have at most "
                    + GroupMembership.MAX_GROUP_ID_LENGTH + " (it becomes part of the members' label mipo.io/group.<name>)"));
        }
        errors.addAll(nameErrors);
    }

    /** The distinct ids, in order; each must name a Scanner of the namespace. */
    private List<String> checkScanners(String ns, List<String> ids, boolean required, List<FieldError> errors) {
        if (ids == null || ids.isEmpty()) {
            if (required) {
                errors.add(new FieldError("scanners", "NoMembers", "scanners must list at least one scanner id"));
            }
            return List.of();
        }
        if (ids.size() > config.limits().maxScanners()) {
            errors.add(new FieldError("scanners", "TooManyScanners", "scanners lists " + ids.size()
                    + " ids; a namespace has at most " + config.limits().maxScanners() + " scanners"));
            return List.of();
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            String field = "scanners[" + i + "]";
            if (id == null || id.isBlank()) {
                errors.add(new FieldError(field, "Required", field + " is empty"));
            } else if (!exists(ns, id)) {
                errors.add(new FieldError(field, "UnknownScanner", field + ": scanner '" + Texts.abbreviate(id) + "' does not exist"));
            } else {
                out.add(id);
            }
        }
        return List.copyOf(out);
    }

    private boolean exists(String ns, String id) {
        Optional<Scanner> s = cache.scanner(ns, id);
        if (s.isEmpty() && id.length() <= 253) {
            // A Scanner created a moment ago may not have reached the cache yet.
            s = Optional.ofNullable(client.resources(Scanner.class).inNamespace(ns).withName(id).get());
        }
        return s.isPresent() && s.get().getMetadata().getDeletionTimestamp() == null;
    }

    /** The targets as they will be stored: subnet as its network, ports in canonical form. */
    private static List<GroupTarget> checkTargets(List<GroupTargetView> targets, List<FieldError> errors) {
        if (targets == null) {
            return null;
        }
        if (targets.size() > MAX_TARGETS) {
            errors.add(new FieldError("targets", "TooManyTargets", "targets has " + targets.size() + " entries; at most " + MAX_TARGETS + " are allowed"));
            return List.of();
        }
        List<GroupTarget> out = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            String path = "targets[" + i + "]";
            GroupTargetView v = targets.get(i);
            if (v == null) {
                errors.add(new FieldError(path, "MissingTarget", path + " is empty"));
                continue;
            }
            GroupTarget t = new GroupTarget();
            t.setSubnet(v.subnet());
            t.setPorts(v.ports());
            t.setRateLimit(v.rateLimit() == null ? 0 : v.rateLimit());
            t.setPortListRateLimit(v.portListRateLimit() == null ? 0 : v.portListRateLimit());
            List<FieldError> targetErrors = new ArrayList<>();
            GroupRules.checkTarget(path, t, targetErrors);
            if (targetErrors.isEmpty()) {
                t.setSubnet(Cidr.parse(v.subnet()).orElseThrow().toString());
                t.setPorts(v.ports() == null || v.ports().isBlank() ? null : PortList.parse(v.ports()).canonical());
            }
            errors.addAll(targetErrors);
            out.add(t);
        }
        return out;
    }

    private static void checkNameFree(List<ScannerGroup> groups, String name, String exceptId) {
        String id = name.toLowerCase(Locale.ROOT);
        for (ScannerGroup g : groups) {
            if (g.getMetadata().getName().equals(exceptId)) {
                continue;
            }
            if (g.getMetadata().getName().equals(id) || displayName(g).equalsIgnoreCase(name)) {
                throw nameTaken(name);
            }
        }
    }

    private static ApiException nameTaken(String name) {
        return new ApiException(409, "NAME_TAKEN", "Conflict", "a group named '" + name
                + "' already exists (group names are unique per namespace, case-insensitively)",
                List.of(new FieldError("name", "NameTaken", "a group named '" + name + "' already exists")));
    }

    private static Refusal membershipFailure(RuntimeException e) {
        if (e instanceof GroupMembership.MembershipException m) {
            if (m.missing()) {
                return ApiException.invalid(List.of(new FieldError("scanners", "UnknownScanner", m.getMessage())));
            }
            return ApiException.conflict("WRITE_CONFLICT", m.getMessage() + "; nothing was changed, retry");
        }
        return e instanceof Refusal a ? a : new ApiException(503, "KUBERNETES_UNAVAILABLE", "Service unavailable",
                "the members' labels could not be written; nothing was changed");
    }

    /** Puts the spec back after a failed membership change (best effort; the failure is what the caller hears about). */
    private void restoreSpec(ScannerGroup before, ScannerGroup written) {
        try {
            ScannerGroup back = Serialization.clone(before);
            back.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
            client.resource(back).update();
        } catch (RuntimeException ignored) {
            // The group keeps the new spec; its membership is unchanged, which the answer says.
        }
    }

    // ---- reading ----

    private ScannerGroup cached(String id) {
        return cache.group(user.namespace(), id).orElseThrow(() -> ApiException.notFound("scanner group " + Texts.abbreviate(id)));
    }

    private ScannerGroup fresh(String ns, String id) {
        ScannerGroup g = id.length() > 253 ? null : client.resources(ScannerGroup.class).inNamespace(ns).withName(id).get();
        if (g == null) {
            throw ApiException.notFound("scanner group " + Texts.abbreviate(id));
        }
        return g;
    }

    private static EntityTag etag(ScannerGroup g) {
        return new EntityTag(g.getMetadata().getResourceVersion());
    }

    /** RFC 9110 If-Match: "*" or a list of strong tags (the resourceVersion, quoted); weak tags never match. */
    private static void checkIfMatch(ScannerGroup g, String ifMatch) {
        if (ifMatch == null || ifMatch.isBlank()) {
            return;
        }
        String rv = g.getMetadata().getResourceVersion();
        for (String raw : ifMatch.split(",")) {
            String tag = raw.trim();
            if (tag.equals("*")) {
                return;
            }
            if (tag.startsWith("W/")) {
                continue;
            }
            if (tag.length() >= 2 && tag.startsWith("\"") && tag.endsWith("\"")) {
                tag = tag.substring(1, tag.length() - 1);
            }
            if (!tag.isEmpty() && tag.equals(rv)) {
                return;
            }
        }
        throw new ApiException(412, "PRECONDITION_FAILED", "Precondition failed",
                "the group changed since it was read (If-Match does not match its current ETag); read it again and retry");
    }

    // ---- list helpers ----

    private static List<GroupFilterValues.Value> counts(List<String> values) {
        Map<String, Long> counted = values.stream().collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
        return counted.entrySet().stream().map(e -> new GroupFilterValues.Value(e.getKey(), e.getValue())).toList();
    }

    private static Integer orZero(Integer v) {
        return v == null ? 0 : v;
    }

}
