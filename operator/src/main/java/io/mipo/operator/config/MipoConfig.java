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

    /**
     * Allow an http:// mipo.public-url for a host other than loopback. Off by default: install
     * commands run as root, and over plain http a man in the middle replaces the script.
     */
    @WithName("public-url.allow-insecure")
    @WithDefault("false")
    boolean publicUrlAllowInsecure();

    /**
     * Port of the management listener: when set, /q/* (health, metrics, openapi) is served there
     * only and refused (404) on the public port. Unset (standalone mode, tests): /q/* stays on the
     * one port. See {@code api/ManagementListener}.
     */
    @WithName("management.port")
    Optional<Integer> managementPort();

    /** Address the management listener binds to. */
    @WithName("management.host")
    @WithDefault("0.0.0.0")
    String managementHost();

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
     * PEM text of the certificate authorities in-cluster (DaemonSet) agents trust for an https
     * server URL (handed to them in {@code MIPO_CA_PEM}); takes precedence over
     * {@link #daemonSetCaFile()}. When neither is set the agents trust their image's default CAs.
     */
    @WithName("daemon-set.ca-bundle")
    Optional<String> daemonSetCaBundle();

    /**
     * A PEM file the operator reads for the same purpose, on every reconciliation, so a renewed CA
     * rolls the DaemonSets (the chart points it at {@code ca.crt} of the operator's TLS Secret).
     * A missing file means no CA bundle.
     */
    @WithName("daemon-set.ca-file")
    Optional<String> daemonSetCaFile();

    /**
     * Directory with the agent bundles, bundles.properties, install.sh and the source archive
     * (as the scanner-image build writes them). When unset: /deployments/agent in the container
     * image, else scanner-image/target of a source checkout.
     */
    @WithName("distribution.dir")
    Optional<String> distributionDir();

    /**
     * Whether DaemonSet-mode Scanners are run at all. When false, such a Scanner is Valid=False
     * (DaemonSetModeDisabled) and the operator creates no DaemonSet or ServiceAccount (the chart
     * then grants no rights on them).
     */
    @WithName("daemon-set.enabled")
    @WithDefault("true")
    boolean daemonSetEnabled();

    /**
     * Images a DaemonSet-mode Scanner may name in spec.deployment.daemonSet.image: repositories
     * (any tag or digest), exact references with a tag or digest, or prefixes ending in / or *.
     * Unset: the repository of mipo.scanner-image only. mipo.scanner-image itself is always allowed.
     */
    @WithName("daemon-set.allowed-images")
    Optional<List<String>> daemonSetAllowedImages();

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

        /** Automatic, staged agent upgrades (docs/operations.md, "Automatic upgrades"). */
        AutoUpgrade autoUpgrade();
    }

    interface AutoUpgrade {
        /** Off by default: agents upgrade only when an administrator runs the command on the host. */
        @WithDefault("false")
        boolean enabled();

        /** At most this percentage of the fleet (External scanners with an agent) upgrading at once; at least 1 scanner. 1 to 100. */
        @WithDefault("10")
        int maxPercent();

        /** An agent that does not heartbeat with the new version this long after its turn began has failed (not retried for that version). */
        @WithDefault("15m")
        Duration deadline();

        /** The rollout of a version halts when this many scanners failed to upgrade to it; 0 never halts. */
        @WithDefault("3")
        int maxFailures();

        /** How often the leader looks at the rollout. */
        @WithDefault("10s")
        Duration interval();
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
         * all scanners (phase changes are limited by transition-rate). With many scanners, lastHeartbeatTime is then
         * refreshed less often than status-refresh, so the write budget holds at any fleet size.
         */
        @WithDefault("30")
        int statusRefreshBudget();

        /**
         * Phase changes (Active to Offline and back) written per second at most, across all
         * scanners, when many change at once (docs/liveness.md, "Many scanners at once"): beyond
         * the burst, they wait in a queue, scanners coming back before scanners going Offline.
         */
        @WithDefault("50")
        double transitionRate();

        /** Phase changes written at once before transition-rate applies. */
        @WithDefault("100")
        int transitionBurst();

        /**
         * When more scanners than the burst, and more than this share of the Active ones, are silent
         * at once, the operator assumes the fault is between the scanners and itself (an ingress, the
         * network, the operator) and writes Offline at outage-offline-rate only.
         */
        @WithDefault("0.55")
        double outageThreshold();

        /** Offline phase changes written per second at most during a fleet-wide outage. */
        @WithDefault("10")
        double outageOfflineRate();

        /**
         * At most this many per-scanner WentOffline (or BackOnline) Events per namespace within 10 s;
         * more phase changes in that time are counted in one summary Event per namespace and direction.
         */
        @WithDefault("10")
        int eventBatchThreshold();
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

        /**
         * TokenReviews in flight at once, per caller (facade bearer tokens; in-cluster scanners'
         * ServiceAccount tokens). A call that would need one more is answered 429 with Retry-After.
         */
        @WithDefault("4")
        int maxTokenReviewsInFlight();

        /** How long a token the API server refused is refused from memory (by its SHA-256). */
        @WithDefault("5m")
        Duration negativeCacheTtl();

        /** At most this many refused tokens are remembered (least recently used go first). */
        @WithDefault("100000")
        int negativeCacheSize();

        /**
         * Audiences a facade bearer token (a JWT) must name one of, checked before any TokenReview.
         * Unset: any audience (the API server's own check still applies).
         */
        Optional<List<String>> audiences();

        /**
         * Accept facade bearer tokens that are not JWTs (static token files, bootstrap or webhook
         * tokens): they cannot be pre-checked, so each distinct one costs a TokenReview.
         */
        @WithDefault("false")
        boolean allowOpaqueTokens();
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

        /** The widest IPv4 subnet a binding may name or the ACL exports (prefix length; never 0). */
        @WithDefault("8")
        int minPrefixIpv4();

        /** The widest IPv6 subnet a binding may name or the ACL exports (prefix length; never 0). */
        @WithDefault("32")
        int minPrefixIpv6();
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

        /**
         * How long a Lease not renewed stays its holder's: after the leader dies, another replica
         * takes over within about this long (plus one retry period).
         */
        @WithDefault("15s")
        Duration leaseDuration();

        /**
         * How long the leader keeps trying to renew before it gives the Lease up; a replica that
         * loses the Lease exits (its pod restarts as a standby). Shorter than the lease duration.
         */
        @WithDefault("10s")
        Duration renewDeadline();

        /** How often replicas try to take or renew the Lease. */
        @WithDefault("2s")
        Duration retryPeriod();
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

        /**
         * Findings one scanner may report per minute (POST /scanner/results; a token bucket that
         * holds one minute's worth). Beyond it: 429 with Retry-After, and the batch is not taken.
         */
        @WithDefault("120000")
        int findingsPerMinute();

        /**
         * At most this many assignments are kept in a Scanner's status (and at most
         * status-assignments-bytes of them); the rest are counted in status.assignmentsOmitted.
         * Agents always get the full list from GET /scanner/assignments.
         */
        @WithDefault("100")
        int statusAssignments();

        @WithDefault("65536")
        int statusAssignmentsBytes();
    }
}
