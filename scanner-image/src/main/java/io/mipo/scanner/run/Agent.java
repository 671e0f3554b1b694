package io.mipo.scanner.run;

import io.mipo.scanner.ExitCodes;
import io.mipo.scanner.client.AgentClient;
import io.mipo.scanner.client.ApiException;
import io.mipo.scanner.client.ServerUnreachableException;
import io.mipo.scanner.host.ProcMetrics;
import io.mipo.scanner.json.Json;
import io.mipo.scanner.json.JsonException;
import io.mipo.scanner.register.Registrar;
import io.mipo.scanner.scan.ConnectScanner;
import io.mipo.scanner.util.Clock;
import io.mipo.scanner.util.Log;
import io.mipo.scanner.AgentVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The {@code run} loop: heartbeat at the interval the server asks for (±10 % jitter), fetch
 * assignments when their version changes, hand them to the {@link ScanWorker}, and let the
 * {@link ResultReporter} post findings. Failed calls back off exponentially
 * ({@code backoffInitial} doubling to {@code backoffMax}). A refused API key ends the loop
 * with {@link ExitCodes#NOT_AUTHORIZED} once refusals have lasted two minutes ({@link UnauthorizedGrace}),
 * except for in-cluster scanners, which register again with their ServiceAccount token.
 */
public final class Agent {
    /** What the agent can do, for the operator to show (at most 50 entries). */
    static final List<String> CAPABILITIES = List.of("tcp-connect", "ipv4", "ipv6", "fractional-rate", "results-batch");
    static final double MIN_INTERVAL_SECONDS = 0.05;
    static final double MAX_INTERVAL_SECONDS = 3600;
    /**
     * Written next to the credentials after this process's first accepted heartbeat
     * ({@code version=<agent version>}): the install script's upgrade waits for it before it
     * keeps a new release, and rolls back without it.
     */
    public static final String HEARTBEAT_MARKER = "heartbeat";
    /**
     * Written next to the credentials when a heartbeat answer says {@code upgradeTo} (the operator's
     * automatic, staged upgrades chose this agent): {@code version=<the version to upgrade to>}. The
     * agent's sandbox cannot write the install tree, so a root systemd path unit
     * ({@code mipo-scanner-upgrade.path}) watches for this file and runs {@code mipo-scanner upgrade};
     * the content is informative only, root trusts nothing in it.
     */
    public static final String UPGRADE_REQUEST = "upgrade-request";

    private final Session session;
    private final AgentClient client;
    private final Registrar registrar;
    private final AgentSettings settings;
    private final Log log;
    private final ProcMetrics metrics;
    private final ScanWorker worker;
    private final ResultReporter reporter;

    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile boolean unauthorized;
    private volatile Thread loopThread;
    private volatile Clock clock = Clock.SYSTEM;
    private volatile Path heartbeatMarker;
    private volatile Path upgradeRequest;
    private String upgradeRequested;
    private boolean outdatedLogged;

    Agent(Session session, AgentClient client, Registrar registrar, AgentSettings settings, Log log, ProcMetrics metrics) {
        this.session = session;
        this.client = client;
        this.registrar = registrar;
        this.settings = settings;
        this.log = log;
        this.metrics = metrics;
        this.reporter = new ResultReporter(client, session, settings, log, this::resultsUnauthorized);
        ConnectScanner scanner = new ConnectScanner(
                new ConnectScanner.Settings(settings.maxInFlight(), settings.probeTimeout()), Clock.SYSTEM);
        this.worker = new ScanWorker(scanner, reporter::submit, settings.reportStates(), settings.scanPause(), log);
    }

    /** For tests: the monotonic clock the 401 grace period is measured on ({@link UnauthorizedGrace}). */
    void useClock(Clock clock) {
        this.clock = clock;
    }

    /** Runs until {@link #stop()} or a refused API key; returns the exit code. */
    public int run() {
        loopThread = Thread.currentThread();
        reporter.start();
        worker.start();
        log.info("scanner '%s' running against %s", session.credentials().scannerId(), client.base());
        client.scannerId(session.credentials().scannerId());
        int exit = ExitCodes.OK;
        try {
            exit = loop();
        } finally {
            worker.stop(Duration.ofSeconds(2));
            reporter.stop(Duration.ofSeconds(3));
            log.info("stopped");
            finished.countDown();
        }
        return exit;
    }

    /** Asks the loop to end (SIGTERM); returns at once. */
    public void stop() {
        stopping = true;
        stopSignal.countDown();
        Thread t = loopThread;
        if (t != null && t != Thread.currentThread()) {
            t.interrupt(); // cuts a heartbeat that is waiting on the network
        }
    }

    /** Where to record the first accepted heartbeat (see {@link #HEARTBEAT_MARKER}); null = nowhere. */
    public void markFirstHeartbeatIn(Path file) {
        this.heartbeatMarker = file;
    }

    /** Where to ask root for an upgrade (see {@link #UPGRADE_REQUEST}); null = never ask (in-cluster). */
    public void requestUpgradesIn(Path file) {
        this.upgradeRequest = file;
    }

    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private int loop() {
        double interval = clampInterval(session.credentials().heartbeatIntervalSeconds());
        Backoff backoff = new Backoff(settings.backoffInitial(), settings.backoffMax());
        boolean fetched = false;
        String knownVersion = null;
        boolean failing = false;
        UnauthorizedGrace grace = new UnauthorizedGrace(clock);
        while (!stopping) {
            Duration sleep;
            boolean resultsRefused = unauthorized;
            try {
                if (resultsRefused) {
                    unauthorized = false;
                    if (session.canReauthenticate() || grace.refused()) {
                        throw new ApiException(401, "INVALID_API_KEY", "results refused", null);
                    }
                }
                Map<String, Object> hb = client.post("/scanner/heartbeat", session.apiKey(), heartbeatBody());
                if (!resultsRefused && !unauthorized) {
                    grace.accepted();
                }
                if (failing) {
                    log.info("heartbeat accepted again");
                    failing = false;
                }
                backoff.reset();
                markFirstHeartbeat();
                noteServedVersion(hb);
                requestUpgrade(hb);
                interval = clampInterval(Json.number(hb, "heartbeatIntervalSeconds", interval));
                worker.setDisabled(Json.bool(hb, "disabled", false));
                String version = versionOf(hb.get("assignmentsVersion"));
                if (!fetched || !Objects.equals(version, knownVersion)) {
                    knownVersion = fetchAssignments(version);
                    fetched = true;
                }
                sleep = Backoff.jitter(Duration.ofNanos((long) (interval * 1e9)));
            } catch (ApiException e) {
                if (e.status() == 401) {
                    if (!session.canReauthenticate()) {
                        if (!grace.refused()) {
                            sleep = UnauthorizedGrace.retryDelay(backoff.next());
                            log.warn("the server refused this scanner's API key (%s) for %d s; retrying in %d ms (final after %d s"
                                    + " of refusals: a replica may not know a fresh registration yet)",
                                    e.code() != null ? e.code() : "HTTP 401", grace.refusedFor().toSeconds(), sleep.toMillis(),
                                    UnauthorizedGrace.GRACE.toSeconds());
                            failing = true;
                            sleep = sleep.isNegative() ? Duration.ZERO : sleep;
                            if (waitOrStop(sleep)) {
                                break;
                            }
                            continue;
                        }
                        log.error("the server refused this scanner's API key (%s) for %d s. The scanner was deleted or its token"
                                + " regenerated in mipo: it must be re-provisioned. Run the install command mipo"
                                + " shows for this scanner (or 'mipo-scanner register' with a new token).",
                                e.code() != null ? e.code() : "HTTP 401", grace.refusedFor().toSeconds());
                        return ExitCodes.NOT_AUTHORIZED;
                    }
                    sleep = reauthenticate(backoff);
                } else if (e.status() == 426) {
                    sleep = backoff.next();
                    log.error("the server refuses this agent's version %s as too old (%s): upgrade it with"
                            + " 'sudo /opt/mipo-scanner/bin/mipo-scanner upgrade'. Retrying in %d s. %s", AgentVersion.get(),
                            e.code() != null ? e.code() : "HTTP 426", sleep.toSeconds(), e.detail() == null ? "" : e.detail());
                } else if (e.status() == 403 && "IP_BINDING_VIOLATION".equals(e.code())) {
                    sleep = backoff.next();
                    log.warn("the server refused this host's address (IP_BINDING_VIOLATION): the scanner's IP binding"
                            + " does not allow it. Release or change the binding in mipo. Retrying in %d s. %s",
                            sleep.toSeconds(), e.detail() == null ? "" : e.detail());
                } else {
                    sleep = backoff.next();
                    log.warn("heartbeat failed (%s); retrying in %d ms", e.getMessage(), sleep.toMillis());
                }
                failing = true;
            } catch (ServerUnreachableException e) {
                sleep = backoff.next();
                log.warn("%s; retrying in %d ms", e.getMessage(), sleep.toMillis());
                failing = true;
            } catch (JsonException e) {
                sleep = backoff.next();
                log.warn("unusable answer from the server (%s); retrying in %d ms", e.getMessage(), sleep.toMillis());
                failing = true;
            } catch (InterruptedException e) {
                if (stopping) {
                    break;
                }
                Thread.interrupted();
                sleep = Duration.ofMillis(10);
            }
            try {
                if (stopSignal.await(sleep.toNanos(), TimeUnit.NANOSECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                if (stopping) {
                    break;
                }
                Thread.interrupted();
            }
        }
        return ExitCodes.OK;
    }

    /** Waits {@code d} unless asked to stop; true when stopping. */
    private boolean waitOrStop(Duration d) {
        try {
            return stopSignal.await(d.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            if (stopping) {
                return true;
            }
            Thread.interrupted();
            return false;
        }
    }

    /**
     * Fetches and applies the assignments and returns their version: the answer's {@code version},
     * falling back to the one the heartbeat announced only when the answer has none. The two can
     * differ (the assignments changed between the calls, or the calls reached replicas whose
     * caches differ for a moment). Holding the announced version would then fetch the same
     * assignments again at the next heartbeat, or take older assignments for the announced ones
     * and never fetch the newer.
     */
    private String fetchAssignments(String announced) throws ApiException, ServerUnreachableException, InterruptedException {
        Map<String, Object> r = client.get("/scanner/assignments", session.apiKey());
        boolean disabled = Json.bool(r, "disabled", false);
        worker.offer(Assignment.parseAll(r, log));
        worker.setDisabled(disabled);
        Object version = r.get("version");
        return version != null ? versionOf(version) : announced;
    }

    private Duration reauthenticate(Backoff backoff) {
        log.warn("API key refused; registering again with the ServiceAccount token");
        try {
            session.reauthenticate();
            unauthorized = false;
            log.info("registered again as scanner '%s'", session.credentials().scannerId());
            return Duration.ZERO;
        } catch (IOException | ApiException | ServerUnreachableException e) {
            Duration d = backoff.next();
            log.warn("registration with the ServiceAccount token failed (%s); retrying in %d ms", e.getMessage(),
                    d.toMillis());
            return d;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the wait that follows ends at once
            return Duration.ZERO;
        }
    }

    private void resultsUnauthorized(ApiException e) {
        // the heartbeat loop owns the decision (stop, or register again); wake it now
        unauthorized = true;
        Thread t = loopThread;
        if (t != null) {
            t.interrupt();
        }
    }

    private void markFirstHeartbeat() {
        Path file = heartbeatMarker;
        if (file == null) {
            return;
        }
        heartbeatMarker = null;
        try {
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.writeString(tmp, "version=" + AgentVersion.get() + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            log.warn("cannot record the first heartbeat in %s (%s); an upgrade waiting for it will roll back", file, e);
        }
    }

    /**
     * The heartbeat answer's {@code upgradeTo} says the operator wants this agent upgraded now (its
     * automatic upgrades are on and this agent has a slot). Writes the request file once per version
     * and process; the root path unit removes it when it starts the upgrade. Without the field
     * (automatic upgrades off, or not this agent's turn) nothing is written.
     */
    private void requestUpgrade(Map<String, Object> hb) {
        Path file = upgradeRequest;
        Object to = hb.get("upgradeTo");
        if (file == null || !(to instanceof String) || ((String) to).isBlank() || to.equals(AgentVersion.get())
                || to.equals(upgradeRequested)) {
            return;
        }
        String version = ((String) to).replaceAll("[^A-Za-z0-9._+-]", "_");
        upgradeRequested = (String) to;
        try {
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.writeString(tmp, "version=" + version + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            log.info("the server asks this agent (%s) to upgrade to %s: requested in %s (mipo-scanner-upgrade.path runs the upgrade)",
                    AgentVersion.get(), version, file);
        } catch (IOException | RuntimeException e) {
            log.warn("cannot request the upgrade to %s in %s (%s); upgrade by hand: sudo /opt/mipo-scanner/bin/mipo-scanner upgrade",
                    version, file, e);
        }
    }

    /** The heartbeat answer names the agent version the server offers; say once when this one is older. */
    private void noteServedVersion(Map<String, Object> hb) {
        Object served = hb.get("agentVersion");
        if (outdatedLogged || !(served instanceof String) || !AgentVersion.olderThan(AgentVersion.get(), (String) served)) {
            return;
        }
        outdatedLogged = true;
        log.info("mipo scanner %s is available (this is %s): upgrade with 'sudo /opt/mipo-scanner/bin/mipo-scanner upgrade'",
                served, AgentVersion.get());
    }

    private Map<String, Object> heartbeatBody() {
        Map<String, Object> body = new LinkedHashMap<>(registrar.hostFacts());
        body.remove("os");
        body.remove("arch");
        body.put("capabilities", CAPABILITIES);
        body.put("metrics", metrics.read());
        body.put("state", worker.scanning() ? "scanning" : "idle");
        return body;
    }

    /** Versions may come as numbers or strings; compare them as text. */
    private static String versionOf(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof Double && (Double) v == Math.rint((Double) v)) {
            return Long.toString(((Double) v).longValue());
        }
        return String.valueOf(v);
    }

    private static double clampInterval(double seconds) {
        if (!(seconds > 0)) {
            return 30;
        }
        return Math.max(MIN_INTERVAL_SECONDS, Math.min(MAX_INTERVAL_SECONDS, seconds));
    }

    // for tests
    ScanWorker worker() {
        return worker;
    }

    ResultReporter reporter() {
        return reporter;
    }
}
