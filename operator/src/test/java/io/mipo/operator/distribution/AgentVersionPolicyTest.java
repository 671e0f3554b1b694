package io.mipo.operator.distribution;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The skew policy's version arithmetic, and where the operator looks for its agent artifacts. */
class AgentVersionPolicyTest {

    @Test
    void theDefaultMinimumIsOneMinorVersionBehind() {
        assertEquals(Optional.of("1.3.0"), AgentVersionPolicy.defaultMinimum("1.4.2"));
        assertEquals(Optional.of("1.0.0"), AgentVersionPolicy.defaultMinimum("1.0.7"));
        assertEquals(Optional.of("0.0.0"), AgentVersionPolicy.defaultMinimum("0.1.0-SNAPSHOT"));
        assertEquals(Optional.empty(), AgentVersionPolicy.defaultMinimum("unknown"));
    }

    @Test
    void versionsCompareNumericallyIgnoringPreReleaseSuffixes() {
        assertTrue(AgentVersionPolicy.older("1.9.0", "1.10.0"), "numeric, not text");
        assertTrue(AgentVersionPolicy.older("0.9.3", "1.0.0"));
        assertTrue(AgentVersionPolicy.older("1.2", "1.2.1"), "a missing patch is 0");
        assertFalse(AgentVersionPolicy.older("1.0.0-SNAPSHOT", "1.0.0"), "the suffix is ignored");
        assertFalse(AgentVersionPolicy.older("1.0.0", "1.0.0"));
        assertFalse(AgentVersionPolicy.older("2.0.0", "1.9.9"));
        assertFalse(AgentVersionPolicy.older(null, "1.0.0"), "no version: accepted");
        assertFalse(AgentVersionPolicy.older("dev", "1.0.0"), "not a version: accepted");
    }

    /** The character-by-character reader answers what the regular expression it replaced answered. */
    @Test
    void versionNumbersAreReadAsTheRegularExpressionReadThem() {
        java.util.regex.Pattern version = java.util.regex.Pattern.compile("^v?(\\d{1,9})\\.(\\d{1,9})(?:\\.(\\d{1,9}))?");
        java.util.Random random = new java.util.Random(7);
        String alphabet = "v0123456789....-x+ \t1";
        List<String> texts = new java.util.ArrayList<>(List.of("", " ", "1", "1.", "1.2", "1.2.", "1.2.3", "v1.2.3", " v1.2.3-SNAPSHOT ",
                "vv1.2", "V1.2", "1234567890.1", "123456789.1", "1.1234567890", "1.2.1234567890", "1.2.3.4", "01.02.03", "1..2", ".1.2"));
        for (int i = 0; i < 200_000; i++) {
            StringBuilder b = new StringBuilder();
            int n = random.nextInt(16);
            for (int j = 0; j < n; j++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            texts.add(b.toString());
        }
        for (String t : texts) {
            java.util.regex.Matcher m = version.matcher(t.trim());
            int[] expected = m.find() ? new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3))} : null;
            int[] actual = AgentVersionPolicy.numbers(t);
            assertTrue(java.util.Arrays.equals(expected, actual), () -> "'" + t + "': expected " + java.util.Arrays.toString(expected)
                    + ", read " + java.util.Arrays.toString(actual));
        }
    }

    @Test
    void artifactsAreLookedForNextToTheRunningCodeToo(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        // operator/target/quarkus-app/app/operator.jar of a checkout at tmp
        Path jar = Files.createDirectories(tmp.resolve("operator/target/quarkus-app/app")).resolve("operator.jar");
        Files.writeString(jar, "jar");
        List<Path> candidates = BundleDistribution.candidates(jar);
        assertTrue(candidates.contains(tmp.resolve("scanner-image/target")), candidates.toString());
        assertTrue(candidates.contains(tmp.resolve("operator/target/quarkus-app/app/agent")), "an agent/ directory beside the jar");
        assertEquals(Path.of("/deployments/agent"), candidates.get(0), "the container image's directory first");
        assertTrue(candidates.indexOf(tmp.resolve("operator/target/quarkus-app/agent"))
                < candidates.indexOf(tmp.resolve("scanner-image/target")), "nearest first");
    }
}
