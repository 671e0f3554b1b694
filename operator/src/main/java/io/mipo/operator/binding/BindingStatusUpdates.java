package io.mipo.operator.binding;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.mipo.operator.core.Refusal;
import io.mipo.operator.kube.StatusWriter;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.model.ScannerBindingStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.function.Function;

/**
 * The one way ScannerBinding status is written (by the reconciler, BindingObservations and a release): read
 * the binding fresh, compute the new status from it, write it with the resourceVersion read, and
 * start over on a 409. Writers in this process also take a per-binding lock around that cycle,
 * because the embedded API server of standalone mode (the fabric8 mock server) does not check the
 * resourceVersion of a status update — without the lock, a reconcile working from an older status
 * could overwrite a mismatch count or a learned value written a moment before. Between replicas on
 * a real API server the resourceVersion does that job.
 */
@ApplicationScoped
public class BindingStatusUpdates {
    private static final int ATTEMPTS = 5;
    private static final int STRIPES = 64;

    @Inject
    KubernetesClient client;

    @Inject
    StatusWriter statusWriter;

    private final Object[] locks = new Object[STRIPES];

    public BindingStatusUpdates() {
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    /**
     * @param change the new status computed from the fresh binding, or null to leave it as it is
     * @return the binding as written (or as read, when nothing changed); null when it does not exist
     */
    public ScannerBinding update(String namespace, String name, Function<ScannerBinding, ScannerBindingStatus> change) {
        synchronized (locks[Math.floorMod((namespace + '/' + name).hashCode(), STRIPES)]) {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                ScannerBinding fresh = client.resources(ScannerBinding.class).inNamespace(namespace).withName(name).get();
                if (fresh == null) {
                    return null;
                }
                ScannerBindingStatus next = change.apply(fresh);
                if (next == null) {
                    return fresh;
                }
                try {
                    return statusWriter.write(fresh, next);
                } catch (KubernetesClientException e) {
                    if (e.getCode() == 404) {
                        return null;
                    }
                    if (e.getCode() != 409) {
                        throw e;
                    }
                }
            }
        }
        throw new Refusal(Refusal.Kind.CONFLICT, "CONFLICT", "the binding " + namespace + "/" + name + " kept changing while its status was being written; retry");
    }
}
