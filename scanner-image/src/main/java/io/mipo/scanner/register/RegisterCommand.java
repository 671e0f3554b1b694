package io.mipo.scanner.register;

import io.mipo.scanner.AgentVersion;
import io.mipo.scanner.ExitCodes;
import io.mipo.scanner.cli.CommandLine;
import io.mipo.scanner.client.AgentClient;
import io.mipo.scanner.client.ApiException;
import io.mipo.scanner.client.ServerUnreachableException;
import io.mipo.scanner.config.Credentials;
import io.mipo.scanner.config.CredentialsStore;
import io.mipo.scanner.host.HostInfo;
import io.mipo.scanner.util.Log;
import io.mipo.scanner.util.Secrets;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/** {@code mipo-scanner register}: token → API key in {@code <config-dir>/credentials}. */
public final class RegisterCommand {
    /** The documented default of {@code --config-dir}. */
    public static final String DEFAULT_CONFIG_DIR = "/etc/mipo-scanner";
    /** Where the install script keeps the credentials (the unit's StateDirectory). */
    public static final String STATE_CONFIG_DIR = "/var/lib/mipo-scanner";

    /**
     * The directory {@code run} and {@code upgrade} read when none is given: the documented default,
     * unless only the install script's state directory holds credentials (a host set up by the script).
     */
    public static String installedConfigDir() {
        if (!java.nio.file.Files.exists(Path.of(DEFAULT_CONFIG_DIR, "credentials"))
                && java.nio.file.Files.exists(Path.of(STATE_CONFIG_DIR, "credentials"))) {
            return STATE_CONFIG_DIR;
        }
        return DEFAULT_CONFIG_DIR;
    }

    private RegisterCommand() {
    }

