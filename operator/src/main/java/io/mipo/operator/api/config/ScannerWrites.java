package io.mipo.operator.api.config;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mipo.operator.api.ApiException;
import io.mipo.operator.core.Refusal;
import io.mipo.operator.api.auth.CurrentUser;
import io.mipo.operator.binding.BindingService;
import io.mipo.operator.config.MipoConfig;
import io.mipo.operator.credentials.CredentialService;
import io.mipo.operator.kube.Labels;
import io.mipo.operator.kube.Times;
import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.DeploymentMode;
import io.mipo.operator.model.DeploymentSpec;
import io.mipo.operator.model.Enforcement;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.model.ScannerSpec;
import io.mipo.operator.scanner.DisplayNames;
import io.mipo.operator.validation.BindingRules;
import io.mipo.operator.validation.FieldError;
import io.mipo.operator.validation.Texts;
import io.mipo.operator.validation.ScannerRules;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Every write the scanner facade makes. Each one validates first and writes nothing on error;
 * updates read the Scanner fresh from the API server, check {@code If-Match} against its
 * resourceVersion (412) and write with that resourceVersion, so a concurrent writer makes the
 * request fail (409) instead of being overwritten silently. Written state goes into the
 * {@link ScannerIndex} at once, so the next read shows it.
 */
@ApplicationScoped
public class ScannerWrites {
    private static final Logger LOG = Logger.getLogger(ScannerWrites.class);
    /** Without If-Match the client asked for no precondition: re-apply its change on fresh state. */
    private static final int ATTEMPTS_WITHOUT_IF_MATCH = 3;
    private static final int CREATE_ATTEMPTS = 5;

    @Inject
    KubernetesClient client;

    @Inject
    MipoConfig config;

    @Inject
    ScannerIndex index;

    @Inject
    CredentialService credentials;

    @Inject
    BindingService bindings;

    /**
     * Name checks and creates of this replica go one at a time, so two requests cannot both take
     * a name; across replicas the Scanner reconciler marks the later duplicate Valid=False.
     */
    private final Object names = new Object();

    // ---- create ----

    record Creation(Scanner scanner, CredentialService.IssuedToken token) {
    }

    Creation create(ScannerRequests.Create req, CurrentUser user, String baseUrl) {
        List<FieldError> errors = new ArrayList<>();
        if (req.name() == null || req.name().isEmpty()) {
            errors.add(new FieldError("name", "Required", "name is required"));
        } else {
            ScannerRules.checkDisplayName("name", req.name(), errors);
        }
        ScannerRules.checkDescription("description", req.description(), errors);
        ScannerRules.checkRate("rateLimit", req.rateLimit(), errors);
        BindingMode mode = parseEnum("bindingMode", req.bindingMode(), BindingMode.class, BindingMode.none, errors);
        if (mode != null) {
            errors.addAll(BindingRules.check("bindingValue", mode, req.bindingValue()));
        }
        DeploymentMode deployment = parseEnum("deploymentMode", req.deploymentMode(), DeploymentMode.class, DeploymentMode.External, errors);
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }

        Scanner created;
        synchronized (names) {
            var existing = index.scanners();
            int cap = config.limits().maxScanners();
            if (existing.size() >= cap) {
                throw ApiException.conflict("SCANNER_LIMIT_REACHED", "namespace " + index.namespace() + " already has "
                        + existing.size() + " scanners; at most " + cap + " are allowed (mipo.limits.max-scanners)");
            }
            requireNameFree(req.name(), null, index.withDisplayName(req.name()));
            created = createWithFreeId(req, deployment, user, x -> index.scanner(x).isPresent());
            index.written(created);
        }

