package io.mipo.operator.binding;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mipo.operator.core.Refusal;
import io.mipo.operator.kube.Labels;
import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.Enforcement;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.model.ScannerBindingSpec;
import io.mipo.operator.model.ScannerBindingStatus;
import io.mipo.operator.validation.BindingRules;
import io.mipo.operator.validation.FieldError;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The binding operations of the REST facade, done to the ScannerBinding of the scanner's name so
 * kubectl users see exactly what the UI changed.
 *
 * <ul>
 *   <li><b>update</b> with mode ip/subnet/asn creates or updates the ScannerBinding's spec (an
 *   empty value: learn on first use). With mode {@code none} it deletes the ScannerBinding: "no
 *   ScannerBinding" and "unrestricted" are the same thing, for a scanner created without a binding
 *   as for one whose binding was lifted.</li>
 *   <li><b>release</b> removes an explicit {@code spec.value} (a spec write) and clears the learned
 *   value and the mismatch fields in status (a status write with optimistic locking); the mode
 *   and enforcement stay, and the next call's address is learned.</li>
 * </ul>
 */
@ApplicationScoped
public class ScannerBindingService implements BindingService {
    private static final Logger LOG = Logger.getLogger(ScannerBindingService.class);
    private static final int WRITE_ATTEMPTS = 5;

    @Inject
    KubernetesClient client;

    @Inject
    BindingStatusUpdates statusUpdates;

    @Inject
    BindingIndex index;

    @Inject
    BindingObservations observations;

    @Override
    public BindingDetails details(String namespace, String scannerId) {
        requireScanner(namespace, scannerId, false);
        return index.binding(namespace, scannerId).map(ScannerBindingService::toDetails).orElse(unrestricted());
    }

    @Override
    public BindingDetails update(String namespace, String scannerId, BindingMode mode, String value, Enforcement enforcement, String user) {
        List<FieldError> errors = new ArrayList<>();
        String v = value == null || value.isBlank() ? null : value.trim();
        if (mode == null) {
            errors.add(new FieldError("bindingMode", "Required", "bindingMode is required: ip, subnet, asn or none"));
        } else {
            errors.addAll(BindingRules.check("bindingValue", mode, v));
        }
        if (v != null && v.length() > 64) {
            errors.add(new FieldError("bindingValue", "TooLong", "bindingValue must be at most 64 characters"));
        }
        if (!errors.isEmpty()) {
            throw Refusal.invalid(errors);
        }
        Scanner scanner = requireScanner(namespace, scannerId, true);
        var bindings = client.resources(ScannerBinding.class).inNamespace(namespace);
        ScannerBinding existing = bindings.withName(scannerId).get();
        if (mode == BindingMode.none) {
            if (existing != null) {
                bindings.resource(existing).delete();
                observations.forget(namespace, scannerId);
                index.wroteBinding(namespace, scannerId);
                LOG.infof("ScannerBinding %s/%s removed (mode none) by %s", namespace, scannerId, user);
            }
            return unrestricted();
        }
        ScannerBinding written;
        if (existing == null) {
            written = bindings.resource(newBinding(namespace, scannerId, scanner, mode, v, enforcement, user)).create();
        } else {
            // A PATCH of mode, value and enforcement: re-applied on fresh state when the status
            // changed underneath (the reconciler and the observations write it), never a blind overwrite.
            written = updateSpec(namespace, scannerId, existing, spec -> {
                spec.setMode(mode);
                spec.setValue(v);
                if (enforcement != null) {
                    spec.setEnforcement(enforcement);
                } else if (spec.getEnforcement() == null) {
                    spec.setEnforcement(Enforcement.Enforce);
                }
            }, user);
            if (written == null) {
                return unrestricted();
            }
        }
        index.wroteBinding(namespace, scannerId);
        LOG.infof("ScannerBinding %s/%s set to %s by %s", namespace, scannerId, EffectiveBinding.of(written).summary(), user);
        return toDetails(written);
    }

