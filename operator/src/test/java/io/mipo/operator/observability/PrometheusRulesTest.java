package io.mipo.operator.observability;

import io.mipo.operator.testing.TestResources;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The chart's alert rules, checked and unit-tested by the real promtool (Debian's prometheus
 * package): each alert fires on the series meant to fire it and stays silent on the others.
 * In CI (CI=true) a missing promtool fails the test; elsewhere it skips it.
 */
class PrometheusRulesTest {
    static final Path RULES = TestResources.projectRoot().resolve("helm/mipo-scanner-operator/files/prometheus-rules.yaml");
    static final Path TESTS = TestResources.projectRoot().resolve("operator/src/test/resources/promtool/mipo-alerts.test.yaml");
    static final List<String> ALERTS = List.of("MipoOperatorDown", "MipoNoLeader", "MipoScannersOffline", "MipoFleetMostlyOffline",
            "MipoBindingMismatches", "MipoRegistrationFailures", "MipoReconciliationFailures", "MipoKubernetesWriteStorm");

    @TempDir
    Path dir;

    static Path promtool() {
        Optional<Path> found = Stream.concat(Stream.of(System.getenv().getOrDefault("PATH", "").split(":")), Stream.of("/usr/bin", "/usr/local/bin"))
                .filter(d -> !d.isEmpty()).map(d -> Path.of(d, "promtool")).filter(Files::isExecutable).findFirst();
        if (found.isEmpty()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("promtool is not installed; in CI it must be (.ci/run installs Debian's prometheus package)");
            }
            Assumptions.abort("promtool is not installed (apt-get install prometheus)");
        }
        return found.get();
    }

    @Test
    void promtoolAcceptsTheRulesAndEveryAlertFiresAndStaysSilentAsTheTestsSay() throws Exception {
        Path promtool = promtool();
        Files.copy(RULES, dir.resolve("rules.yaml"));
        Files.copy(TESTS, dir.resolve("mipo-alerts.test.yaml"));

        Result check = run(promtool, "check", "rules", "rules.yaml");
        assertEquals(0, check.exit(), "promtool check rules:\n" + check.output());
        assertTrue(check.output().contains("SUCCESS: " + ALERTS.size() + " rules found"), check.output());

        Result test = run(promtool, "test", "rules", "mipo-alerts.test.yaml");
        assertEquals(0, test.exit(), "promtool test rules:\n" + test.output());
        assertTrue(test.output().contains("SUCCESS"), test.output());
    }

    @Test
    void everyAlertHasATestThatFiresItAndOneWhereItStaysSilent() throws IOException {
        String rules = Files.readString(RULES);
        String tests = Files.readString(TESTS);
        for (String alert : ALERTS) {
            assertTrue(rules.contains("- alert: " + alert + "\n"), "the rule file defines " + alert);
            String[] evals = tests.split("alertname: " + alert + "\n", -1);
            boolean fires = false;
            boolean silent = false;
            for (int i = 1; i < evals.length; i++) {
                String next = evals[i].stripLeading();
                fires |= next.startsWith("exp_alerts:\n");
                silent |= next.startsWith("exp_alerts: []");
            }
            assertTrue(fires, alert + " has a promtool case where it fires");
            assertTrue(silent, alert + " has a promtool case where it stays silent");
        }
    }

    @Test
    void aRuleThatNoLongerMatchesItsTestsMakesPromtoolFail() throws Exception {
        Path promtool = promtool();
        // the write-storm threshold raised past the test's 30 writes/s: the case that expects it to fire must fail
        Files.writeString(dir.resolve("rules.yaml"), Files.readString(RULES).replace("sum(rate(mipo_kubernetes_writes_total[5m])) > 20",
                "sum(rate(mipo_kubernetes_writes_total[5m])) > 50"));
        Files.copy(TESTS, dir.resolve("mipo-alerts.test.yaml"));
        Result test = run(promtool, "test", "rules", "mipo-alerts.test.yaml");
        assertTrue(test.exit() != 0, "promtool passed a rule that its test says must fire:\n" + test.output());
        assertTrue(test.output().contains("MipoKubernetesWriteStorm"), test.output());
    }

    record Result(int exit, String output) {
    }

    private Result run(Path promtool, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(args));
        Path out = dir.resolve("promtool.out");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("promtool " + String.join(" ", args) + " did not finish within 60 s:\n" + Files.readString(out, StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }
}
