package io.mipo.operator.binding;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mipo.operator.model.BindingMode;
import io.mipo.operator.model.Enforcement;
import io.mipo.operator.model.ScannerBinding;
import io.mipo.operator.model.ScannerBindingSpec;
import io.mipo.operator.testing.TestResources;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/** Binding test helpers: kubectl-style ScannerBindings and status waits that print what they saw. */
final class BindingFixtures {
    private BindingFixtures() {
    }

    static ScannerBinding binding(String ns, String name, BindingMode mode, String value, Enforcement enforcement) {
        ScannerBinding b = new ScannerBinding();
        b.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).build());
        ScannerBindingSpec spec = new ScannerBindingSpec();
        spec.setMode(mode);
        spec.setValue(value);
        spec.setEnforcement(enforcement);
        b.setSpec(spec);
        return b;
    }

    /** A kubectl-style edit: read, change, write with the resourceVersion read; again on a conflict (status writes bump it). */
    static ScannerBinding edit(KubernetesClient client, String ns, String name, java.util.function.Consumer<ScannerBinding> change) {
        for (int attempt = 0; ; attempt++) {
            ScannerBinding b = client.resources(ScannerBinding.class).inNamespace(ns).withName(name).get();
            change.accept(b);
            try {
                return client.resource(b).update();
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 10) {
                    throw e;
                }
            }
        }
    }

    static ScannerBinding awaitBinding(KubernetesClient client, String ns, String name, Predicate<ScannerBinding> until) {
        AtomicReference<ScannerBinding> last = new AtomicReference<>();
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                ScannerBinding b = client.resources(ScannerBinding.class).inNamespace(ns).withName(name).get();
                last.set(b);
                return b != null && until.test(b);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("binding " + ns + "/" + name + " never reached the expected state; last seen:\n"
                    + TestResources.describe(last.get()), e);
        }
        return last.get();
    }
}
