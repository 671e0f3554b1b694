package io.mipo.scanner;

import io.mipo.scanner.cli.CommandLine;
import io.mipo.scanner.cli.UsageException;
import io.mipo.scanner.register.RegisterCommand;
import io.mipo.scanner.run.Agent;
import io.mipo.scanner.run.RunCommand;
import io.mipo.scanner.util.Log;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/** Entry point of the mipo scanner agent: {@code register}, {@code run}, {@code upgrade}, {@code version}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        Log log = Log.stderr();
        int code = execute(args, System.getenv(), System.out, log, agent ->
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    // SIGTERM/SIGINT: stop heartbeats and scans, post what is buffered, exit
                    agent.stop();
                    try {
                        agent.awaitStopped(Duration.ofSeconds(8));
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                }, "mipo-shutdown")));
        System.exit(code);
    }

    /** The whole CLI, with the environment and streams passed in so tests can drive it. */
    public static int execute(String[] args, Map<String, String> env, PrintStream out, Log log, Consumer<Agent> onStart) {
        CommandLine cmd;
        try {
            cmd = CommandLine.parse(args, env);
        } catch (UsageException e) {
            log.error("%s", e.getMessage());
            out.println(CommandLine.USAGE);
            return ExitCodes.USAGE;
        }
        switch (cmd.command()) {
            case CommandLine.REGISTER:
                return RegisterCommand.run(cmd, log);
            case CommandLine.RUN:
                return RunCommand.run(cmd, log, onStart);
            case CommandLine.UPGRADE:
                return io.mipo.scanner.run.UpgradeCommand.run(cmd, log);
            case CommandLine.VERSION:
                out.println(AgentVersion.get());
                return ExitCodes.OK;
            default:
                out.println(CommandLine.USAGE);
                return ExitCodes.OK;
        }
    }
}
