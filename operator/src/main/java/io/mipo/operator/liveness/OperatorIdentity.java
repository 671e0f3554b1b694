package io.mipo.operator.liveness;

import io.mipo.operator.config.MipoConfig;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/** Where this replica keeps its own objects, and its name among the replicas. */
@ApplicationScoped
public class OperatorIdentity {
    @Inject
    MipoConfig config;

    private String namespace;
    private String replicaId;

    @PostConstruct
    void init() {
        namespace = config.operatorNamespace().filter(s -> !s.isBlank())
                .or(() -> env("POD_NAMESPACE"))
                .orElse("default");
        replicaId = dnsLabel(config.replicaId().filter(s -> !s.isBlank())
                .or(() -> env("POD_NAME"))
                .or(() -> env("HOSTNAME"))
                .orElse(UUID.randomUUID().toString().substring(0, 8)));
    }

    public String namespace() {
        return namespace;
    }

    public String replicaId() {
        return replicaId;
    }

    private static Optional<String> env(String name) {
        return Optional.ofNullable(System.getenv(name)).filter(s -> !s.isBlank());
    }

    /** Lower-case letters, digits and inner hyphens, at most 40 characters: fits into object names. */
    static String dnsLabel(String raw) {
        String s = raw.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("-+", "-");
        if (s.length() > 40) {
            s = s.substring(s.length() - 40);
        }
        s = s.replaceAll("^-+", "").replaceAll("-+$", "");
        return s.isEmpty() ? "replica" : s;
    }
}