    public static int run(CommandLine cmd, Log log) {
        URI server;
        try {
            server = AgentClient.parseServer(cmd.value("server", "MIPO_SERVER", null));
        } catch (IllegalArgumentException e) {
            log.error("%s", e.getMessage());
            return ExitCodes.USAGE;
        }
        String token = cmd.value("token", "MIPO_TOKEN", null);
        if (token == null) {
            log.error("no provisioning token: set MIPO_TOKEN (or pass --token); it is in the install command mipo showed");
            return ExitCodes.USAGE;
        }
        if (cmd.hasOption("token")) {
            log.warn("--token is visible to other users of this host (ps); prefer the MIPO_TOKEN environment variable");
        }
        if (!token.startsWith("mipo_pt_")) {
            log.warn("the token does not look like a mipo provisioning token (mipo_pt_…); trying anyway");
        }
        Path dir = Path.of(cmd.value("config-dir", "MIPO_CONFIG_DIR", DEFAULT_CONFIG_DIR));
        warnIfPlainHttp(server, log);
        String caFile = cmd.value("ca-file", "MIPO_CA_FILE", null);
        javax.net.ssl.SSLContext trust;
        try {
            trust = caFile == null ? null : io.mipo.scanner.client.CaBundle.load(Path.of(caFile));
        } catch (IOException e) {
            log.error("%s", e.getMessage());
            return ExitCodes.USAGE;
        }

        AgentClient client = client(server, trust);
        Registrar registrar = new Registrar(client, cmd.env(), cmd.value("internal-ip", "MIPO_INTERNAL_IP", null));
        log.info("registering with %s (token %s)", server, Secrets.mask(token));
        Duration initial;
        Duration max;
        try {
            initial = Duration.ofMillis((long) cmd.number(null, "MIPO_BACKOFF_INITIAL_MS", 1000, 1, 3_600_000));
            max = Duration.ofMillis((long) cmd.number(null, "MIPO_BACKOFF_MAX_MS", 30_000, 1, 3_600_000));
        } catch (io.mipo.scanner.cli.UsageException e) {
            log.error("%s", e.getMessage());
            return ExitCodes.USAGE;
        }
        RegistrationId registrationId = new RegistrationId(dir);
        String id;
        try {
            id = registrationId.loadOrCreate();
        } catch (IOException | RuntimeException e) {
            log.error("cannot write %s (%s): the registration id must be on disk before the token is sent", registrationId.file(), e.getMessage());
            return ExitCodes.FAILURE;
        }
        Credentials creds;
        try {
            creds = new RegistrationAttempts(d -> Thread.sleep(d.toMillis()), log, initial, max)
                    .run(() -> registrar.withProvisioningToken(token, id));
        } catch (ApiException e) {
            Failure f = explain(e);
            log.error("%s", f.message);
            return f.exitCode;
        } catch (ServerUnreachableException e) {
            log.error("cannot reach the mipo server: %s. Check the URL, DNS, proxies and firewalls between this host and %s.",
                    e.getMessage(), server);
            return ExitCodes.UNREACHABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.error("interrupted");
            return ExitCodes.FAILURE;
        }

        CredentialsStore store = new CredentialsStore(dir);
        try {
            boolean replacing = store.load().isPresent();
            store.save(creds);
            if (caFile != null) {
                // run (the service) trusts the same CAs without the installer's environment
                java.nio.file.Files.copy(Path.of(caFile), dir.resolve(io.mipo.scanner.client.CaBundle.STORED_NAME),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            try {
                registrationId.clear();
            } catch (IOException e) {
                log.warn("could not remove %s: %s", registrationId.file(), e.getMessage());
            }
            log.info("registered as scanner '%s'; API key %s stored in %s%s", creds.scannerId(),
                    Secrets.mask(creds.apiKey()), store.file(), replacing ? " (replacing the previous credentials)" : "");
        } catch (IOException | RuntimeException e) {
            log.error("registered as scanner '%s', but could not store the credentials in %s: %s."
                    + " Run the same command again within 15 minutes (the registration id in %s makes the retry"
                    + " valid), or generate a new token in mipo and register again.",
                    creds.scannerId(), store.file(), e.getMessage(), registrationId.file());
            return ExitCodes.FAILURE;
        }
        return ExitCodes.OK;
    }

    static AgentClient client(URI server) {
        return client(server, null);
    }

    static AgentClient client(URI server, javax.net.ssl.SSLContext trust) {
        String ua = "mipo-scanner/" + AgentVersion.get() + " (" + HostInfo.os() + "/" + HostInfo.arch() + ")";
        return new AgentClient(server, ua, Duration.ofSeconds(10), Duration.ofSeconds(30), trust);
    }

    static void warnIfPlainHttp(URI server, Log log) {
        if ("http".equalsIgnoreCase(server.getScheme()) && !isLoopbackHost(server.getHost())) {
            log.warn("%s uses plain http: tokens and API keys travel unencrypted. Use https outside a lab.", server);
        }
    }

    private static boolean isLoopbackHost(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
    }

    /** An exit code and a message that tells the person at the terminal what to do. */
    record Failure(int exitCode, String message) {
    }

    static Failure explain(ApiException e) {
        String code = e.code() == null ? "" : e.code();
        String detail = e.detail() != null ? " Server says: " + e.detail() : "";
        switch (code) {
            case "TOKEN_INVALID":
                return new Failure(ExitCodes.NOT_AUTHORIZED, "registration refused (TOKEN_INVALID): the provisioning token"
                        + " is not valid. Copy the whole install command again from mipo, or generate a new token"
                        + " (Regenerate token) and use that." + detail);
            case "TOKEN_EXPIRED":
                return new Failure(ExitCodes.NOT_AUTHORIZED, "registration refused (TOKEN_EXPIRED): the provisioning token"
                        + " has expired (tokens live 24 h by default). Generate a new token in mipo"
                        + " (Regenerate token) and run the new install command." + detail);
            case "TOKEN_USED":
                return new Failure(ExitCodes.NOT_AUTHORIZED, "registration refused (TOKEN_USED): this provisioning token"
                        + " was already used; each token registers once. To re-provision this scanner,"
                        + " generate a new token in mipo (Regenerate token) and run the new install command." + detail);
            case "IP_BINDING_VIOLATION":
                return new Failure(ExitCodes.BINDING_VIOLATION, "registration refused (IP_BINDING_VIOLATION): this host's"
                        + " address is not allowed by the scanner's IP binding. Adjust or release the binding in"
                        + " mipo, or register from an allowed address." + detail);
            default:
                break;
        }
        if (e.status() == 401) {
            return new Failure(ExitCodes.NOT_AUTHORIZED, "registration refused (" + e.getMessage() + "): the token was"
                    + " not accepted. Generate a new token in mipo and run the new install command.");
        }
        if (e.status() == 403) {
            return new Failure(ExitCodes.BINDING_VIOLATION, "registration forbidden (" + e.getMessage() + ").");
        }
        return new Failure(ExitCodes.FAILURE, "registration failed: " + e.getMessage());
    }
}
