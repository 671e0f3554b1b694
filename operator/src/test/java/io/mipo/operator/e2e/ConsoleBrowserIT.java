package io.mipo.operator.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.mipo.operator.e2e.Commands.Outcome;
import io.mipo.operator.model.Scanner;
import io.mipo.operator.model.ScannerSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The web console in a real browser (Debian's headless chromium through Selenium) against the
 * packaged operator in standalone mode, with the real agent: sign in through the printed
 * {@code #token=} link; Add Scanner and read the install command; the agent registers with it and
 * the row goes Pending → Active without a reload; inline edits (a refused rate limit shows the
 * server's field error, a good one is saved, a stale ETag says the scanner changed elsewhere); an ip
 * binding gets the yellow mismatch badge after a heartbeat from another address (through a trusted
 * proxy) and is released; disable and enable with the keyboard alone; a scanner created through the
 * Kubernetes API appears; a group of two shows its members' rates; the health and ACL pages; a new
 * token; delete. Every page passes an axe-core scan without serious or critical violations, and the
 * browser console shows no severe error. Screenshots of each page go to target/console-screenshots.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ConsoleBrowserIT {
    private static final String SCANNER = "edge-fra-1";
    private static final String KUBECTL_SCANNER = "made-with-kubectl";
    private static final Pattern LINK = Pattern.compile("Web console\\s+(http://localhost:\\d+/#token=(\\S+))");
    private static final Pattern API_KEY = Pattern.compile("mipo_sk_[0-9A-Za-z]{38}");
    /** Expected refusals the steps provoke on purpose; Chromium logs each failed fetch as SEVERE. */
    private static final Pattern EXPECTED_HTTP_ERROR = Pattern.compile(
            "\\S+/api/config/scanners\\S* - Failed to load resource: the server responded with a status of (400|401|412) .*");

    @TempDir
    static Path tmp;
    private static StandaloneOperator operator;
    private static ConsoleBrowser browser;
    private static String base;
    private static String installCommand;
    private static String apiKey;
    private static Process agent;
    private static final List<String> severe = new ArrayList<>();
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        // the tools first: without chromium there is nothing to run (and in CI that is a failure)
        ConsoleBrowser.tool("MIPO_CHROMIUM", "/usr/bin/chromium");
        ConsoleBrowser.tool("MIPO_CHROMEDRIVER", "/usr/bin/chromedriver");
        operator = StandaloneOperator.start(tmp,
                "mipo.liveness.heartbeat-interval=1s",
                // the lastHeartbeatAt refresh writes the Scanner (a new ETag) at most every minute, so the
                // If-Match of an inline edit only fails when the test means it to
                "mipo.liveness.status-refresh=60s",
                "mipo.binding.status-flush-interval=1s",
                // the test speaks for an agent at another address as a reverse proxy on 127.0.0.1 would
                "mipo.http.trusted-proxies=127.0.0.1/32");
        browser = ConsoleBrowser.start(tmp);
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.destroyForcibly();
            agent.waitFor(10, TimeUnit.SECONDS);
        }
        if (browser != null) {
            browser.close();
        }
        if (operator != null) {
            operator.close();
        }
    }

    @AfterEach
    void noSevereBrowserErrors() {
        List<String> now = browser.consoleMessages(Level.SEVERE).stream()
                .filter(m -> !EXPECTED_HTTP_ERROR.matcher(m.substring(m.indexOf(' ') + 1)).matches())
                .filter(m -> !severe.contains(m)).toList();
        severe.addAll(now);
        assertTrue(now.isEmpty(), "severe errors in the browser console:\n" + String.join("\n", now));
    }

    @Test
    @Order(1)
    void signsInThroughThePrintedLinkAndForgetsItInTheAddressBar() throws Exception {
        Matcher m = LINK.matcher(operator.output());
        assertTrue(m.find(), "the operator printed no 'Web console http://localhost:<port>/#token=…' line:\n" + operator.tail(40));
        String link = m.group(1);
        base = link.substring(0, link.indexOf("/#"));
        browser.driver.get(link);
        browser.await("the Scanners page after signing in through the link", d -> browser.find("#scanners-table").isDisplayed());
        // the load, from the Navigation Timing API (bench/console-10k.sh measures the same with 10,000 scanners)
        System.out.println("console load (Navigation Timing): " + browser.js("const n = performance.getEntriesByType('navigation')[0];"
                + "return {domInteractive: Math.round(n.domInteractive), domContentLoadedEnd: Math.round(n.domContentLoadedEventEnd),"
                + " loadEnd: Math.round(n.loadEventEnd)}"));
        String url = browser.driver.getCurrentUrl();
        assertFalse(url.contains("token"), "the token is still in the address bar: " + url);
        assertEquals(m.group(2), browser.js("return sessionStorage.getItem('mipo.console.token')"), "the token in sessionStorage");
        assertEquals(0L, browser.js("return localStorage.length"), "localStorage holds something");
        assertEquals("", browser.js("return document.cookie"), "the console set a cookie");
        assertEquals(List.of("Name", "Description", "Status", "Binding", "Created By", "Rate Limit", "Created"),
                browser.findAll("#scanners-table thead th button.sort").stream().map(WebElement::getText)
                        .map(t -> t.replaceAll("[▲▼]", "").trim()).toList(), "the table's column headers");

        // the console's responses carry a strict Content-Security-Policy
        HttpResponse<String> page = operator.get("/", null);
        String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe"),
                "the Content-Security-Policy of /: " + csp);
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""), "X-Content-Type-Options");
        assertFalse(page.body().contains("<script>") || page.body().contains("style="), "inline script or style in index.html");

        // Sign out, a refused token, and signing in with the form
        browser.find("#sign-out").click();
        WebElement token = browser.await("the sign-in form", d -> fieldByLabel(d.findElement(By.cssSelector("form.sign-in")), "Token"));
        assertEquals(null, browser.js("return sessionStorage.getItem('mipo.console.token')"), "the token after Sign out");
        token.sendKeys("not-a-token", Keys.ENTER);
        browser.await("'This token was not accepted.'", d -> browser.find("form.sign-in .field-error").getText().contains("not accepted"));
        token.clear();
        token.sendKeys(m.group(2), Keys.ENTER);
        browser.await("the Scanners page after signing in with the form", d -> browser.find("#scanners-table").isDisplayed());
    }

    @Test
    @Order(2)
    void addScannerShowsTheInstallCommandOnce() throws Exception {
        browser.find(".page-head button.primary").click();
        WebElement dialog = openDialog("Add Scanner");
        for (String label : List.of("Name", "Description", "Binding Mode", "Rate Limit")) {
            assertTrue(fieldByLabel(dialog, label).isDisplayed(), "the Add Scanner dialog has a field labelled " + label);
        }
        // Escape closes the dialog and gives the focus back to the button
        dialog.sendKeys(Keys.ESCAPE);
        browser.await("the dialog closed by Escape", d -> d.findElements(By.cssSelector("dialog[open]")).isEmpty());
        assertEquals("Add Scanner", browser.driver.switchTo().activeElement().getText(), "focus after Escape");

        browser.driver.switchTo().activeElement().sendKeys(Keys.ENTER);
        WebElement form = openDialog("Add Scanner");
        // focus stays in the dialog
        for (int i = 0; i < 12; i++) {
            browser.driver.switchTo().activeElement().sendKeys(Keys.TAB);
            assertEquals(Boolean.TRUE, browser.js("return document.querySelector('dialog[open]').contains(document.activeElement)"),
                    "Tab " + (i + 1) + " left the dialog");
        }
        fieldByLabel(form, "Name").sendKeys("edge fra 1");
        form.findElement(By.cssSelector("button[type=submit]")).click();
        browser.await("the server's error for the name", d -> !form.findElement(By.cssSelector(".field-error[id$=-error]")).getText().isEmpty());
        WebElement name = fieldByLabel(form, "Name");
        assertEquals("true", name.getAttribute("aria-invalid"), "the name field is marked invalid");
        name.clear();
        name.sendKeys("Edge-Fra-1");
        fieldByLabel(form, "Description").sendKeys("rack 4, Frankfurt");
        form.findElement(By.cssSelector("button[type=submit]")).click();
        WebElement command = browser.await("the install command", d -> d.findElement(By.id("install-command")));
        installCommand = command.getText();
        assertTrue(installCommand.startsWith("curl ") && StandaloneOperator.TOKEN.matcher(installCommand).find(),
                "the install command: " + installCommand);
        assertTrue(browser.find("#token-expiry").getText().startsWith("The token expires"), browser.find("#token-expiry").getText());
        assertTrue(browser.find("#not-shown-again").getText().contains("will not be shown again"), "the one-time warning");
        WebElement copy = browser.driver.findElement(By.xpath("//dialog//button[normalize-space()='Copy']"));
        copy.click();
        browser.await("the Copy button's confirmation", d -> !d.findElement(By.cssSelector("dialog .copied")).getText().isEmpty());
        // the screenshot is for the docs: no real token in it
        browser.js("const c = document.getElementById('install-command');"
                + "c.textContent = c.textContent.replace(/mipo_pt_[0-9A-Za-z]+/, 'mipo_pt_…(shown once)')");
        screenshot("add-scanner-command");
        browser.driver.findElement(By.xpath("//dialog//button[normalize-space()='Done']")).click();

        WebElement row = row(SCANNER);
        assertEquals("Pending", status(row), "the new scanner's status");
        assertFalse(browser.driver.getPageSource().contains(StandaloneOperator.tokenIn(installCommand)),
                "the token stays on the page after the dialog closed");
    }

    @Test
    @Order(3)
    void theAgentRegistersAndTheRowGoesActiveWithoutAReload() throws Exception {
        browser.js("window.__sameDocument = 'yes'");
        Path config = tmp.resolve("agent-config");
        Outcome registered = Commands.run(agentCommand("register", "--server", operator.url(), "--config-dir", config.toString()),
                Map.of("MIPO_TOKEN", StandaloneOperator.tokenIn(installCommand)), tmp.resolve("register.log"), Duration.ofSeconds(60));
        assertEquals(0, registered.exit(), registered.describe("agent register") + "\n" + operator.tail(40));
        for (String line : Files.readAllLines(config.resolve("credentials"))) {
            if (line.startsWith("apiKey=")) {
                apiKey = line.substring("apiKey=".length()).trim();
            }
        }
        assertTrue(apiKey != null && API_KEY.matcher(apiKey).matches(), "no API key in the agent's credentials");
        agent = Commands.start(agentCommand("run", "--config-dir", config.toString()), Map.of(), tmp.resolve("agent.log"));
        browser.await("the row going Active (the page polls every 5 s)", Duration.ofSeconds(30), d -> status(row(SCANNER)).equals("Active"));
        assertEquals("yes", browser.js("return window.__sameDocument"), "the page was reloaded");
        assertFalse(browser.driver.getPageSource().contains(apiKey), "the API key is on the page");
    }

    @Test
    @Order(4)
    void inlineEditsSaveRefuseAndNoticeChangesElsewhere() throws Exception {
        // a refused rate limit: the server's field error at the cell, the old value kept
        WebElement input = editCell(SCANNER, "rateLimit");
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), "100001", Keys.ENTER);
        WebElement note = browser.await("the field error at the rate limit cell",
                d -> row(SCANNER).findElement(By.cssSelector(".cell-rate .cell-note.error")));
        assertTrue(note.getText().contains("between 0 and 100000"), "the error shown: " + note.getText());
        assertEquals("—", row(SCANNER).findElement(By.cssSelector(".cell-rate button.cell-edit")).getText(), "the rate limit after the refusal");
        assertEquals(0, rateLimit(SCANNER), "the stored rate limit after the refusal");

        // a good one is saved
        input = editCell(SCANNER, "rateLimit");
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), "400", Keys.ENTER);
        browser.await("the rate limit 400 in the row", d -> row(SCANNER).findElement(By.cssSelector(".cell-rate button.cell-edit")).getText().equals("400"));
        assertEquals(400, rateLimit(SCANNER), "the stored rate limit");

        // someone else changes the scanner while the cell is being edited: 412, and the new value is shown
        input = editCell(SCANNER, "description");
        operator.modifyScanner(SCANNER, s -> s.getSpec().setDescription("changed with kubectl"));
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), "my edit", Keys.ENTER);
        WebElement warning = browser.await("the changed-elsewhere notice",
                d -> row(SCANNER).findElement(By.cssSelector(".cell-description .cell-note.warning")));
        assertTrue(warning.getText().contains("changed elsewhere"), warning.getText());
        browser.await("the description changed elsewhere", d -> row(SCANNER).findElement(By.cssSelector("button[data-field=description]")).getText()
                .equals("changed with kubectl"));

        // Escape cancels
        input = editCell(SCANNER, "name");
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), "Renamed", Keys.ESCAPE);
        browser.await("the name cell back", d -> row(SCANNER).findElement(By.cssSelector("button[data-field=name]")).getText().equals("Edge-Fra-1"));
        assertEquals(400, rateLimit(SCANNER), "the rate limit after Escape");
    }

    @Test
    @Order(5)
    void anIpBindingShowsTheYellowBadgeAfterAMismatchAndIsReleased() throws Exception {
        menuItem(SCANNER, "Configure Binding").click();
        WebElement dialog = openDialog("Configure Binding: Edge-Fra-1");
        new Select(fieldByLabel(dialog, "Binding Mode")).selectByValue("ip");
        fieldByLabel(dialog, "Binding Value").sendKeys("127.0.0.1");
        assertTrue(fieldByLabel(dialog, "Enforcement").isDisplayed(), "the enforcement field");
        dialog.findElement(By.cssSelector("button[type=submit]")).click();
        browser.await("the binding ip 127.0.0.1 in the row",
                d -> row(SCANNER).findElement(By.cssSelector(".cell-binding")).getText().contains("ip 127.0.0.1"));

        // a heartbeat with the scanner's key from another address, through the trusted proxy on 127.0.0.1
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(operator.url() + "/scanner/heartbeat"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + apiKey)
                .header("X-Forwarded-For", "198.51.100.9").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, refused.statusCode(), "the heartbeat from 198.51.100.9: " + refused.body());
        WebElement badge = browser.await("the yellow mismatch badge", Duration.ofSeconds(30),
                d -> row(SCANNER).findElement(By.cssSelector(".cell-binding .badge.mismatch")));
        assertTrue(badge.getText().startsWith("1"), "the mismatch count: " + badge.getText());
        String colour = badge.getCssValue("background-color");
        assertEquals("rgba(255, 211, 61, 1)", colour, "the badge's colour");
        screenshot("scanners-binding-mismatch");

        menuItem(SCANNER, "Release Binding").click();
        browser.await("the badge gone after Release Binding", Duration.ofSeconds(30),
                d -> row(SCANNER).findElements(By.cssSelector(".cell-binding .badge.mismatch")).isEmpty());
        JsonNode details = StandaloneOperator.json(operator.get("/api/config/scanners/" + SCANNER + "/binding", operator.adminToken()).body());
        assertEquals(0, details.path("mismatchCount").asInt(), "mismatches after the release: " + details);
    }

    @Test
    @Order(6)
    void disableAndEnableWithTheKeyboardAlone() throws Exception {
        WebElement actions = row(SCANNER).findElement(By.cssSelector("button.menu-button"));
        assertEquals("Actions", actions.getAccessibleName(), "the accessible name of the row's menu button");
        keyboardMenu(SCANNER, "Disable");
        browser.await("status Disabled", d -> status(row(SCANNER)).equals("Disabled"));
        assertEquals(Boolean.TRUE, operator.scanner(SCANNER).getSpec().getDisabled(), "spec.disabled");
        keyboardMenu(SCANNER, "Enable");
        browser.await("status Active again", Duration.ofSeconds(30), d -> status(row(SCANNER)).equals("Active"));
    }

    @Test
    @Order(7)
    void aScannerCreatedThroughTheKubernetesApiAppears() throws Exception {
        Scanner s = new Scanner();
        s.setMetadata(new ObjectMetaBuilder().withNamespace(StandaloneOperator.NAMESPACE).withName(KUBECTL_SCANNER).build());
        ScannerSpec spec = new ScannerSpec();
        spec.setDisplayName("Made-With-Kubectl");
        spec.setRateLimit(100);
        s.setSpec(spec);
        operator.kube().resource(s).create();
        long started = System.nanoTime();
        browser.await("the scanner made through the Kubernetes API in the table", Duration.ofSeconds(15), d -> row(KUBECTL_SCANNER).isDisplayed());
        double seconds = (System.nanoTime() - started) / 1e9;
        assertTrue(seconds < 7, "it took " + seconds + " s to appear (at most one poll period of 5 s plus the round trip)");
        assertEquals("—", row(KUBECTL_SCANNER).findElement(By.cssSelector(".cell-created-by")).getText(), "Created By of a kubectl scanner");
        screenshot("scanners");
    }

    @Test
    @Order(8)
    void aGroupOfTwoShowsItsMembersRates() throws Exception {
        browser.driver.findElement(By.linkText("Scanner Groups")).click();
        browser.await("the groups page", d -> browser.find("#groups-table").isDisplayed());
        browser.driver.findElement(By.xpath("//button[normalize-space()='Add Group']")).click();
        WebElement dialog = openDialog("Add Group");
        fieldByLabel(dialog, "Name").sendKeys("Public-Edge");
        for (String member : List.of("Edge-Fra-1", "Made-With-Kubectl")) {
            dialog.findElement(By.xpath(".//label[starts-with(normalize-space(), '" + member + " (')]")).click();
        }
        dialog.findElement(By.xpath(".//button[normalize-space()='Add target']")).click();
        fieldByLabel(dialog, "Subnet 1").sendKeys("192.0.2.0/24");
        fieldByLabel(dialog, "Ports 1").sendKeys("22,443");
        WebElement rate = fieldByLabel(dialog, "Rate limit 1");
        rate.sendKeys(Keys.chord(Keys.CONTROL, "a"), "300");
        dialog.findElement(By.cssSelector("button[type=submit]")).click();
        browser.await("the group in the table", d -> d.findElements(By.cssSelector("#groups-table tr[data-id='public-edge']")).size() == 1);
        browser.find("#groups-table tr[data-id='public-edge'] button[data-key='rates-public-edge']").click();
        // 300/s shared by two enabled members: 150 each; Edge-Fra-1 (400/s) is held by the subnet, the other by its own 100/s
        browser.await("each member's rate and what limits it", Duration.ofSeconds(30), d -> {
            String text = browser.find("#group-details-public-edge").getText();
            return text.contains("Edge-Fra-1 150/s subnet") && text.contains("Made-With-Kubectl 100/s scanner");
        });
        screenshot("scanner-groups");
    }

    @Test
    @Order(9)
    void theHealthPageShowsHeartbeatsVersionHostAndAddress() throws Exception {
        browser.driver.findElement(By.linkText("Scanner Health")).click();
        WebElement row = browser.await("the agent's health row", d -> d.findElement(By.cssSelector("#health-table tr[data-id='" + SCANNER + "']")));
        browser.await("a last heartbeat 's ago', the version, host and source address", d -> {
            List<WebElement> cells = d.findElements(By.cssSelector("#health-table tr[data-id='" + SCANNER + "'] td"));
            return cells.get(0).getText().equals("Active") && cells.get(1).getText().matches("\\d+ s ago")
                    && !cells.get(2).getText().equals("—") && !cells.get(3).getText().equals("—") && cells.get(4).getText().equals("127.0.0.1");
        });
        assertTrue(row.isDisplayed());
        screenshot("scanner-health");
    }

    @Test
    @Order(10)
    void theAclPageShowsAndDownloadsEachFormat() throws Exception {
        browser.driver.findElement(By.linkText("Scanner ACL")).click();
        browser.await("the ACL preview", d -> !browser.find("#acl-preview").getText().isEmpty());
        new Select(browser.find("#acl-format")).selectByValue("nginx");
        browser.await("the nginx rules", d -> browser.find("#acl-preview").getText().contains("deny all"));
        screenshot("scanner-acl");
        new Select(browser.find("#acl-format")).selectByValue("iptables");
        browser.await("the iptables rules", d -> browser.find("#acl-preview").getText().contains("*filter"));
        new Select(browser.find("#acl-format")).selectByValue("cloudflare");
        browser.await("the cloudflare list", d -> !browser.find("#acl-preview").getText().contains("*filter"));
        new Select(browser.find("#acl-format")).selectByValue("json");
        browser.await("the JSON ACL", d -> browser.find("#acl-preview").getText().startsWith("{"));
    }

    @Test
    @Order(11)
    void regenerateTokenShowsANewCommandAndStopsTheOldKey() throws Exception {
        browser.driver.findElement(By.linkText("Scanners")).click();
        menuItem(SCANNER, "Regenerate Token").click();
        WebElement confirm = openDialog("Regenerate the token of Edge-Fra-1?");
        assertTrue(confirm.getText().contains("API key stop working"), "the warning: " + confirm.getText());
        confirm.findElement(By.xpath(".//button[normalize-space()='Regenerate Token']")).click();
        WebElement command = browser.await("the new install command", d -> d.findElement(By.id("install-command")));
        String fresh = command.getText();
        assertNotEquals(StandaloneOperator.tokenIn(installCommand), StandaloneOperator.tokenIn(fresh), "the new token");
        browser.driver.findElement(By.xpath("//dialog//button[normalize-space()='Done']")).click();
        HttpResponse<String> old = http.send(HttpRequest.newBuilder(URI.create(operator.url() + "/scanner/heartbeat"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, old.statusCode(), "a heartbeat with the old API key: " + old.body());
    }

    @Test
    @Order(12)
    void deleteAsksThenRemovesTheRow() throws Exception {
        menuItem(KUBECTL_SCANNER, "Delete").click();
        WebElement confirm = openDialog("Delete Made-With-Kubectl?");
        confirm.findElement(By.xpath(".//button[normalize-space()='Cancel']")).click();
        assertTrue(row(KUBECTL_SCANNER).isDisplayed(), "the row after Cancel");
        menuItem(KUBECTL_SCANNER, "Delete").click();
        confirm = openDialog("Delete Made-With-Kubectl?");
        confirm.findElement(By.xpath(".//button[normalize-space()='Delete']")).click();
        browser.await("the row gone", d -> d.findElements(By.cssSelector("#scanners-table tr[data-id='" + KUBECTL_SCANNER + "']")).isEmpty());
        assertEquals(404, operator.get("/api/config/scanners/" + KUBECTL_SCANNER, operator.adminToken()).statusCode(), "the scanner after Delete");
    }

    @Test
    @Order(13)
    void everyPagePassesTheAccessibilityScan() throws Exception {
        List<String> found = new ArrayList<>();
        List<String> impacts = List.of("serious", "critical");
        for (String page : List.of("scanners", "groups", "health", "acl")) {
            browser.driver.get(base + "/#/" + page);
            browser.await("page " + page, d -> !d.findElements(By.cssSelector("main table, main pre")).isEmpty());
            Thread.sleep(300);
            browser.axeViolations(impacts).forEach(v -> found.add(page + ": " + v));
        }
        browser.driver.get(base + "/#/scanners");
        browser.await("the scanners table", d -> browser.find("#scanners-table").isDisplayed());
        browser.find(".page-head button.primary").click();
        openDialog("Add Scanner");
        browser.axeViolations(impacts).forEach(v -> found.add("Add Scanner dialog: " + v));
        screenshot("add-scanner");
        browser.find("dialog[open]").sendKeys(Keys.ESCAPE);
        menuButton(SCANNER).click();
        browser.axeViolations(impacts).forEach(v -> found.add("actions menu: " + v));
        screenshot("scanners-actions-menu");
        browser.driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        browser.find("#sign-out").click();
        browser.await("the sign-in form", d -> browser.find("form.sign-in").isDisplayed());
        browser.axeViolations(impacts).forEach(v -> found.add("sign-in: " + v));
        screenshot("sign-in");
        assertTrue(found.isEmpty(), "axe-core found serious or critical violations:\n" + String.join("\n", found));
    }

    // ---- helpers ----

    private static List<String> agentCommand(String... args) {
        List<String> command = new ArrayList<>(List.of(StandaloneOperator.javaExecutable(), "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-jar", BuildOutputs.agentJar().toString()));
        command.addAll(List.of(args));
        return command;
    }

    private static WebElement row(String id) {
        return browser.driver.findElement(By.cssSelector("#scanners-table tr[data-id='" + id + "']"));
    }

    private static String status(WebElement row) {
        return row.findElement(By.cssSelector(".cell-status .badge")).getText();
    }

    private static int rateLimit(String id) throws Exception {
        return StandaloneOperator.json(operator.get("/api/config/scanners/" + id, operator.adminToken()).body()).path("rateLimit").asInt();
    }

    /** Clicks an editable cell and answers its input once it is focused. */
    private static WebElement editCell(String id, String field) {
        browser.await("the " + field + " cell of " + id, d -> row(id).findElement(By.cssSelector("button[data-field=" + field + "]"))).click();
        return browser.await("the " + field + " input focused", d -> {
            WebElement active = d.switchTo().activeElement();
            return "INPUT".equalsIgnoreCase(active.getTagName()) && active.getAttribute("data-key").equals("input-" + id + "/" + field) ? active : null;
        });
    }

    private static WebElement menuButton(String id) {
        return browser.await("the Actions button of " + id, d -> row(id).findElement(By.cssSelector("button.menu-button")));
    }

    private static WebElement menuItem(String id, String label) {
        menuButton(id).click();
        return browser.await("the menu item " + label, d -> d.findElement(By.xpath("//ul[@role='menu']/li[normalize-space()='" + label + "']")));
    }

    /** Opens the row's menu and picks an item with the keyboard only: focus, ArrowDown, arrows, Enter. */
    private static void keyboardMenu(String id, String label) {
        WebElement button = menuButton(id);
        browser.js("arguments[0].focus()", button);
        browser.driver.switchTo().activeElement().sendKeys(Keys.ARROW_DOWN);
        for (int i = 0; i < 6; i++) {
            WebElement active = browser.driver.switchTo().activeElement();
            assertEquals("menuitem", active.getAttribute("role"), "focus in the menu");
            if (active.getText().equals(label)) {
                active.sendKeys(Keys.ENTER);
                return;
            }
            active.sendKeys(Keys.ARROW_DOWN);
        }
        fail("no menu item " + label + " reached with ArrowDown\n" + browser.pageText());
    }

    private static WebElement openDialog(String title) {
        return browser.await("the dialog '" + title + "'", d -> {
            WebElement dialog = d.findElement(By.cssSelector("dialog[open]"));
            return dialog.findElement(By.cssSelector("h2")).getText().equals(title) ? dialog : null;
        });
    }

    /** The input a visible label names (label[for] → id). */
    private static WebElement fieldByLabel(org.openqa.selenium.SearchContext scope, String label) {
        WebElement l = scope.findElement(By.xpath(".//label[normalize-space()='" + label + "']"));
        return browser.driver.findElement(By.id(l.getAttribute("for")));
    }

    private static void screenshot(String name) throws Exception {
        Path dir = Path.of(System.getProperty("mipo.console.screenshots", "target/console-screenshots"));
        browser.screenshot(dir.resolve(name + ".png"));
    }
}
