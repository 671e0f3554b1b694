package io.mipo.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every setting of the operator (docs/configuration.md), in one place. Each key may also be given as a system
 * property or an environment variable (MIPO_LIVENESS_OFFLINE_AFTER=5s).
 */
@ConfigMapping(prefix = "mipo")
public interface MipoConfig {

    /** Embedded API server, no cluster needed (docs/standalone.md). */
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

    Binding binding();

    Limits limits();

    LeaderElection leaderElection();

    /** Agent version skew (docs/operations.md, "Upgrading agents"). */
    AgentVersions agent();

    /**
     * Namespace of the operator's own objects (heartbeat ledgers, leader-election lease). Defaults
     * to the pod's namespace from the downward API ({@code POD_NAMESPACE}), else {@code default}.
     */
    @WithName("operator-namespace")
    Optional<String> operatorNamespace();

    /**
     * This replica's name in heartbeat ledgers and the leader-election lease. Defaults to
     * {@code POD_NAME}, else {@code HOSTNAME}, else a random name.
     */
    @WithName("replica-id")
    Optional<String> replicaId();

    Api api();

    /** Image of in-cluster (DaemonSet) scanners unless a Scanner overrides it. */
    @WithName("scanner-image")
    @WithDefault("ghcr.io/mipo/mipo-scanner:latest")
    String scannerImage();

    /**
     * URL in-cluster (DaemonSet) agents use to reach the operator; when unset, the operator's
     * Service in its own namespace ({@code http://mipo-scanner-operator.<namespace>.svc:8080}).
     */
    @WithName("daemon-set.server-url")
    Optional<String> daemonSetServerUrl();

    /**
     * Directory with the agent bundles, bundles.properties, install.sh and the source archive
     * (as the scanner-image build writes them). When unset: /deployments/agent in the container
     * image, else scanner-image/target of a source checkout.
     */
    @WithName("distribution.dir")
    Optional<String> distributionDir();

    /** Name of the operator's Service, used for the default in-cluster URL. */
    @WithName("daemon-set.service-name")
    @WithDefault("mipo-scanner-operator")
    String daemonSetServiceName();

    interface AgentVersions {
        /**
         * Agents older than this are refused (426 AGENT_OUTDATED). Unset: the policy's default,
         * one minor version behind the agent this operator serves (x.y serves, x.(y-1).0 accepted).
         */
        Optional<String> minimumVersion();
    }

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

        /**
         * How often at most each replica rewrites its heartbeat ledger in the regular course (a
         * scanner coming back from Offline is flushed sooner). A ledger is rewritten only when
         * something the leader needs changed, so in steady state it is written less often.
         */
        @WithDefault("10s")
        Duration ledgerFlushInterval();

        /**
         * At most this many lastHeartbeatTime/agent refreshes of Scanner status per minute, across
         * all scanners (phase changes are not limited). With many scanners, lastHeartbeatTime is then
         * refreshed less often than status-refresh, so the write budget holds at any fleet size.
         */
        @WithDefault("30")
        int statusRefreshBudget();
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

        /** How often the database file is checked for changes (and reloaded when it changed). */
        @WithDefault("5s")
        Duration reloadInterval();
    }

    interface Binding {
        /**
         * Mismatch counters and last-seen addresses are kept in memory and written to a
         * ScannerBinding's status at most this often (a flood of rejected calls is one write).
         */
        @WithDefault("5s")
        Duration statusFlushInterval();

        /** At most one BindingMismatch Event per binding this often; it sums up what happened since the last. */
        @WithDefault("1m")
        Duration mismatchEventInterval();
    }

    interface Http {
        /** CIDRs whose X-Forwarded-For header is trusted. */
        Optional<List<String>> trustedProxies();
    }

    interface LeaderElection {
        /**
         * Whether replicas elect a leader that alone runs the reconcilers. Only in effect in the
         * profiles of {@code quarkus.operator-sdk.activate-leader-election-for-profiles} (build
         * time; default prod) and never in standalone mode.
         */
        @WithDefault("true")
        boolean enabled();

        /** Name of the coordination.k8s.io Lease in the operator namespace. */
        @WithDefault("mipo-scanner-operator")
        String leaseName();
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
