package io.mipo.operator.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the agent, the install script and other commands as separate processes, their output kept in a file. */
final class Commands {
    private Commands() {
    }

    /** How a command ended: its exit code and everything it printed (stdout and stderr, interleaved). */
    record Outcome(int exit, String output) {
        String describe(String what) {
            return "--- " + what + ": exit " + exit + ", output ---\n" + output;
        }
    }

    /**
     * Runs {@code command} to its end (killed after {@code timeout}), with {@code env} added to an
     * environment cleared of MIPO_* variables, its output in {@code outputFile}.
     */
    static Outcome run(List<String> command, Map<String, String> env, Path outputFile, Duration timeout)
            throws IOException, InterruptedException {
        Process p = start(command, env, outputFile);
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(String.join(" ", command.subList(0, Math.min(3, command.size())))
                    + "… did not end within " + timeout.toSeconds() + " s; output:\n" + read(outputFile));
        }
        return new Outcome(p.exitValue(), read(outputFile));
    }

    /** Starts {@code command} in the background; the caller must end it. */
    static Process start(List<String> command, Map<String, String> env, Path outputFile) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(outputFile.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("MIPO_"));
        pb.environment().putAll(env);
        return pb.start();
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "<cannot read " + file + ": " + e + ">";
        }
    }
}
