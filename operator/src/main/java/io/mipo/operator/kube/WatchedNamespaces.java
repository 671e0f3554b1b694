package io.mipo.operator.kube;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The namespaces this operator manages: the Helm value {@code watchNamespaces}, which reaches the
 * Operator SDK as {@code quarkus.operator-sdk.namespaces}. Code that lists or watches on its own
 * (indexes, informers outside the reconcilers) must use these instead of {@code inAnyNamespace()}
 * when they are given: a namespaced install grants RBAC in those namespaces only, so a
 * cluster-wide list would be refused (RbacCoversCodeTest fails on such a call).
 */
@ApplicationScoped
public class WatchedNamespaces {
    /** Operator SDK values that mean "no explicit list": the controllers' build-time default, all namespaces. */
    static final Set<String> ALL = Set.of("QOSDK_USE_BUILDTIME_NAMESPACES", "JOSDK_ALL_NAMESPACES");
    static final String CURRENT = "JOSDK_WATCH_CURRENT";

    private final Optional<Set<String>> only;

    @Inject
    WatchedNamespaces(@ConfigProperty(name = "quarkus.operator-sdk.namespaces") Optional<List<String>> configured) {
        this.only = parse(configured.orElse(List.of()), Optional.ofNullable(System.getenv("POD_NAMESPACE")).orElse("default"));
    }

    /** The namespaces to work in, or empty when every namespace is managed (then use {@code inAnyNamespace()}). */
    public Optional<Set<String>> only() {
        return only;
    }

    public boolean all() {
        return only.isEmpty();
    }

    public boolean contains(String namespace) {
        return only.map(s -> s.contains(namespace)).orElse(true);
    }

    static Optional<Set<String>> parse(List<String> values, String currentNamespace) {
        Set<String> names = new LinkedHashSet<>();
        for (String v : values) {
            String name = v == null ? "" : v.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (ALL.contains(name)) {
                return Optional.empty();
            }
            names.add(CURRENT.equals(name) ? currentNamespace : name);
        }
        return names.isEmpty() ? Optional.empty() : Optional.of(Set.copyOf(names));
    }
}
