package io.mipo.operator.observability;

import io.fabric8.kubernetes.api.model.HasMetadata;
import org.jboss.logmanager.MDC;

/**
 * The resource a reconciliation works on, in the logging MDC of the reconciling thread for as
 * long as it runs: {@code mipo.kind}, {@code mipo.namespace}, {@code mipo.name} (JSON logs carry
 * them in {@code mdc}) and {@value #KEY} = {@code " [Scanner team-a/edge-1]"}, which the text
 * format prints with {@code %X{mipo.resource}} (nothing at all on lines about no resource).
 * Set from the Operator SDK's metrics hooks, which it calls on the reconciling thread around each
 * reconciliation ({@link SdkMetrics}). The SDK's own {@code resource.*} MDC keys are not relied
 * on: with JOSDK 5.3.2 they were missing from the reconcilers' lines (FileSinkAndJsonLogsTest saw
 * only the informer's {@code eventsource.*} keys), so the operator sets keys of its own.
 */
public final class ReconcileMdc {
    public static final String KEY = "mipo.resource";
    static final String KIND = "mipo.kind";
    static final String NAMESPACE = "mipo.namespace";
    static final String NAME = "mipo.name";

    private ReconcileMdc() {
    }

    static void set(HasMetadata resource) {
        if (resource == null || resource.getMetadata() == null) {
            return;
        }
        String ns = resource.getMetadata().getNamespace();
        String name = resource.getMetadata().getName();
        String kind = resource.getKind();
        MDC.put(KIND, kind == null ? "" : kind);
        MDC.put(NAMESPACE, ns == null ? "" : ns);
        MDC.put(NAME, name == null ? "" : name);
        MDC.put(KEY, " [" + (kind == null ? "" : kind + " ") + (ns == null || ns.isEmpty() ? "" : ns + "/") + name + "]");
    }

    static void clear() {
        MDC.remove(KEY);
        MDC.remove(KIND);
        MDC.remove(NAMESPACE);
        MDC.remove(NAME);
    }
}
