package io.mipo.scanner.run;

import io.mipo.scanner.AgentVersion;
import io.mipo.scanner.ExitCodes;
import io.mipo.scanner.cli.CommandLine;
import io.mipo.scanner.cli.UsageException;
import io.mipo.scanner.client.AgentClient;
import io.mipo.scanner.client.ApiException;
import io.mipo.scanner.client.ServerUnreachableException;
import io.mipo.scanner.config.Credentials;
import io.mipo.scanner.config.CredentialsStore;
import io.mipo.scanner.host.HostInfo;
import io.mipo.scanner.host.ProcMetrics;
import io.mipo.scanner.register.RegisterCommand;
import io.mipo.scanner.register.Registrar;
import io.mipo.scanner.scan.ProbeState;
import io.mipo.scanner.util.Log;
import io.mipo.scanner.util.Secrets;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** {@code mipo-scanner run}: load credentials (or register in-cluster), then run the {@link Agent}. */
public final class RunCommand {
    private RunCommand() {
    }

    /**
     * @param onStart receives the agent before it runs, so the caller can wire SIGTERM to
     *     {@link Agent#stop()}
     */
    public static int run(CommandLine cmd, Log log, Consumer<Agent> onStart) {
        AgentSettings settings;
        try {
            settings = settings(cmd);
        } catch (UsageException e) {
            log.error("%s", e.getMessage());
            return ExitCodes.USAGE;
        }
        Path dir = Path.of(cmd.value("config-dir", "MIPO_CONFIG_DIR", RegisterCommand.installedConfigDir()));
        CredentialsStore store = new CredentialsStore(dir);
        Optional<Credentials> stored;
        try {
            stored = store.load();
            if (stored.isPresent() && store.tooOpen()) {
                log.warn("%s can be read by other users: it holds the API key; run chmod 600 on it", store.file());
            }
        } catch (IOException e) {
            log.error("cannot read the credentials: %s", e.getMessage());
            return ExitCodes.FAILURE;
        }
        String saTokenFile = cmd.env("MIPO_SA_TOKEN_FILE", null);
        String serverOverride = cmd.value("server", "MIPO_SERVER", null);

        URI server;
        try {
            if (stored.isPresent()) {
                server = AgentClient.parseServer(cmd.hasOption("server") ? serverOverride : stored.get().server());
            } else if (saTokenFile != null) {
                server = AgentClient.parseServer(serverOverride);
            } else {
                log.error("no credentials in %s: this host is not registered. Run the install command mipo shows"
                        + " for the scanner, or 'mipo-scanner register --server URL' with MIPO_TOKEN set.", store.file());
                return ExitCodes.NOT_AUTHORIZED;
            }
        } catch (IllegalArgumentException e) {
            log.error("%s", e.getMessage());
            return ExitCodes.USAGE;
        }

        String caFile = cmd.value("ca-file", "MIPO_CA_FILE", null);
        Path storedCa = dir.resolve(io.mipo.scanner.client.CaBundle.STORED_NAME);
        javax.net.ssl.SSLContext trust;
        try {
            String caText = cmd.env().get(io.mipo.scanner.client.CaBundle.PEM_ENV);
            trust = caFile != null ? io.mipo.scanner.client.CaBundle.load(Path.of(caFile))
                    : caText != null && !caText.isBlank() ? io.mipo.scanner.client.CaBundle.fromText(caText, io.mipo.scanner.client.CaBundle.PEM_ENV)
                    : java.nio.file.Files.exists(storedCa) ? io.mipo.scanner.client.CaBundle.load(storedCa) : null;
        } catch (IOException e) {
            log.error("%s", e.getMessage());
            return ExitCodes.USAGE;
        }
        AgentClient client = new AgentClient(server,
                "mipo-scanner/" + AgentVersion.get() + " (" + HostInfo.os() + "/" + HostInfo.arch() + ")",
                Duration.ofSeconds(10), Duration.ofSeconds(30), trust);
        Registrar registrar = new Registrar(client, cmd.env(), settings.internalIp());
        Session session;
        if (stored.isPresent()) {
            Credentials c = stored.get();
            session = Session.fixed(new Credentials(server.toString(), c.scannerId(), c.apiKey(),
                    c.heartbeatIntervalSeconds()));
            log.info("mipo scanner %s, scanner '%s', API key %s", AgentVersion.get(), c.scannerId(),
                    Secrets.mask(c.apiKey()));
        } else {
            session = registerInCluster(registrar, Path.of(saTokenFile), settings, log);
            if (session == null) {
                return ExitCodes.OK; // stopped while retrying
            }
        }
        Agent agent = new Agent(session, client, registrar, settings, log, ProcMetrics.system());
        if (stored.isPresent()) {
            agent.markFirstHeartbeatIn(dir.resolve(Agent.HEARTBEAT_MARKER));
            agent.requestUpgradesIn(dir.resolve(Agent.UPGRADE_REQUEST));
        }
        onStart.accept(agent);
        return agent.run();
    }

