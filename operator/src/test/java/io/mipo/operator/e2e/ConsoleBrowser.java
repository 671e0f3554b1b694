package io.mipo.operator.e2e;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Debian's headless chromium driven by its own chromedriver (packages chromium and chromium-driver),
 * with the browser console collected. The driver is given explicitly, so Selenium Manager never runs
 * (nothing is downloaded). When the tools are missing the browser tests fail under CI=true and are
 * skipped otherwise.
 */
final class ConsoleBrowser implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);

    final ChromeDriver driver;
    private final ChromeDriverService service;
    private final List<LogEntry> console = new ArrayList<>();

    private ConsoleBrowser(ChromeDriver driver, ChromeDriverService service) {
        this.driver = driver;
        this.service = service;
    }

    static ConsoleBrowser start(Path workDir) throws IOException {
        Path chromium = tool("MIPO_CHROMIUM", "/usr/bin/chromium");
        Path chromedriver = tool("MIPO_CHROMEDRIVER", "/usr/bin/chromedriver");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort()
                .withLogFile(workDir.resolve("chromedriver.log").toFile())
                .withTimeout(Duration.ofSeconds(60))
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,900", "--no-first-run", "--force-renderer-accessibility", "--disable-extensions", "--lang=en-US",
                "--user-data-dir=" + Files.createDirectories(workDir.resolve("chromium-profile")));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
        return new ConsoleBrowser(driver, service);
    }

    /** The tool's path (an env var may point elsewhere); FAILS under CI=true when it is missing, else skips. */
    static Path tool(String env, String defaultPath) {
        String configured = System.getenv(env);
        Path p = Path.of(configured != null && !configured.isBlank() ? configured : defaultPath);
        if (!Files.isExecutable(p)) {
            String message = p + " is missing: the browser tests need Debian's chromium and chromium-driver "
                    + "(apt-get install chromium chromium-driver), or " + env + " pointing at it";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message);
            }
            Assumptions.abort(message);
        }
        return p;
    }

    <T> T await(String what, Function<WebDriver, T> condition) {
        return await(what, WAIT, condition);
    }

    <T> T await(String what, Duration timeout, Function<WebDriver, T> condition) {
        try {
            return new WebDriverWait(driver, timeout, Duration.ofMillis(100)).ignoring(RuntimeException.class).until(condition);
        } catch (org.openqa.selenium.TimeoutException e) {
            fail("not seen within " + timeout.toSeconds() + " s: " + what + "\n" + pageText());
            return null;
        }
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> findAll(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** What the page shows (for failure messages): the URL and the visible text. */
    String pageText() {
        try {
            return "--- page " + driver.getCurrentUrl() + " ---\n" + driver.findElement(By.tagName("body")).getText()
                    + "\n--- browser console ---\n" + String.join("\n", consoleMessages(Level.ALL));
        } catch (RuntimeException e) {
            return "<cannot read the page: " + e + ">";
        }
    }

    /** Every browser console message so far at or above the level. */
    List<String> consoleMessages(Level level) {
        console.addAll(driver.manage().logs().get(LogType.BROWSER).getAll());
        return console.stream().filter(e -> e.getLevel().intValue() >= level.intValue())
                .map(e -> e.getLevel() + " " + e.getMessage()).toList();
    }

    void screenshot(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }

    /** Runs axe-core (from the test classpath) on the page; answers its violations of these impacts. */
    @SuppressWarnings("unchecked")
    List<String> axeViolations(List<String> impacts) throws IOException {
        String axe;
        try (InputStream in = ConsoleBrowser.class.getClassLoader().getResourceAsStream("axe.min.js")) {
            if (in == null) {
                fail("axe.min.js is not on the test classpath (com.deque.html.axe-core:selenium)");
            }
            axe = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        js(axe);
        Object result = ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map(v => ({"
                        + " id: v.id, impact: v.impact, help: v.help,"
                        + " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary)}))))"
                        + ".catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));");
        List<String> out = new ArrayList<>();
        for (Object o : (List<Object>) result) {
            java.util.Map<String, Object> v = (java.util.Map<String, Object>) o;
            if (impacts.contains(String.valueOf(v.get("impact")))) {
                out.add(v.get("impact") + " " + v.get("id") + " (" + v.get("help") + "): " + v.get("nodes"));
            }
        }
        return out;
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
        }
    }

    static File file(Path p) {
        return p.toFile();
    }
}
