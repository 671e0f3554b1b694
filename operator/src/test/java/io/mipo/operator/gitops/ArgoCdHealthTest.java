package io.mipo.operator.gitops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mipo.operator.testing.TestResources;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Argo CD health checks in docs/gitops/argocd/ run in a real Lua interpreter (Debian's lua5.4)
 * against sample objects of every phase and condition (src/test/resources/gitops/health-cases.yaml).
 * Each object is handed to the script as the global {@code obj}, a Lua table, as Argo CD does.
 * Without lua5.4 the test fails when CI=true and is skipped elsewhere.
 */
class ArgoCdHealthTest {
    static final Path DIR = TestResources.projectRoot().resolve("docs/gitops/argocd");
    static final List<String> SCRIPTS = List.of("scanner-health.lua", "scannerbinding-health.lua", "scannergroup-health.lua");
    private static final Set<String> STATUSES = Set.of("Healthy", "Progressing", "Degraded", "Suspended");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static String lua;

    @BeforeAll
    static void findLua() {
        lua = luaOrNull();
    }

    /** The lua5.4 on PATH; null outside CI when it is missing; a failure when CI=true and it is missing. */
    static String luaOrNull() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "lua5.4");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("lua5.4 is not installed (CI=true): .ci/run installs the Debian package lua5.4");
        }
        return null;
    }

    @TestFactory
    List<DynamicTest> everyPhaseAndConditionGetsItsHealth() throws IOException {
        JsonNode cases;
        try (InputStream in = ArgoCdHealthTest.class.getResourceAsStream("/gitops/health-cases.yaml")) {
            cases = YAML.readTree(in);
        }
        List<DynamicTest> tests = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        for (JsonNode c : cases) {
            String script = c.get("script").asText();
            seen.add(script + " " + c.get("expect").asText());
            tests.add(DynamicTest.dynamicTest(script + ": " + c.get("name").asText(), () -> {
                assumeTrue(lua != null, "lua5.4 is not installed");
                String[] health = run(script, c.get("object"));
                String expected = c.get("expect").asText();
                assertEquals(expected, health[0], c.get("name").asText() + ": message was '" + health[1] + "'");
                assertTrue(health[1].contains(c.get("message").asText()),
                        c.get("name").asText() + ": the message '" + health[1] + "' lacks '" + c.get("message").asText() + "'");
            }));
        }
        // Every script is exercised in each status it can return.
        tests.add(DynamicTest.dynamicTest("every status of every script has a case", () -> {
            for (String script : SCRIPTS) {
                String source = Files.readString(DIR.resolve(script));
                Matcher m = Pattern.compile("hs\\.status = \"(\\w+)\"").matcher(source);
                while (m.find()) {
                    assertTrue(STATUSES.contains(m.group(1)), script + " returns " + m.group(1) + ", not an Argo CD health status");
                    assertTrue(seen.contains(script + " " + m.group(1)), script + " can return " + m.group(1) + " but no case expects it; cases: " + seen);
                }
            }
        }));
        return tests;
    }

    /**
     * Argo CD embeds a Lua 5.1 interpreter (gopher-lua) without the string and math libraries; lua5.4
     * would accept newer syntax that Argo CD refuses, so the scripts keep to what both understand
     * (also on paths no sample object reaches).
     */
    @Test
    void scriptsUseNothingNewerThanLua51() throws IOException {
        Pattern newer = Pattern.compile("\\bgoto\\b|//|<<|>>|[^~=<>]~[^=]|&|\\butf8\\.|<const>|<close>|\\btable\\.move\\b"
                + "|\\b(string|math|io|os|debug|coroutine)\\.|\\w:\\w+\\(|\\):\\w+\\(");
        for (String script : SCRIPTS) {
            int line = 0;
            for (String l : Files.readAllLines(DIR.resolve(script))) {
                line++;
                String code = l.replaceAll("--.*$", "").replaceAll("\"([^\"\\\\]|\\\\.)*\"", "\"\"");
                Matcher m = newer.matcher(code);
                assertTrue(!m.find(), script + ":" + line + " uses syntax newer than Lua 5.1 or a library Argo CD does not open: " + l.trim());
            }
        }
    }

    /**
     * What a health script from argocd-cm may use: Argo CD runs it without its standard libraries
     * (unless useOpenLibs is set), opening only the base, table and package libraries and a reduced
     * os. So no string or math library, and no methods on strings (their metatable is not set up);
     * the harness takes them away too, so a script that needs them fails here as it would there.
     */
    private static final String SANDBOX = "local sandbox = {}\n"
            + "for _, name in ipairs({'assert', 'error', 'ipairs', 'next', 'pairs', 'pcall', 'rawequal', 'rawget', 'rawlen',"
            + " 'rawset', 'select', 'setmetatable', 'getmetatable', 'tonumber', 'tostring', 'type', 'xpcall', 'table'}) do\n"
            + "  sandbox[name] = _G[name]\n"
            + "end\n"
            + "sandbox.unpack = table.unpack\n";

    /**
     * docs/gitops/argocd/argocd-cm-patch.yaml carries the three scripts, ready for
     * {@code kubectl -n argocd patch configmap argocd-cm --type merge --patch-file ...}. Regenerate
     * with {@code mvn -o -B test -pl operator -Dtest=ArgoCdHealthTest -DupdateGitops=true}.
     */
    @Test
    void theArgoCdConfigMapPatchHoldsTheScripts() throws IOException {
        Map<String, String> kinds = new LinkedHashMap<>();
        kinds.put("Scanner", "scanner-health.lua");
        kinds.put("ScannerBinding", "scannerbinding-health.lua");
        kinds.put("ScannerGroup", "scannergroup-health.lua");
        StringBuilder patch = new StringBuilder()
                .append("# Generated from docs/gitops/argocd/*.lua by ArgoCdHealthTest; do not edit (see docs/gitops.md).\n")
                .append("# kubectl -n argocd patch configmap argocd-cm --type merge --patch-file argocd-cm-patch.yaml\n")
                .append("data:\n");
        for (Map.Entry<String, String> k : kinds.entrySet()) {
            patch.append("  resource.customizations.health.mipo.io_").append(k.getKey()).append(": |\n");
            for (String line : Files.readAllLines(DIR.resolve(k.getValue()), StandardCharsets.UTF_8)) {
                patch.append(line.isEmpty() ? "" : "    " + line).append('\n');
            }
        }
        Path file = DIR.resolve("argocd-cm-patch.yaml");
        if (Boolean.getBoolean("updateGitops")) {
            Files.writeString(file, patch.toString(), StandardCharsets.UTF_8);
        }
        assertTrue(Files.exists(file), file + " is missing; regenerate it with -DupdateGitops=true");
        assertEquals(patch.toString(), Files.readString(file, StandardCharsets.UTF_8), file + " is out of date with the scripts; regenerate: "
                + "mvn -o -B test -pl operator -Dtest=ArgoCdHealthTest -DupdateGitops=true");
        JsonNode data = YAML.readTree(file.toFile()).path("data");
        for (Map.Entry<String, String> k : kinds.entrySet()) {
            assertEquals(Files.readString(DIR.resolve(k.getValue()), StandardCharsets.UTF_8),
                    data.path("resource.customizations.health.mipo.io_" + k.getKey()).asText(), "the YAML does not hold " + k.getValue() + " verbatim");
        }
    }

    /** Runs {@code script} with {@code obj} set, in Argo CD's sandbox; returns {status, message}. */
    static String[] run(String script, JsonNode object) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("argocd-health");
        try {
            return runIn(work, script, object);
        } finally {
            try (var files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static String[] runIn(Path work, String script, JsonNode object) throws IOException, InterruptedException {
        Path harness = work.resolve("harness.lua");
        Path out = work.resolve("out.txt");
        Path err = work.resolve("err.txt");
        Files.writeString(harness, SANDBOX
                + "sandbox.obj = " + LuaTables.literal(object) + "\n"
                + "local chunk, err = loadfile(" + luaString(DIR.resolve(script).toString()) + ", 't', sandbox)\n"
                + "if not chunk then io.stderr:write(err) os.exit(2) end\n"
                + "getmetatable('').__index = nil\n"
                + "local ok, hs = pcall(chunk)\n"
                + "getmetatable('').__index = string\n"
                + "if not ok then io.stderr:write(tostring(hs)) os.exit(2) end\n"
                + "if type(hs) ~= 'table' then io.stderr:write('the script returned ' .. type(hs)) os.exit(3) end\n"
                + "io.write(tostring(hs.status), '\\n', tostring(hs.message), '\\n')\n", StandardCharsets.UTF_8);
        String interpreter = lua != null ? lua : luaOrNull();
        assumeTrue(interpreter != null, "lua5.4 is not installed");
        Process p = new ProcessBuilder(interpreter, harness.toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(script + " did not finish within 20 s");
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), script + " failed: " + stderr + "\nobject: " + object);
        String[] lines = stdout.split("\n", -1);
        assertTrue(lines.length >= 2, "unexpected output of " + script + ": " + stdout);
        return new String[]{lines[0], lines[1]};
    }

    private static String luaString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
