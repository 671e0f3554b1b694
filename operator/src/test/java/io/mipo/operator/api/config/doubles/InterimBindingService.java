package io.mipo.operator.api.config.doubles;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.binding.BindingService;
import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.Enforcement;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.model.ScannerBindingSpec;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;

/**
 * TEMPORARY stand-in for the binding engineer's BindingService, used only while that
 * implementation is not merged ({@link DefaultBean}: the real bean replaces it automatically).
 * It writes the ScannerBinding of the scanner's name as the design describes.
 */
@DefaultBean
@ApplicationScoped
public class InterimBindingService implements BindingService {
    @Inject
    KubernetesClient client;

    @Override
    public BindingDetails details(String namespace, String scannerId) {
        return toDetails(client.resources(ScannerBinding.class).inNamespace(namespace).withName(scannerId).get());
    }

    @Override
    public BindingDetails update(String namespace, String scannerId, BindingMode mode, String value, Enforcement enforcement, String user) {
        var r = client.resources(ScannerBinding.class).inNamespace(namespace).withName(scannerId);
        ScannerBinding existing = r.get();
        if (mode == BindingMode.none) {
            if (existing != null) {
                r.delete();
            }
            return toDetails(null);
        }
        ScannerBinding b = existing != null ? existing : new ScannerBinding();
        if (existing == null) {
            b.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(scannerId).build());
        }
        ScannerBindingSpec spec = new ScannerBindingSpec();
        spec.setMode(mode);
        spec.setValue(value);
        spec.setEnforcement(enforcement == null ? Enforcement.Enforce : enforcement);
        b.setSpec(spec);
        return toDetails(existing == null ? client.resource(b).create() : client.resource(b).update());
    }

    @Override
    public BindingDetails release(String namespace, String scannerId, String user) {
        var r = client.resources(ScannerBinding.class).inNamespace(namespace).withName(scannerId);
        ScannerBinding existing = r.get();
        if (existing == null) {
            return toDetails(null);
        }
        existing.getSpec().setValue(null);
        return toDetails(client.resource(existing).update());
    }

    private static BindingDetails toDetails(ScannerBinding b) {
        if (b == null) {
            return new BindingDetails("none", null, null, null, 0, null, List.of(), null, null, false);
        }
        String bound = b.getStatus() == null ? null : b.getStatus().getBoundValue();
        return new BindingDetails(b.getSpec().getMode().name(), b.getSpec().getValue(), bound,
                b.getSpec().getEnforcement() == null ? "Enforce" : b.getSpec().getEnforcement().name(),
                b.getStatus() == null || b.getStatus().getMismatchCount() == null ? 0 : b.getStatus().getMismatchCount(),
                null, List.of(), null, null, bound == null && (b.getSpec().getValue() == null || b.getSpec().getValue().isEmpty()));
    }
}
