package io.mipo.operator.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Tests that call a real tool (nginx, iptables-restore, shellcheck, kubectl, a browser) skip when it
 * is missing on a developer's machine, but FAIL in CI ({@code CI=true}): there, {@code .ci/run}
 * installs every one of them, and a silent skip would hide that a check never ran.
 */
public final class RequiredTools {
    private RequiredTools() {
    }

    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips (outside CI) or fails (in CI) when the tool is missing. */
    public static void require(boolean present, String tool) {
        if (present) {
            return;
        }
        if (inCi()) {
            Assertions.fail(tool + " is not installed, and CI=true: .ci/run installs it; a test that needs it must not be skipped in CI");
        }
        Assumptions.abort(tool + " is not installed (outside CI the test is skipped; CI=true makes this a failure)");
    }

    /** How a process ended: exit code and everything it printed. */
    public record Outcome(int exit, String output) {
    }

    /**
     * Runs a process to its end with its output in a file (never a pipe that could fill and block it),
     * killed and failed after {@code timeout}.
     */
    public static Outcome run(ProcessBuilder pb, Duration timeout) throws IOException, InterruptedException {
        Path out = Files.createTempFile("mipo-test-process", ".out");
        try {
            Process p = pb.redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                Assertions.fail(String.join(" ", pb.command().subList(0, Math.min(3, pb.command().size())))
                        + "… did not end within " + timeout.toSeconds() + " s; output:\n" + Files.readString(out, StandardCharsets.UTF_8));
            }
            return new Outcome(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Whether {@code command} runs and exits 0 within 30 s. */
    public static boolean runs(List<String> command) {
        try {
            return run(new ProcessBuilder(command), Duration.ofSeconds(30)).exit() == 0;
        } catch (IOException | InterruptedException | AssertionError e) {
            return false;
        }
    }
}