        String id = created.getMetadata().getName();
        if (mode != BindingMode.none) {
            try {
                bindings.update(index.namespace(), id, mode, emptyToNull(req.bindingValue()), Enforcement.Enforce, user.name());
                refreshBinding(id);
            } catch (RuntimeException e) {
                rollBack(created, "its binding could not be created");
                throw e;
            }
        }
        CredentialService.IssuedToken token = null;
        if (deployment == DeploymentMode.External) {
            try {
                token = credentials.issueToken(created, baseUrl);
            } catch (RuntimeException e) {
                rollBack(created, "its provisioning token could not be issued");
                throw e instanceof Refusal || e instanceof KubernetesClientException ? e
                        : new ApiException(503, "TOKEN_ISSUE_FAILED", "Service unavailable",
                        "the provisioning token could not be issued; nothing was created");
            }
        }
        LOG.infof("Scanner %s/%s created by %s", index.namespace(), id, user.name());
        return new Creation(created, token);
    }

    private Scanner createWithFreeId(ScannerRequests.Create req, DeploymentMode deployment, CurrentUser user, Predicate<String> taken) {
        Set<String> tried = new HashSet<>();
        for (int attempt = 1; ; attempt++) {
            String id = ScannerIds.derive(req.name(), x -> taken.test(x) || tried.contains(x));
            Scanner s = new Scanner();
            Map<String, String> annotations = new HashMap<>();
            annotations.put(Labels.CREATED_BY, user.name());
            s.setMetadata(new ObjectMetaBuilder().withNamespace(index.namespace()).withName(id)
                    .withAnnotations(annotations).build());
            ScannerSpec spec = new ScannerSpec();
            spec.setDisplayName(req.name());
            spec.setDescription(req.description() == null ? "" : req.description());
            spec.setRateLimit(req.rateLimit() == null ? 0 : req.rateLimit());
            spec.setDisabled(false);
            DeploymentSpec d = new DeploymentSpec();
            d.setMode(deployment);
            spec.setDeployment(d);
            s.setSpec(spec);
            try {
                return client.resource(s).create();
            } catch (KubernetesClientException e) {
                // The id was taken after our cache saw it (another replica, or kubectl): next one.
                if (e.getCode() == 409 && attempt < CREATE_ATTEMPTS) {
                    tried.add(id);
                    continue;
                }
                throw e;
            }
        }
    }

    /** Undoes a create whose later steps failed: the request must not leave a half-made scanner. */
    private void rollBack(Scanner created, String why) {
        String ns = index.namespace();
        String id = created.getMetadata().getName();
        LOG.warnf("Creating scanner %s/%s failed because %s; deleting it again", ns, id, why);
        try {
            client.resources(ScannerBinding.class).inNamespace(ns).withName(id).delete();
            client.resources(Scanner.class).inNamespace(ns).withName(id).delete();
            index.deleted(created);
            index.bindingDeleted(id, null);
        } catch (KubernetesClientException e) {
            LOG.errorf("Could not delete the half-created scanner %s/%s (HTTP %d); delete it by hand", ns, id, e.getCode());
        }
    }

    // ---- updates ----

    Scanner update(String id, ScannerRequests.Update req, String ifMatch, CurrentUser user) {
        List<FieldError> errors = new ArrayList<>();
        if (req.name() != null) {
            ScannerRules.checkDisplayName("name", req.name(), errors);
            if (req.name().isEmpty()) {
                errors.add(new FieldError("name", "Required", "name must not be empty"));
            }
        }
        ScannerRules.checkDescription("description", req.description(), errors);
        ScannerRules.checkRate("rateLimit", req.rateLimit(), errors);
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        synchronized (names) {
            return modify(id, ifMatch, user, s -> {
                boolean changed = false;
                ScannerSpec spec = s.getSpec();
                if (req.name() != null && !req.name().equals(DisplayNames.effective(s))) {
                    requireNameFree(req.name(), id, index.withDisplayName(req.name()));
                    spec.setDisplayName(req.name());
                    changed = true;
                }
                if (req.description() != null && !req.description().equals(spec.getDescription() == null ? "" : spec.getDescription())) {
                    spec.setDescription(req.description());
                    changed = true;
                }
                if (req.rateLimit() != null && !req.rateLimit().equals(spec.getRateLimit() == null ? 0 : spec.getRateLimit())) {
                    spec.setRateLimit(req.rateLimit());
                    changed = true;
                }
                return changed;
            });
        }
    }

    Scanner setDisabled(String id, boolean disabled, CurrentUser user) {
        return modify(id, null, user, s -> {
            if (Boolean.TRUE.equals(s.getSpec().getDisabled()) == disabled) {
                return false;
            }
            s.getSpec().setDisabled(disabled);
            return true;
        });
    }

    CredentialService.IssuedToken regenerateToken(String id, CurrentUser user, String baseUrl) {
        Scanner fresh = fresh(id);
        if (ScannerViews.deploymentMode(fresh) != DeploymentMode.External) {
            throw ApiException.conflict("NOT_AN_EXTERNAL_SCANNER", "scanner " + id
                    + " runs as a DaemonSet: its pods authenticate with their service-account token and have no provisioning token");
        }
        CredentialService.IssuedToken token = credentials.issueToken(fresh, baseUrl);
        LOG.infof("Provisioning token of scanner %s/%s regenerated by %s", index.namespace(), id, user.name());
        try {
            modify(id, null, user, s -> true);
        } catch (RuntimeException e) {
            // The token is issued and the old credentials are revoked; only the audit note is missing.
            LOG.warnf("Could not record %s as last modifier of scanner %s: %s", user.name(), id, e.getMessage());
        }
        return token;
    }

    void delete(String id, String ifMatch, CurrentUser user) {
        Scanner fresh = fresh(id);
        requireMatch(ifMatch, fresh);
        // Revoke first: from the moment DELETE answers, the API key gets 401, even while the
        // finalizer is still cleaning up.
        credentials.revokeAll(fresh);
        client.resources(Scanner.class).inNamespace(index.namespace()).withName(id).delete();
        index.deleted(fresh);
        LOG.infof("Scanner %s/%s deleted by %s", index.namespace(), id, user.name());
    }

    // ---- bindings (delegated to the binding service, the one writer of ScannerBindings) ----

    BindingService.BindingDetails changeBinding(String id, ScannerRequests.BindingChange req, String ifMatch, CurrentUser user) {
        List<FieldError> errors = new ArrayList<>();
        BindingMode mode = null;
        if (req.bindingMode() == null || req.bindingMode().isEmpty()) {
            errors.add(new FieldError("bindingMode", "Required", "bindingMode is required (ip, subnet, asn or none)"));
        } else {
            mode = parseEnum("bindingMode", req.bindingMode(), BindingMode.class, BindingMode.none, errors);
        }
        if (mode != null) {
            errors.addAll(BindingRules.check("bindingValue", mode, req.bindingValue()));
        }
        Enforcement enforcement = parseEnum("enforcement", req.enforcement(), Enforcement.class, Enforcement.Enforce, errors);
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        Scanner fresh = fresh(id);
        requireMatch(ifMatch, fresh);
        BindingService.BindingDetails details = bindings.update(index.namespace(), id, mode, emptyToNull(req.bindingValue()),
                enforcement, user.name());
        refreshBinding(id);
        return details;
    }

    BindingService.BindingDetails releaseBinding(String id, CurrentUser user) {
        fresh(id);
        BindingService.BindingDetails details = bindings.release(index.namespace(), id, user.name());
        refreshBinding(id);
        return details;
    }

    /** Puts the binding as it is now into the index, so the next read of the scanner shows it. */
    private void refreshBinding(String id) {
        ScannerBinding b = client.resources(ScannerBinding.class).inNamespace(index.namespace()).withName(id).get();
        if (b != null) {
            index.written(b);
        } else {
            index.bindingDeleted(id, index.binding(id).map(x -> x.getMetadata().getResourceVersion()).orElse(null));
        }
    }

    // ---- helpers ----

    private interface Change {
        /** Applies the change to a fresh copy; false when there is nothing to write. */
        boolean apply(Scanner copy);
    }

    private Scanner modify(String id, String ifMatch, CurrentUser user, Change change) {
        for (int attempt = 1; ; attempt++) {
            Scanner fresh = fresh(id);
            requireMatch(ifMatch, fresh);
            Scanner copy = Serialization.clone(fresh);
            if (copy.getSpec() == null) {
                copy.setSpec(new ScannerSpec());
            }
            if (!change.apply(copy)) {
                index.written(fresh);
                return fresh;
            }
            Map<String, String> annotations = copy.getMetadata().getAnnotations() == null
                    ? new HashMap<>() : new HashMap<>(copy.getMetadata().getAnnotations());
            annotations.put(Labels.LAST_MODIFIED_BY, user.name());
            copy.getMetadata().setAnnotations(annotations);
            try {
                Scanner written = client.resource(copy).update();
                index.written(written);
                return written;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                if (ifMatch != null || attempt >= ATTEMPTS_WITHOUT_IF_MATCH) {
                    throw ApiException.conflict("WRITE_CONFLICT", "scanner " + id
                            + " was changed by someone else at the same time; read it again and retry");
                }
            }
        }
    }

    /** The scanner as the API server has it now; 404 when absent or being deleted. */
    Scanner fresh(String id) {
        Scanner s = client.resources(Scanner.class).inNamespace(index.namespace()).withName(id).get();
        if (s == null || s.getMetadata().getDeletionTimestamp() != null) {
            throw ApiException.notFound("scanner '" + id + "'");
        }
        return s;
    }

    static void requireMatch(String ifMatch, Scanner current) {
        if (ifMatch != null && !ETags.matches(ifMatch, current.getMetadata().getResourceVersion())) {
            throw new ApiException(412, "PRECONDITION_FAILED", "Precondition failed",
                    "the scanner changed since you read it (If-Match " + Texts.abbreviate(ifMatch) + ", current ETag "
                            + ETags.of(current.getMetadata().getResourceVersion()) + "); read it again and retry");
        }
    }

    private static void requireNameFree(String name, String exceptId, Iterable<Scanner> existing) {
        String key = DisplayNames.key(name);
        for (Scanner s : existing) {
            if (!s.getMetadata().getName().equals(exceptId) && DisplayNames.key(DisplayNames.effective(s)).equals(key)) {
                throw new ApiException(409, "NAME_TAKEN", "Conflict",
                        "the name '" + name + "' is already used by scanner " + s.getMetadata().getName()
                                + " (names are unique per namespace, case-insensitively)",
                        List.of(new FieldError("name", "NameTaken", "name '" + name + "' is already taken")));
            }
        }
    }

    static <E extends Enum<E>> E parseEnum(String field, String value, Class<E> type, E dflt, List<FieldError> errors) {
        if (value == null || value.isEmpty()) {
            return dflt;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value)) {
                return e;
            }
        }
        errors.add(new FieldError(field, "UnknownValue", field + " '" + Texts.abbreviate(value) + "' is not one of "
                + String.join(", ", Arrays.stream(type.getEnumConstants()).map(Enum::name).toList())));
        return null;
    }

    static String tokenExpiry(CredentialService.IssuedToken t) {
        return t == null ? null : Times.format(t.expiresAt());
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

}
