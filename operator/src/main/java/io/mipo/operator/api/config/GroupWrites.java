package io.mipo.operator.api.config;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mipo.operator.api.ApiException;
import io.mipo.operator.config.MipoConfig;
import io.mipo.operator.core.Refusal;
import io.mipo.operator.group.GroupCache;
import io.mipo.operator.group.GroupMembership;
import io.mipo.operator.kube.Labels;
import io.mipo.operator.model.GroupTarget;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerGroup;
import io.mipo.operator.model.ScannerGroupSpec;
import io.mipo.operator.net.Cidr;
import io.mipo.operator.validation.FieldError;
import io.mipo.operator.validation.GroupRules;
import io.mipo.operator.validation.PortList;
import io.mipo.operator.validation.ScannerRules;
import io.mipo.operator.validation.Texts;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The writes of the groups page ({@link ScannerGroupResource}): a request checked field by field,
 * the ScannerGroup written to the API server, membership set as labels on the member Scanners
 * ({@link GroupMembership}), and the rollback that leaves no half-made group behind.
 */
@ApplicationScoped
public class GroupWrites {
    static final int MAX_TARGETS = ScannerGroupResource.MAX_TARGETS;

    @Inject
    GroupCache cache;

    @Inject
    GroupMembership membership;

    @Inject
    KubernetesClient client;

    @Inject
    MipoConfig config;

    @Inject
    io.mipo.operator.api.auth.AccessReviewer access;

    @Inject
    io.mipo.operator.api.auth.RequestUser requestUser;

    /** A group as written and the ids of the members to show with it. */
    record Written(ScannerGroup group, Collection<String> memberIds) {
    }

    /** Validates and creates the group, then labels its members; on a failed label write nothing stays. */
    Written create(String ns, String userName, GroupRequest request) {
        if (request == null) {
            throw ApiException.invalid(List.of(new FieldError("", "MissingBody", "send a JSON object {name, scanners, ...}")));
        }
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

        requireRelabel();
        ScannerGroup g = new ScannerGroup();
        g.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(id)
                .withAnnotations(Map.of(Labels.CREATED_BY, userName)).build());
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
        return new Written(created, members);
    }


    /** Validates and applies the change; a failed membership change puts the spec back. */
    Written update(String ns, String userName, String id, String ifMatch, GroupRequest request) {
        if (request == null) {
            throw ApiException.invalid(List.of(new FieldError("", "MissingBody", "send a JSON object with the fields to change")));
        }
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

        if (members != null) {
            requireRelabel();
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
        annotations.put(Labels.LAST_MODIFIED_BY, userName);
        changed.getMetadata().setAnnotations(annotations);
        ScannerGroup updated = client.resource(changed).update();
        if (members == null) {
            return new Written(updated, membership.labelled(ns, id));
        }
        try {
            membership.set(ns, id, members);
        } catch (RuntimeException e) {
            restoreSpec(current, updated);
            throw membershipFailure(e);
        }
        return new Written(updated, members);
    }


    /**
     * Membership is a label on each Scanner: writing it is writing Scanners, so it needs
     * {@code update scanners} as well as the group permission the call declares.
     */
    private void requireRelabel() {
        access.require(requestUser, "update", "scanners", "", null);
    }

    /** Removes the group's label from its members, then the group; a failed delete puts the labels back. */
    void delete(String ns, String id, String ifMatch) {
        ScannerGroup current = fresh(ns, id);
        checkIfMatch(current, ifMatch);
        if (!membership.labelled(ns, id).isEmpty()) {
            requireRelabel();
        }
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
            if (g.getMetadata().getName().equals(id) || GroupViews.displayName(g).equalsIgnoreCase(name)) {
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

    private ScannerGroup fresh(String ns, String id) {
        ScannerGroup g = id.length() > 253 ? null : client.resources(ScannerGroup.class).inNamespace(ns).withName(id).get();
        if (g == null) {
            throw ApiException.notFound("scanner group " + Texts.abbreviate(id));
        }
        return g;
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
}