    @Override
    public BindingDetails release(String namespace, String scannerId, String user) {
        requireScanner(namespace, scannerId, true);
        var bindings = client.resources(ScannerBinding.class).inNamespace(namespace);
        ScannerBinding current = bindings.withName(scannerId).get();
        if (current == null) {
            return unrestricted();
        }
        if (current.getSpec() != null && current.getSpec().getValue() != null && !current.getSpec().getValue().isEmpty()) {
            current = updateSpec(namespace, scannerId, current, spec -> spec.setValue(null), user);
            if (current == null) {
                return unrestricted();
            }
        }
        observations.forget(namespace, scannerId);
        ScannerBinding released = statusUpdates.update(namespace, scannerId, fresh -> {
            ScannerBindingStatus st = BindingObservations.copy(fresh.getStatus());
            st.setBoundValue(null);
            st.setLearnedAt(null);
            st.setMismatchCount(0L);
            st.setLastMismatch(null);
            st.setRecentMismatchAddresses(null);
            return st;
        });
        if (released == null) {
            return unrestricted();
        }
        // What this replica counted before the release belongs to the old value: drop it again, in
        // case a call raced with the release.
        observations.forget(namespace, scannerId);
        index.wroteBinding(namespace, scannerId);
        LOG.infof("ScannerBinding %s/%s released by %s: the next call's address will be learned", namespace, scannerId, user);
        return toDetails(released);
    }

    private static ScannerBinding newBinding(String namespace, String scannerId, Scanner scanner, BindingMode mode,
                                             String value, Enforcement enforcement, String user) {
        ScannerBinding b = new ScannerBinding();
        Map<String, String> labels = new HashMap<>();
        labels.put(Labels.SCANNER, scannerId);
        labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
        Map<String, String> annotations = new HashMap<>();
        if (user != null) {
            annotations.put(Labels.CREATED_BY, user);
            annotations.put(Labels.LAST_MODIFIED_BY, user);
        }
        b.setMetadata(new ObjectMetaBuilder()
                .withNamespace(namespace)
                .withName(scannerId)
                .withLabels(labels)
                .withAnnotations(annotations)
                // Garbage collection removes the binding with its Scanner on a real cluster; the
                // Scanner's finalizer does it too (BindingCleanup), also where no GC runs.
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion(Scanner.GROUP + "/" + Scanner.VERSION)
                        .withKind("Scanner")
                        .withName(scannerId)
                        .withUid(scanner.getMetadata().getUid())
                        .build())
                .build());
        ScannerBindingSpec spec = new ScannerBindingSpec();
        spec.setMode(mode);
        spec.setValue(value);
        spec.setEnforcement(enforcement == null ? Enforcement.Enforce : enforcement);
        b.setSpec(spec);
        return b;
    }

    /**
     * Applies {@code change} to the spec and writes it with the resourceVersion read; on a conflict
     * (typically a status write in between) reads again and re-applies. Null when the binding is gone.
     */
    private ScannerBinding updateSpec(String namespace, String name, ScannerBinding read,
                                      java.util.function.Consumer<ScannerBindingSpec> change, String user) {
        var bindings = client.resources(ScannerBinding.class).inNamespace(namespace);
        ScannerBinding current = read;
        for (int attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
            if (current == null) {
                return null;
            }
            ScannerBinding b = Serialization.clone(current);
            if (b.getSpec() == null) {
                b.setSpec(new ScannerBindingSpec());
            }
            change.accept(b.getSpec());
            if (user != null) {
                if (b.getMetadata().getAnnotations() == null) {
                    b.getMetadata().setAnnotations(new HashMap<>());
                }
                b.getMetadata().getAnnotations().put(Labels.LAST_MODIFIED_BY, user);
            }
            try {
                return bindings.resource(b).update();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
            }
            current = bindings.withName(name).get();
        }
        throw Refusal.conflict("CONFLICT", "the binding kept changing while it was being written; retry");
    }

    private Scanner requireScanner(String namespace, String scannerId, boolean fresh) {
        Scanner s = fresh
                ? client.resources(Scanner.class).inNamespace(namespace).withName(scannerId).get()
                : index.scanner(namespace, scannerId).orElse(null);
        if (s == null) {
            throw Refusal.notFound("scanner " + scannerId);
        }
        return s;
    }

    private static BindingDetails unrestricted() {
        return new BindingDetails(BindingMode.none.name(), null, null, null, 0, null, List.of(), null, null, false);
    }

    static BindingDetails toDetails(ScannerBinding b) {
        EffectiveBinding e = EffectiveBinding.of(b);
        ScannerBindingStatus st = b.getStatus() == null ? new ScannerBindingStatus() : b.getStatus();
        MismatchView last = st.getLastMismatch() == null ? null
                : new MismatchView(st.getLastMismatch().getAddress(), st.getLastMismatch().getTime());
        return new BindingDetails(e.mode().name(), e.explicitValue(), e.boundValue(),
                e.mode() == BindingMode.none ? null : e.enforcement().name(),
                st.getMismatchCount() == null ? 0 : st.getMismatchCount(),
                last,
                st.getRecentMismatchAddresses() == null ? List.of() : List.copyOf(st.getRecentMismatchAddresses()),
                st.getLastSeenAddress(), e.learnedAt(), e.learning());
    }
}
