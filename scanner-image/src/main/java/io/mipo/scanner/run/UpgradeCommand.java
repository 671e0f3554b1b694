package io.mipo.scanner.run;

import io.mipo.scanner.AgentVersion;
import io.mipo.scanner.ExitCodes;
import io.mipo.scanner.cli.CommandLine;
import io.mipo.scanner.config.Credentials;
import io.mipo.scanner.config.CredentialsStore;
import io.mipo.scanner.host.HostInfo;
import io.mipo.scanner.register.RegisterCommand;
import io.mipo.scanner.util.Log;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code mipo-scanner upgrade}: fetches the install script from the server this host is
 * registered with and runs it with {@code --upgrade}. The script carries the SHA-256 of the
 * bundle that server offers, downloads the bundle with the installed API key, verifies it,
 * switches the installation over, restarts the unit and rolls back when the new agent does not
 * heartbeat. One implementation of all that, in the script, whether a user pipes it from curl
 * ({@code MIPO_UPGRADE=1}) or runs this command.
 */
public final class UpgradeCommand {
    /** The script waits up to MIPO_UPGRADE_TIMEOUT (60 s) for a heartbeat, and twice on a rollback. */
    static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(15);

    private UpgradeCommand() {
    }

    public static int run(CommandLine cmd, Log log) {
        Path dir = Path.of(cmd.value("config-dir", "MIPO_CONFIG_DIR", RegisterCommand.installedConfigDir()));
        Optional<Credentials> stored;
        try {
            stored = new CredentialsStore(dir).load();
        } catch (IOException e) {
            log.error("cannot read the credentials: %s", e.getMessage());
            return ExitCodes.FAILURE;
        }
        if (stored.isEmpty()) {
            log.error("no credentials in %s: this host is not registered, so there is nothing to upgrade", dir);
            return ExitCodes.NOT_AUTHORIZED;
        }
        // --server: the root unit mipo-scanner-upgrade.service names the server it was installed from, so an
        // upgrade it runs trusts nothing the agent's user can write (the credentials file is the agent's)
        String server = cmd.value("server", null, stored.get().server()).replaceAll("/+$", "");
        if (!server.matches("^https?://[A-Za-z0-9.:\\[\\]_/-]+$")) {
            log.error("%s is not a plain http(s) server URL", server.replaceAll("[^ -~]", "?"));
            return ExitCodes.USAGE;
        }
        URI script = URI.create(server + "/scanner/install");
        Path file = null;
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                    .followRedirects(HttpClient.Redirect.NEVER).build();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(script).timeout(Duration.ofSeconds(60))
                    .header("User-Agent", "mipo-scanner/" + AgentVersion.get() + " (" + HostInfo.os() + "/" + HostInfo.arch() + ")")
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200 || !r.body().startsWith("#!/bin/sh")) {
                log.error("%s answered %d, not the install script", script, r.statusCode());
                return ExitCodes.FAILURE;
            }
            file = Files.createTempFile("mipo-scanner-upgrade-", ".sh",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, r.body());
            log.info("running the install script from %s in upgrade mode (this agent is %s)", script, AgentVersion.get());
            ProcessBuilder pb = new ProcessBuilder("sh", file.toString(), "--upgrade").inheritIO();
            pb.environment().remove("MIPO_TOKEN");
            Process p = pb.start();
            if (!p.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroy();
                log.error("the upgrade did not finish within %d minutes", SCRIPT_TIMEOUT.toMinutes());
                return ExitCodes.FAILURE;
            }
            return p.exitValue();
        } catch (IOException e) {
            log.error("cannot fetch %s: %s", script, e.getMessage());
            return ExitCodes.UNREACHABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.FAILURE;
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a temporary file without secrets
                }
            }
        }
    }
}
