package io.mipo.operator.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Scanners page against a large fleet (bench/console-10k.sh runs it):
 * <ul>
 *   <li>{@code seed <data-dir> <count>}: adds {@code count} Scanners to a stopped standalone store
 *       ({@code <data-dir>/store.json}), so a fleet of 10,000 exists in seconds rather than the
 *       better part of an hour through the API;</li>
 *   <li>{@code measure <url-with-#token> <runs>}: opens the console in headless chromium
 *       ({@code runs} fresh page loads) and reports, from the Navigation and Performance APIs, when the
 *       page was interactive (DOMContentLoaded end) and when the first page of the table was drawn
 *       (the time of a {@code PerformanceObserver} entry the console does not make: measured here as
 *       the moment {@code #scanners-table tbody tr} exists, via a MutationObserver set up before the
 *       console's modules run).</li>
 * </ul>
 */
public final class ConsoleLoadBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "seed" -> seed(Path.of(args[1]), Integer.parseInt(args[2]));
            case "measure" -> measure(args[1], Integer.parseInt(args[2]));
            default -> throw new IllegalArgumentException("seed <data-dir> <count> | measure <url> <runs>");
        }
    }

    private static void seed(Path dataDir, int count) throws Exception {
        Path store = dataDir.resolve("store.json");
        ObjectNode doc = (ObjectNode) JSON.readTree(store.toFile());
        ArrayNode objects = (ArrayNode) doc.get("objects");
        long rv = doc.path("resourceVersion").asLong();
        String now = Instant.now().toString();
        String[] phases = {"Active", "Active", "Active", "Offline", "Pending", "Disabled"};
        String[] users = {"alice@example.com", "bob@example.com", "carol@example.com"};
        for (int i = 0; i < count; i++) {
            String name = String.format(Locale.ROOT, "bench-%05d", i);
            ObjectNode o = JSON.createObjectNode();
            o.put("apiVersion", "mipo.io/v1alpha1");
            o.put("kind", "Scanner");
            ObjectNode meta = o.putObject("metadata");
            meta.put("name", name);
            meta.put("namespace", "default");
            meta.put("uid", java.util.UUID.randomUUID().toString());
            meta.put("creationTimestamp", now);
            meta.put("generation", 1);
            meta.put("resourceVersion", String.valueOf(++rv));
            meta.putObject("annotations").put("mipo.io/created-by", users[i % users.length]);
            ObjectNode spec = o.putObject("spec");
            spec.put("displayName", "Bench-" + i);
            spec.put("description", "seeded scanner " + i + " in rack " + (i % 40));
            spec.put("rateLimit", (i % 10) * 100);
            spec.put("disabled", phases[i % phases.length].equals("Disabled"));
            spec.putObject("deployment").put("mode", "External");
            ObjectNode status = o.putObject("status");
            status.put("phase", phases[i % phases.length]);
            status.put("observedGeneration", 1);
            status.put("binding", "none");
            objects.addObject().put("resource", "scanners").set("object", o);
        }
        doc.put("resourceVersion", rv);
        Files.writeString(store, JSON.writeValueAsString(doc));
        System.out.printf("seeded %d scanners into %s%n", count, store);
    }

    private static void measure(String url, int runs) throws Exception {
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(System.getenv().getOrDefault("MIPO_CHROMEDRIVER", "/usr/bin/chromedriver")))
                .usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getenv().getOrDefault("MIPO_CHROMIUM", "/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,900");
        ChromeDriver driver = new ChromeDriver(service, options);
        try {
            // sign in once through the link (the token goes to sessionStorage), then measure plain loads
            driver.get(url);
            String base = url.substring(0, url.indexOf("/#"));
            // a MutationObserver installed before any script of the page runs: the time the first row appears
            driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source",
                    "new MutationObserver((m, o) => { if (document.querySelector('#scanners-table tbody tr')) {"
                            + " performance.mark('first-rows'); o.disconnect(); } })"
                            + ".observe(document, {childList: true, subtree: true});"));
            List<double[]> results = new ArrayList<>();
            for (int i = 0; i <= runs; i++) {
                driver.get(base + "/?run=" + i + "#/scanners");
                new WebDriverWait(driver, Duration.ofSeconds(60)).until(d -> !d.findElements(By.cssSelector("#scanners-table tbody tr")).isEmpty());
                @SuppressWarnings("unchecked")
                Map<String, Object> t = (Map<String, Object>) driver.executeScript(
                        "const n = performance.getEntriesByType('navigation')[0];"
                                + "const rows = performance.getEntriesByName('first-rows')[0];"
                                + "return {domInteractive: n.domInteractive, dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd,"
                                + " rows: rows ? rows.startTime : -1, total: document.querySelector('.pager .count').textContent,"
                                + " bytes: performance.getEntriesByType('resource').reduce((s, r) => s + r.transferSize, 0) + n.transferSize};");
                if (i == 0) {
                    System.out.println("warm-up load: " + t);
                    continue;
                }
                double rows = ((Number) t.get("rows")).doubleValue();
                results.add(new double[]{((Number) t.get("domInteractive")).doubleValue(), ((Number) t.get("dcl")).doubleValue(), rows});
                System.out.printf(Locale.ROOT, "run %d: domInteractive %.0f ms, DOMContentLoaded end %.0f ms, first page of rows drawn %.0f ms (%s; %s bytes transferred)%n",
                        i, results.get(results.size() - 1)[0], results.get(results.size() - 1)[1], rows, t.get("total"), t.get("bytes"));
            }
            for (int k = 0; k < 3; k++) {
                final int col = k;
                double[] v = results.stream().mapToDouble(r -> r[col]).sorted().toArray();
                System.out.printf(Locale.ROOT, "%s: median %.0f ms, max %.0f ms over %d runs%n",
                        new String[]{"domInteractive", "DOMContentLoaded end", "first page of rows drawn"}[k], v[v.length / 2], v[v.length - 1], v.length);
            }
        } finally {
            driver.quit();
            service.stop();
        }
    }
}
