package io.mipo.operator.api.agent;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent fields' character rules accept exactly what their regular expressions accept. */
class AgentRequestLimitsTest {
    private static final Map<AgentRequestLimits.Word, Pattern> RULES = Map.of(
            AgentRequestLimits.HOSTNAME, Pattern.compile("^[A-Za-z0-9_][A-Za-z0-9._-]{0,252}$"),
            AgentRequestLimits.VERSION, Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$"),
            AgentRequestLimits.PLATFORM, Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"),
            AgentRequestLimits.CAPABILITY, Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:/+-]{0,63}$"));
    private static final String ALPHABET = "aZ09._-+:/_ \n\té@$%*A";

    @Test
    void eachRuleAgreesWithItsExpression() {
        List<String> samples = new ArrayList<>(List.of("", "a", "_host", ".x", "-x", "+x", "1.2.3+build-7", "scan:tcp/80",
                "host\n", "\nhost", "hôst", "x".repeat(32), "x".repeat(33), "x".repeat(64), "x".repeat(65),
                "x".repeat(253), "x".repeat(254), "a b"));
        Random rnd = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            int n = rnd.nextInt(rnd.nextBoolean() ? 6 : 260);
            StringBuilder b = new StringBuilder();
            for (int j = 0; j < n; j++) {
                b.append(rnd.nextInt(8) == 0 ? ALPHABET.charAt(rnd.nextInt(ALPHABET.length())) : (char) ('a' + rnd.nextInt(26)));
            }
            samples.add(b.toString());
        }
        int accepted = 0;
        for (Map.Entry<AgentRequestLimits.Word, Pattern> rule : RULES.entrySet()) {
            for (String s : samples) {
                boolean expected = rule.getValue().matcher(s).matches();
                assertEquals(expected, rule.getKey().matches(s), rule.getValue() + " on " + s.replace("\n", "\\n"));
                accepted += expected ? 1 : 0;
            }
        }
        assertTrue(accepted > 1_000 && accepted < 4 * samples.size() - 1_000, "the samples must both pass and fail: " + accepted);
    }
}