    /** Registers with the ServiceAccount token, retrying with back-off: the operator may not be up yet. */
    private static Session registerInCluster(Registrar registrar, Path tokenFile, AgentSettings settings, Log log) {
        Backoff backoff = new Backoff(settings.backoffInitial(), settings.backoffMax());
        while (true) {
            try {
                Session s = Session.serviceAccount(registrar, tokenFile);
                log.info("registered in-cluster as scanner '%s' with the ServiceAccount token; API key %s kept in memory",
                        s.credentials().scannerId(), Secrets.mask(s.apiKey()));
                return s;
            } catch (IOException | ApiException | ServerUnreachableException e) {
                Duration d = backoff.next();
                log.warn("in-cluster registration failed (%s); retrying in %d ms", e.getMessage(), d.toMillis());
                try {
                    Thread.sleep(Math.max(1, d.toMillis()));
                } catch (InterruptedException ie) {
                    return null;
                }
            } catch (InterruptedException e) {
                return null;
            }
        }
    }

    static AgentSettings settings(CommandLine cmd) throws UsageException {
        AgentSettings d = AgentSettings.defaults();
        double pause = cmd.number("scan-pause-seconds", "MIPO_SCAN_PAUSE_SECONDS", d.scanPause().toSeconds(), 0, 86_400);
        double inFlight = cmd.number("max-in-flight", "MIPO_MAX_IN_FLIGHT", d.maxInFlight(), 1, 65_536);
        double timeout = cmd.number("probe-timeout-ms", "MIPO_PROBE_TIMEOUT_MS", d.probeTimeout().toMillis(), 1, 600_000);
        double batch = cmd.number(null, "MIPO_RESULTS_BATCH_SIZE", d.resultsBatchSize(), 1,
                AgentSettings.MAX_RESULTS_BATCH);
        double flush = cmd.number(null, "MIPO_RESULTS_FLUSH_SECONDS", d.resultsFlushInterval().toSeconds(), 0.01, 3600);
        double backoffInitial = cmd.number(null, "MIPO_BACKOFF_INITIAL_MS", d.backoffInitial().toMillis(), 1, 3_600_000);
        double backoffMax = cmd.number(null, "MIPO_BACKOFF_MAX_MS", d.backoffMax().toMillis(), 1, 3_600_000);
        Set<ProbeState> states = EnumSet.noneOf(ProbeState.class);
        try {
            for (String s : cmd.value("report-states", "MIPO_REPORT_STATES", "open").split(",")) {
                if (!s.isBlank()) {
                    states.add(ProbeState.fromWire(s));
                }
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException("--report-states: " + e.getMessage());
        }
        if (states.isEmpty()) {
            throw new UsageException("--report-states must name at least one of open, closed, filtered");
        }
        return new AgentSettings(Duration.ofMillis((long) (pause * 1000)), (int) inFlight,
                Duration.ofMillis((long) timeout), states, (int) batch, Duration.ofMillis((long) (flush * 1000)),
                d.maxBufferedFindings(), Duration.ofMillis((long) backoffInitial), Duration.ofMillis((long) backoffMax),
                cmd.value("internal-ip", "MIPO_INTERNAL_IP", null));
    }
}
