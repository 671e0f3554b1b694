package io.mipo.scanner.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code mipo-scanner <command> [--name value | --name=value]...}, with environment variables
 * standing in for options. An option given on the command line wins over its variable.
 */
public final class CommandLine {
    public static final String REGISTER = "register";
    public static final String RUN = "run";
    public static final String VERSION = "version";
    public static final String UPGRADE = "upgrade";
    public static final String HELP = "help";

    private static final Map<String, Set<String>> OPTIONS = Map.of(
            REGISTER, Set.of("server", "token", "config-dir", "internal-ip", "ca-file"),
            RUN, Set.of("server", "config-dir", "internal-ip", "ca-file", "scan-pause-seconds", "max-in-flight",
                    "probe-timeout-ms", "report-states"),
            VERSION, Set.of(),
            UPGRADE, Set.of("config-dir", "server"),
            HELP, Set.of());

    public static final String USAGE = String.join("\n", List.of(
            "usage: mipo-scanner register --server URL [--config-dir DIR]   (token in MIPO_TOKEN)",
            "       mipo-scanner run [--config-dir DIR]",
            "       mipo-scanner version",
            "       sudo mipo-scanner upgrade [--config-dir DIR] [--server URL]",
            "",
            "register  enrol this host with a provisioning token and store the API key in",
            "          DIR/credentials (mode 0600). --token TOKEN works too, but command lines",
            "          are visible to other users (ps), so prefer the MIPO_TOKEN variable.",
            "run       heartbeat, take scan assignments, scan and report findings.",
            "upgrade   fetch the install script from the server this host is registered with and",
            "          run it in upgrade mode: the bundle that server offers, verified against its",
            "          SHA-256, replaces this one, rolled back if it does not heartbeat (root only).",
            "          --server URL fetches the script from URL instead of the credentials' server (the",
            "          root unit mipo-scanner-upgrade.service passes the URL it was installed from).",
            "",
            "options (environment variable in brackets):",
            "  --server URL             mipo base URL [MIPO_SERVER]",
            "  --token TOKEN            provisioning token, register only [MIPO_TOKEN]",
            "  --config-dir DIR         default /etc/mipo-scanner [MIPO_CONFIG_DIR]; run and upgrade use",
            "                           /var/lib/mipo-scanner when only it holds credentials (install script)",
            "  --ca-file FILE           PEM bundle of the CAs to trust for an https server [MIPO_CA_FILE];",
            "                           register keeps a copy in DIR/ca.pem for run; run also takes the",
            "                           bundle's text in MIPO_CA_PEM (in-cluster agents)",
            "  --internal-ip ADDR       address to report as internal IP [MIPO_INTERNAL_IP]",
            "  --scan-pause-seconds N   pause between scan passes, default 60 [MIPO_SCAN_PAUSE_SECONDS]",
            "  --max-in-flight N        concurrent connects, default 256 [MIPO_MAX_IN_FLIGHT]",
            "  --probe-timeout-ms N     per-probe connect timeout, default 2000 [MIPO_PROBE_TIMEOUT_MS]",
            "  --report-states LIST     states to report, default open [MIPO_REPORT_STATES]",
            "                           (comma-separated: open,closed,filtered)",
            "in-cluster: with no credentials file and MIPO_SA_TOKEN_FILE set, run registers with",
            "the projected ServiceAccount token in that file."));

    private final String command;
    private final Map<String, String> options;
    private final Map<String, String> env;

    private CommandLine(String command, Map<String, String> options, Map<String, String> env) {
        this.command = command;
        this.options = options;
        this.env = env;
    }

    public static CommandLine parse(String[] args, Map<String, String> env) throws UsageException {
        if (args.length == 0) {
            throw new UsageException("no command given");
        }
        String command = args[0];
        if (command.equals("--help") || command.equals("-h")) {
            command = HELP;
        } else if (command.equals("--version")) {
            command = VERSION;
        }
        Set<String> allowed = OPTIONS.get(command);
        if (allowed == null) {
            throw new UsageException("unknown command '" + command + "'");
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                return new CommandLine(HELP, Map.of(), env);
            }
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new UsageException("unexpected argument '" + arg + "'");
            }
            String name;
            String value;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                name = arg.substring(2, eq);
                value = arg.substring(eq + 1);
            } else {
                name = arg.substring(2);
                if (i + 1 >= args.length) {
                    throw new UsageException("option --" + name + " needs a value");
                }
                value = args[++i];
            }
            if (!allowed.contains(name)) {
                throw new UsageException("unknown option --" + name + " for '" + command + "'");
            }
            if (options.containsKey(name)) {
                throw new UsageException("option --" + name + " given twice");
            }
            options.put(name, value);
        }
        return new CommandLine(command, options, env);
    }

    public String command() {
        return command;
    }

    public Map<String, String> env() {
        return env;
    }

    public boolean hasOption(String name) {
        return options.containsKey(name);
    }

    /** The option's value, else the environment variable's, else {@code fallback}. Blank counts as unset. */
    public String value(String option, String envName, String fallback) {
        String v = options.get(option);
        if (v == null || v.isBlank()) {
            v = envName == null ? null : env.get(envName);
        }
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    /** An environment variable only (settings that have no option), or {@code fallback}. */
    public String env(String envName, String fallback) {
        String v = env.get(envName);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    /** A positive number from an option or variable. */
    public double number(String option, String envName, double fallback, double min, double max)
            throws UsageException {
        String raw = value(option, envName, null);
        if (raw == null) {
            return fallback;
        }
        double v;
        try {
            v = Double.parseDouble(raw);
        } catch (NumberFormatException e) {
            throw new UsageException(describe(option, envName) + " must be a number, got '" + raw + "'");
        }
        if (!(v >= min && v <= max)) {
            throw new UsageException(describe(option, envName) + " must be between " + min + " and " + max);
        }
        return v;
    }

    private static String describe(String option, String envName) {
        return option != null ? "--" + option + (envName != null ? " (" + envName + ")" : "") : envName;
    }
}
