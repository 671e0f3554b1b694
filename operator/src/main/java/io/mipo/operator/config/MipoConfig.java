package io.mipo.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every setting of the operator (DESIGN §11), in one place. Each key may also be given as a system
 * property or an environment variable (MIPO_LIVENESS_OFFLINE_AFTER=5s).
 */
@ConfigMapping(prefix = "mipo")
public interface MipoConfig {

    /** Embedded API server, no cluster needed (DESIGN §10). */
    @WithDefault("false")
    boolean standalone();

    /** Where standalone mode keeps its objects and kubeconfig. */
    @WithName("standalone.data-dir")
    @WithDefault("./mipo-data")
    String standaloneDataDir();

    /** Base URL put into install commands; when unset, taken from the request's host. */
    @WithName("public-url")
    Optional<String> publicUrl();

    Liveness liveness();

    Token token();

    Auth auth();

    Asn asn();

    Http http();

    Limits limits();

    Api api();

    /** Image of in-cluster (DaemonSet) scanners unless a Scanner overrides it. */
    @WithName("scanner-image")
    @WithDefault("ghcr.io/mipo/mipo-scanner:latest")
    String scannerImage();

    interface Liveness {
        /** Told to agents: how often to heartbeat. */
        @WithDefault("30s")
        Duration heartbeatInterval();

        /** Active turns Offline when the last heartbeat is older than this. */
        @WithDefault("2m")
        Duration offlineAfter();

        /** lastHeartbeatTime in status is refreshed at most this often. */
        @WithDefault("5m")
        Duration statusRefresh();

        /** How often each replica flushes the heartbeats it took into its ledger. */
        @WithDefault("10s")
        Duration ledgerFlushInterval();
    }

    interface Token {
        /** Provisioning token lifetime. */
        @WithDefault("24h")
        Duration ttl();
    }

    interface Auth {
        /** Static admin bearer token (standalone/dev); authenticates as user mipo-admin. */
        Optional<String> staticToken();

        /** How long TokenReview and SubjectAccessReview answers are cached. */
        @WithDefault("5s")
        Duration cacheTtl();
    }

    interface Asn {
        /** Path to a MaxMind .mmdb ASN database or an ip-to-ASN .tsv file. */
        Optional<String> database();
    }

    interface Http {
        /** CIDRs whose X-Forwarded-For header is trusted. */
        Optional<List<String>> trustedProxies();
    }

    interface Api {
        /**
         * The one namespace the REST facade (/api/**) works in: its scanners, bindings and groups
         * live here, its informer cache watches only here, and every SubjectAccessReview asks about
         * this namespace. One operator install serves one mipo tenant, so the UI never names a
         * namespace; kubectl users find the same objects with {@code -n <namespace>}.
         */
        @WithDefault("default")
        String namespace();
    }

    interface Limits {
        @WithDefault("10000")
        int maxScanners();

        @WithDefault("1000")
        int maxGroups();
    }
}
