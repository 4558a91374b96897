package dev.loginpipe.dlq.console;

import static dev.loginpipe.dlq.console.ConsoleFixture.contract;
import static dev.loginpipe.dlq.console.ConsoleFixture.details;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.local.KafkaCluster;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser: Debian's headless Chromium driven by Selenium through Debian's chromedriver (nothing
 * is downloaded). Skipped, with the reason, where Chromium is not installed; CI installs it. Screenshots go to
 * target/screenshots/.
 */
class ConsoleBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PWNED = "window.__pwned=1";
    private static final String SCRIPT = "<script>" + PWNED + "</script>";
    private static final String IMG = "<img src=x onerror=\"" + PWNED + ";alert(1)\">";
    private static final String JS_URL = "javascript:" + PWNED;
    private static final String VALID = "{\"user_id\":\"u1\",\"app_version\":\"1.0\",\"device_type\":\"android\","
            + "\"ip\":\"10.0.0.1\",\"locale\":\"en\",\"device_id\":\"d1\",\"timestamp\":1700000000}";

    private static ChromeDriver browser;
    private ConsoleFixture fixture;

    @BeforeAll
    static void startBrowser() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "no Chromium here: install Debian's chromium and chromium-driver (as .ci/run does) to run the browser tests");
        Files.createDirectories(SCREENSHOTS);
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1360,900");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().scriptTimeout(WAIT);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @AfterEach
    void stopConsole() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private void writeMixedDlq() {
        String ipFormat = details("/ip", "format", "/ip: does not match the ipv4 pattern",
                "/device_type", "required", "required property 'device_type' not found");
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            records.add(fixture.record(i % 2, "{\"user_id\":\"5a3e4d2c-1b0f-4e8a-9c7d-6f5e4d3c2b1a\",\"ip\":\"999.1.1." + i
                    + "\",\"locale\":\"en\"}", contract("schema", System.currentTimeMillis() - i * 3_600_000L,
                    DlqHeaders.ERROR_DETAILS, ipFormat)));
        }
        records.add(fixture.record(0, VALID, contract("schema", System.currentTimeMillis(),
                DlqHeaders.ERROR_DETAILS, details("/locale", "maxLength", "too long"))));
        records.add(fixture.record(1, "{\"user_id\": \"u1\", \"ip\": ", contract("not-json", System.currentTimeMillis(),
                DlqHeaders.ERROR_POSITION, "25")));
        records.add(fixture.record(0, "k", new byte[] {'{', '"', 'a', '"', ':', (byte) 0xC3, 0x28, (byte) 0xFF, '}'},
                contract("not-utf8", System.currentTimeMillis())));
        records.add(fixture.record(1, "{\"user_id\":\"u1\",\"ip\":\"1", contract("schema", System.currentTimeMillis(),
                DlqHeaders.PAYLOAD_TRUNCATED, "true", DlqHeaders.PAYLOAD_SIZE, "1048577")));
        fixture.write(records);
    }

    @Test
    void signaturesMatchTheDlqAndDrillDownToTheErrorWhereItIs() throws IOException {
        fixture = new ConsoleFixture(2);
        writeMixedDlq();
        fixture.start();
        JsonNode expected = fixture.json(fixture.get("/api/signatures"));

        openConsole();

        // Read in one script: the live updates may re-render the table between two WebDriver calls.
        @SuppressWarnings("unchecked")
        Map<String, String> shown = (Map<String, String>) js("return Object.fromEntries([...document.querySelectorAll("
                + "'#signatures tbody tr')].map(r => [r.querySelector('td.label').innerText,"
                + " r.querySelector('td.count').innerText]))");
        Map<String, String> fromApi = new HashMap<>();
        expected.forEach(s -> fromApi.put(s.get("label").asText(), s.get("count").asText()));
        assertThat(shown).isEqualTo(fromApi).containsEntry("schema /device_type required, /ip format", "3")
                .containsEntry("not-utf8", "1");
        screenshot("console-signatures");

        browser.findElement(By.linkText("schema /device_type required, /ip format")).click();
        waitFor("document.querySelectorAll('#records tbody tr').length === 3");
        assertThat(browser.getCurrentUrl()).contains("signature=" + id(expected, "schema /device_type required, /ip format"));
        assertThat(text("#records-info")).isEqualTo("3 records match");
        browser.findElements(By.cssSelector("#records a.record")).get(0).click();
        waitFor("document.querySelector('#record mark.error') !== null");
        List<WebElement> marks = browser.findElements(By.cssSelector("#record mark.error"));
        assertThat(marks).hasSize(2); // /ip, and where the object missing /device_type starts
        assertThat(text("#record mark.error[data-note='0']")).isEqualTo("1\"<ip>\""); // badge, value masked
        assertThat(text("#record mark.error[data-note='1']")).isEqualTo("2{"); // where device_type is missing
        assertThat(text("#record ol.notes"))
                .contains("/ip format: /ip: does not match the ipv4 pattern").contains("/device_type required");
        assertThat(text("#record pre.payload")).contains("<id>")
                .doesNotContain("5a3e4d2c");
        screenshot("console-record");

        open("record", recordWhere("reason", "not-utf8"));
        waitFor("document.getElementById('record-id').textContent === '" + recordWhere("reason", "not-utf8") + "'");
        waitFor("document.querySelectorAll('#record .byte.bad').length === 2");
        assertThat(browser.findElements(By.cssSelector("#record .byte.bad")).stream().map(WebElement::getText).toList())
                .containsExactly("c3", "ff");
        screenshot("console-hex");

        open("record", recordWhere("reason", "not-json"));
        waitFor("document.getElementById('record-id').textContent === '" + recordWhere("reason", "not-json") + "'");
        waitFor("document.querySelector('#record mark.caret') !== null");
        assertThat(text("#record .position")).isEqualTo("Parsing failed at character 24 (error.position)");
        assertThat(text("#record mark.caret")).isEqualTo("1(end of input)");

        open("record", recordWhere("truncated", "true"));
        waitFor("document.getElementById('record-id').textContent === '" + recordWhere("truncated", "true") + "'");
        waitFor("document.querySelector('#record dd.unavailable') !== null");
        assertThat(text("#record dl.facts"))
                .contains("kept 23 of 1048577 bytes").contains("unavailable: the value was cut");
    }

    @Test
    void hostilePayloadsAndHeadersAreShownAsTextAndNeverRun() throws IOException {
        fixture = new ConsoleFixture(1);
        RecordHeaders headers = contract(IMG, System.currentTimeMillis(), DlqHeaders.ERROR_MESSAGE, SCRIPT + IMG,
                DlqHeaders.SOURCE_TOPIC, JS_URL, DlqHeaders.ERROR_DETAILS, details("/a", IMG, SCRIPT));
        headers.add(IMG, JS_URL.getBytes(StandardCharsets.UTF_8));
        String longLine = "A".repeat(200_000);
        String value = "{\"a\":\"" + SCRIPT + "\",\"b\":\"" + IMG + "\",\"c\":\"" + JS_URL + "\",\"d\":\"\\u0007\","
                + "\"e\":\"" + longLine + "\"}";
        byte[] control = ("bell\u0007 escape\u001b[31m red \u202Eevil" + SCRIPT).getBytes(StandardCharsets.UTF_8);
        byte[] invalid = (IMG + "\u00ff").getBytes(StandardCharsets.ISO_8859_1);
        fixture.write(List.of(fixture.record(0, value, headers),
                fixture.record(0, "k", control, contract("not-json", System.currentTimeMillis())),
                fixture.record(0, IMG, invalid, contract("not-utf8", System.currentTimeMillis()))));
        fixture.start();

        openConsole();
        assertThat(text("#signatures")).contains(IMG).contains(JS_URL);
        click("#signatures a.signature");
        waitFor("document.querySelectorAll('#records tbody tr').length === 1");
        browser.findElement(By.cssSelector("#records a.record")).click();
        waitFor("document.querySelector('#record pre.payload') !== null");
        String page = text("body");
        assertThat(page).contains(SCRIPT).contains(IMG).contains(JS_URL);
        assertThat(text("#record pre.payload")).contains("AAAA")
                .contains("more characters not shown");
        screenshot("console-hostile");
        assertNothingRan();

        open("record", "0:1");
        waitFor("document.getElementById('record-id').textContent === '0:1'");
        // Control characters and a right-to-left override are shown as visible symbols, not obeyed.
        assertThat(text("#record pre.payload")).contains("bell\u2407").contains(" escape\u241b[31m red \\u{202e}evil" + SCRIPT);
        open("record", "0:2");
        waitFor("document.getElementById('record-id').textContent === '0:2'");
        assertThat(text("#record .hex")).contains("3c 69 6d 67").contains("<img src=x onerr");
        assertNothingRan();
        // Only our own elements: no image, no script but the page's module, no link to a javascript: URL.
        assertThat(js("return document.images.length")).isEqualTo(0L);
        assertThat(js("return document.scripts.length")).isEqualTo(1L);
        assertThat(js("return [...document.querySelectorAll('a')].filter(a => !a.href.startsWith(location.origin)).length"))
                .isEqualTo(0L);
        // The page is not wider than the window despite the 200,000-character line.
        assertThat((Long) js("return document.documentElement.scrollWidth"))
                .as("elements past the window: %s", js("return [...document.querySelectorAll('body *')]"
                        + ".filter(e => e.getBoundingClientRect().right > innerWidth).slice(0, 5)"
                        + ".map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ')"))
                .isLessThanOrEqualTo((Long) js("return window.innerWidth"));
    }

    @Test
    void aDryRunPredictsFromThePage() throws IOException {
        fixture = new ConsoleFixture(1);
        String details = details("/x", "type", "m");
        fixture.write(List.of(fixture.record(0, VALID, contract("schema", 1_000, DlqHeaders.ERROR_DETAILS, details)),
                fixture.record(0, VALID.replace("\"en\"", "\"english\""), contract("schema", 2_000,
                        DlqHeaders.ERROR_DETAILS, details))));
        fixture.start();

        openConsole();
        click("#signatures button.dry");
        waitFor("document.querySelector('#dry-run .dry-summary') !== null");

        assertThat(text("#dry-run .dry-summary"))
                .isEqualTo("schema /x type: of 2 records, 1 would pass the current schema and 1 would fail again.");
        assertThat(text("#dry-run table.remaining"))
                .contains("schema /locale maxLength");
        screenshot("console-dry-run");
    }

    @Test
    void aPlanIsDryRunCreatedStartedAndAuditedFromThePage() throws IOException {
        fixture = new ConsoleFixture(1);
        fixture.write(List.of(fixture.record(0, "a", contract("not-json", 1_000)),
                fixture.record(0, "b", contract("not-json", 2_000)), fixture.record(0, "c", contract("not-json", 3_000))));
        fixture.start();
        openConsole();

        var form = browser.findElement(By.id("plan-form"));
        form.findElement(By.name("reason")).sendKeys("not-json");
        form.findElement(By.name("rate")).clear();
        form.findElement(By.name("rate")).sendKeys("100");
        form.findElement(By.name("max")).clear();
        form.findElement(By.name("max")).sendKeys("10");
        browser.findElement(By.id("plan-dry-run")).click();
        waitFor("document.getElementById('plan-result').textContent.startsWith('dry run: would publish 3 of 3')");
        form.findElement(By.cssSelector("button[type=submit]")).click();
        waitFor("document.querySelector('#plans tr[data-state=created] button[data-action=start]') !== null");
        assertThat(text("#plan-result")).contains("java -jar dlq-consumer.jar replay --id plan-")
                .contains("--reason not-json --limit 10 --rate 100");
        click("#plans button[data-action=start]");

        // Progress and the end come by the event stream, without a reload.
        waitFor("document.querySelector('#plans tr[data-state=finished]') !== null");
        assertThat(text("#plans td.published")).isEqualTo("3");
        waitFor("document.getElementById('audit-verification').textContent === 'signatures and chain verified: 4 entries'");
        // A console without accounts has one user, local; the trail adds where the request came from.
        assertThat(text("#audit")).contains("local (127.0.0.1)").contains("dry-run").contains("created").contains("started")
                .contains("finished");
        assertNothingRan();
        screenshot("console-redrive");
        // The record's history comes from the console's last reading of the ledger (every second here).
        await().atMost(WAIT).until(() -> !fixture.json(fixture.get("/api/records/0/1/history")).path("ledger").isNull());
        open("record", "0:1");
        waitFor("document.querySelector('#record-history p.ledger') !== null");
        assertThat(text("#record-history p.ledger")).startsWith("published by plan-").contains(fixture.input);
        assertThat(text("#record-history ol.history")).contains("created by").contains("finished by redrive");
        assertThat(fixture.post("/api/plans", "{\"rate\":\"1\",\"max\":\"1\"}", "Content-Type", "application/json")
                .statusCode()).isEqualTo(403);
    }

    /** Someone who can write the audit topic but lacks the key appends a forged start while the page is open. */
    @Test
    void aForgedEntryInTheTrailIsShownAsNotValidAndNoPlanCanBeActedOn() throws IOException {
        fixture = new ConsoleFixture(1);
        fixture.write(List.of(fixture.record(0, "a", contract("not-json", 1_000))));
        fixture.start();
        HttpResponse<String> created = fixture.postFromPage("/api/plans", "{\"rate\":\"10\",\"max\":\"1\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        String plan = fixture.json(created).path("id").asText();
        openConsole();
        waitFor("document.querySelector('#plans tr[data-state=created] button[data-action=start]') !== null");

        fixture.write(List.of(new ProducerRecord<>(fixture.dlq + "-audit", 0, null, ("{\"seq\":1,\"who\":\"mallory\","
                + "\"action\":\"started\",\"plan\":\"" + plan + "\"}").getBytes(StandardCharsets.UTF_8))));

        waitFor("document.body.dataset.readOnly === 'true'");
        waitFor("document.querySelector('#plans button') === null");
        waitFor("document.getElementById('audit-verification').textContent.startsWith('NOT VALID from entry 1 of 2')");
        assertThat(text("#audit-verification")).endsWith("entry 1 is not signed with a key of this console: "
                + "someone else wrote it");
        assertThat(text("#plan-result")).startsWith("the audit trail does not verify from entry 1");
        assertThat(text("#plans td.state")).isEqualTo("created");
        assertThat(fixture.postFromPage("/api/plans/" + plan + "/start", "{}").statusCode()).isEqualTo(403);
        assertThat(dev.loginpipe.local.TestKafka.readCommitted(fixture.bootstrap, fixture.input, 0,
                Duration.ofSeconds(2))).isEmpty();
        screenshot("console-audit-not-valid");
    }

    @Test
    void newArrivalsAppearWithoutAReload() {
        fixture = new ConsoleFixture(1);
        fixture.write(List.of(fixture.record(0, "x", contract("not-json", 1_000))));
        fixture.start();
        openConsole();
        js("window.__sameDocument = true");

        fixture.write(List.of(fixture.record(0, "y", contract("empty", 2_000)),
                fixture.record(0, "z", contract("not-json", 3_000))));

        waitFor("document.querySelectorAll('#signatures tbody tr').length === 2");
        assertThat(js("return window.__sameDocument")).isEqualTo(true);
        assertThat(text("#total")).isEqualTo("3 records");
    }

    @Test
    void withATokenTheBrowserMustLogInAndForeignPagesCannotPost() throws IOException {
        fixture = new ConsoleFixture(1);
        fixture.start("CONSOLE_TOKEN", "browser-token-0123456789abcdefghij");

        browser.manage().deleteAllCookies();
        browser.get(fixture.url("/"));
        waitFor("location.pathname === '/login'");
        browser.findElement(By.id("password")).sendKeys("wrong");
        browser.findElement(By.cssSelector("#login button")).click();
        waitFor("!document.getElementById('error').hidden");
        assertThat(text("#error")).isEqualTo("Wrong token.");
        screenshot("console-login");
        browser.findElement(By.id("password")).clear();
        browser.findElement(By.id("password")).sendKeys("browser-token-0123456789abcdefghij");
        browser.findElement(By.cssSelector("#login button")).click();
        waitFor("location.pathname === '/' && document.body.dataset.loaded === 'true'");
        assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();

        // Same page, logged in, but without the console's header: refused.
        assertThat(async("fetch('/api/dry-run', {method: 'POST', headers: {'Content-Type': 'application/json'},"
                + " body: '{}'}).then(r => done(r.status))")).isEqualTo(403L);
        // Another origin (another port of this host) with the header: the browser's preflight is refused.
        HttpServer foreign = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        foreign.createContext("/", exchange -> {
            byte[] page = "<!doctype html><title>foreign</title>".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        foreign.start();
        try {
            browser.get("http://127.0.0.1:" + foreign.getAddress().getPort() + "/");
            Object outcome = async("fetch('" + fixture.url("/api/dry-run") + "', {method: 'POST', credentials: 'include',"
                    + " headers: {'Content-Type': 'application/json', 'X-Console-Request': '1'}, body: '{}'})"
                    + ".then(r => done('answered ' + r.status), e => done('blocked ' + e.name))");
            assertThat(outcome).isEqualTo("blocked TypeError");
            Object simple = async("fetch('" + fixture.url("/api/signatures") + "', {credentials: 'include'})"
                    + ".then(r => r.text()).then(t => done('read ' + t.length), e => done('blocked ' + e.name))");
            assertThat(simple).isEqualTo("blocked TypeError"); // no CORS: another origin cannot read the API
        } finally {
            foreign.stop(0);
        }
    }

    @Test
    void atTheIndexCapThePageSaysHowManyRecordsAreLeftOutAndShowsTheNewestArrivals() throws IOException {
        fixture = new ConsoleFixture(1);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            records.add(fixture.record(0, "v-" + i, contract("not-json", 1_000 + i)));
        }
        fixture.write(records);
        fixture.start("CONSOLE_INDEX_MAX_RECORDS", "3");

        openConsole();
        assertThat(js("return document.getElementById('index-note').hidden")).isEqualTo(false);
        assertThat(js("return document.getElementById('index-note').innerText")).isEqualTo("The DLQ holds about 5 "
                + "records; the console indexes the newest 3 (CONSOLE_INDEX_MAX_RECORDS=3): the 2 older ones are left "
                + "out of its lists, counts and dry runs. A redrive plan reads the DLQ itself and selects them too.");
        assertThat(js("return document.getElementById('total').innerText")).isEqualTo("3 records");
        screenshot("console-index-cap");
        // At the cap the total stays at 3 while records arrive: the page still follows them.
        fixture.write(List.of(fixture.record(0, "v-5", contract("not-json", 2_000))));
        waitFor("document.getElementById('index-note').innerText.startsWith('The DLQ holds about 6 records')");
    }

    /** Opens the page and waits until its first live update is shown, so nothing re-renders under the test. */
    @Test
    void withItsBrokerDownThePageIsServedAndRedriveSaysWhyThenOpensWhenTheBrokerAnswers() throws IOException {
        try (KafkaCluster cluster = TestKafka.cluster(1)) {
            fixture = new ConsoleFixture(cluster.bootstrapServers(), 1);
            cluster.node(1).stop();
            // Short client timeouts, so the first attempt to read the trail fails within seconds and is retried.
            fixture.startNow("KAFKA_CLIENT_DEFAULT_API_TIMEOUT_MS", "2000", "KAFKA_CLIENT_REQUEST_TIMEOUT_MS", "2000");

            browser.get(fixture.url("/"));
            waitFor("document.body.dataset.loaded === 'true'");
            waitFor("document.getElementById('plan-result').innerText.startsWith("
                    + "'redrive is not available yet: its audit trail cannot be read (TimeoutException')");
            screenshot("console-broker-down");
            HttpResponse<String> plans = fixture.get("/api/plans");
            HttpResponse<String> dryRun = fixture.postFromPage("/api/dry-run", "{}");

            assertThat(plans.statusCode()).isEqualTo(503);
            assertThat(fixture.json(plans).path("error").asText())
                    .startsWith("redrive is not available yet: its audit trail cannot be read (TimeoutException")
                    .endsWith("; the console keeps trying every 5 s");
            assertThat(dryRun.statusCode()).isEqualTo(503);
            assertThat(fixture.health.isReady()).isFalse();

            cluster.node(1).start();
            cluster.awaitReady(WAIT);
            waitFor("document.body.dataset.plans === '0' && document.getElementById('plan-result').innerText === ''");
            HttpResponse<String> created = fixture.postFromPage("/api/plans",
                    "{\"max\":\"1\",\"rate\":\"10\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            waitFor("document.body.dataset.plans === '1'");
            assertThat(fixture.get("/api/audit").body()).contains("\"action\":\"created\"");
            await().atMost(WAIT).until(fixture.health::isReady);
        }
    }

    /**
     * Three accounts sign in through the form: each sees and may do only what its role allows (the buttons are
     * absent and the API refuses), the trail records the signed-in name, and signing out ends the session.
     */
    @Test
    void eachRoleSeesAndDoesOnlyWhatItMay() throws IOException {
        fixture = new ConsoleFixture(2);
        writeMixedDlq();
        Path users = AccountsFixture.users(Map.of("vic", "viewer", "opal", "operator", "ada", "admin"));
        fixture.start("CONSOLE_USERS_FILE", users.toString());
        String adasPlan = fixture.json(fixture.postFromPage("/api/plans", "{\"max\":\"1\",\"rate\":\"1\"}",
                "Cookie", signIn("ada"))).get("id").asText();

        browser.manage().deleteAllCookies();
        signInWithTheForm("vic");
        assertThat(text("#user")).isEqualTo("vic · viewer");
        assertThat(browser.findElement(By.id("plan-form")).isDisplayed()).isFalse();
        assertThat(js("return [...document.querySelectorAll('button.dry, #dry-run-selection')]"
                + ".some(b => b.offsetParent !== null)")).isEqualTo(false);
        assertThat(text("#masked")).isEqualTo("IP addresses and ids masked");
        assertThat(async("fetch('/api/plans', {method: 'POST', headers: {'Content-Type': 'application/json',"
                + " 'X-Console-Request': '1'}, body: '{}'}).then(r => done(r.status))")).isEqualTo(403L);
        waitFor("document.querySelector('#plans tr[data-plan=\"" + adasPlan + "\"]') !== null");
        assertThat(browser.findElements(By.cssSelector("#plans button"))).isEmpty();
        screenshot("console-viewer");
        click("#logout");
        waitFor("location.pathname === '/login'");
        assertThat(async("fetch('/api/summary').then(r => done(r.status))")).isEqualTo(401L);

        signInWithTheForm("opal");
        assertThat(text("#user")).isEqualTo("opal · operator");
        assertThat(browser.findElement(By.id("plan-form")).isDisplayed()).isTrue();
        var form = browser.findElement(By.id("plan-form"));
        form.findElement(By.name("max")).clear();
        form.findElement(By.name("max")).sendKeys("1");
        form.findElement(By.cssSelector("button[type=submit]")).click();
        waitFor("document.querySelector('#plans tr[data-state=created] button[data-action=start]') !== null");
        String opalsPlan = (String) js("return document.querySelector('#plans tr button[data-action=start]')"
                + ".closest('tr').dataset.plan");
        assertThat(opalsPlan).isNotEqualTo(adasPlan);
        assertThat(browser.findElements(By.cssSelector("#plans tr[data-plan=\"" + adasPlan + "\"] button"))).isEmpty();
        assertThat(async("fetch('/api/plans/" + adasPlan + "/cancel', {method: 'POST', headers: {'Content-Type': "
                + "'application/json', 'X-Console-Request': '1'}, body: '{}'}).then(r => done(r.status))"))
                .isEqualTo(403L);
        click("#logout");
        waitFor("location.pathname === '/login'");

        signInWithTheForm("ada");
        assertThat(text("#user")).isEqualTo("ada · admin");
        assertThat(text("#masked")).isEqualTo("values shown in the clear");
        waitFor("document.querySelector('#plans tr[data-plan=\"" + opalsPlan + "\"] button[data-action=cancel]') !== null");
        click("#plans tr[data-plan=\"" + opalsPlan + "\"] button[data-action=cancel]");
        waitFor("document.querySelector('#plans tr[data-plan=\"" + opalsPlan + "\"]').dataset.state === 'cancelled'");
        waitFor("document.getElementById('audit').innerText.includes('cancelled')");
        assertThat(text("#audit")).contains("ada (127.0.0.1) created " + adasPlan)
                .contains("opal (127.0.0.1) created " + opalsPlan).contains("ada (127.0.0.1) cancelled " + opalsPlan)
                .doesNotContain("vic");
        screenshot("console-admin");
        assertNothingRan();
    }

    /** A candidate schema pasted in the page is backtested over the output topic and the DLQ, with progress and result. */
    @Test
    void aPastedSchemaIsBacktestedFromThePage() throws IOException {
        fixture = new ConsoleFixture(1);
        String output = TestKafka.uniqueName("output");
        TestKafka.createTopic(fixture.bootstrap, output, 1);
        String event = "{\"user_id\":\"u1\",\"app_version\":\"1.0\",\"device_type\":\"ios\",\"ip\":\"10.0.0.1\","
                + "\"locale\":\"%s\",\"device_id\":\"d1\",\"timestamp\":1}";
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (String locale : new String[] {"en", "de", "de", "fr"}) {
            records.add(new ProducerRecord<>(output, 0, null, String.format(event, locale).getBytes(StandardCharsets.UTF_8)));
        }
        records.add(fixture.record(0, String.format(event, "eng"), contract("schema", 1_000, DlqHeaders.ERROR_DETAILS,
                details("/locale", "maxLength", "too long"))));
        fixture.write(records);
        fixture.start("OUTPUT_TOPIC", output);
        openConsole();

        String candidate = Files.readString(Path.of("..", "schema.json")).replace(
                "\"locale\": { \"type\": \"string\", \"minLength\": 2, \"maxLength\": 2 }",
                "\"locale\": { \"type\": \"string\", \"enum\": [\"en\", \"fr\", \"eng\"] }");
        js("document.querySelector('#backtest-form textarea').value = arguments[0]", candidate);
        click("#backtest-form button[type=submit]");
        waitFor("document.body.dataset.backtest === 'done'");
        assertThat(text("#backtest-state")).isEqualTo("NOT compatible on this data: 2 of 4 recent records break; 1 of 1 "
                + "DLQ records would pass (by local)");
        assertThat(text("#backtest-result")).contains("2 schema /locale enum 0:1 /locale enum 0:2 /locale enum")
                .contains("1 schema /locale maxLength 0:0");
        // An output record it would reject, in the payload viewer: the candidate's own violation marked.
        click("#backtest-result button.example");
        waitFor("document.querySelector('#backtest-example mark.error') !== null");
        assertThat(text("#backtest-example h3")).startsWith("Output record 0:1 under schema version ")
                .contains(": schema, ");
        assertThat(text("#backtest-example mark.error")).isEqualTo("1\"de\"");
        assertThat(text("#backtest-example ol.notes")).startsWith("/locale enum: ");
        // Issue 32 (M2): only the output records the run listed are served; another record of the topic is not.
        String version = fixture.json(fixture.get("/api/backtest")).get("version").asText();
        assertThat(fixture.get("/api/examples/" + version + "/0/1").statusCode()).isEqualTo(200);
        assertThat(fixture.get("/api/examples/" + version + "/0/3").statusCode()).isEqualTo(404);
        screenshot("console-backtest");
        // Who ran which candidate over how much is in the signed trail.
        waitFor("document.getElementById('audit').innerText.includes('backtest')");
        assertThat(text("#audit")).contains("local (127.0.0.1) backtest");

        // A plan for the accepted records, from the page: it waits for the candidate's version to be live.
        click("#backtest-result button.plan-for");
        waitFor("document.body.dataset.plans === '1'");
        String plan = (String) js("return document.querySelector('#plans tr[data-plan]').dataset.plan");
        assertThat(text("#backtest-state")).startsWith("created " + plan + ": it starts once schema version ");
        HttpResponse<String> start = fixture.postFromPage("/api/plans/" + plan + "/start", "{}");
        assertThat(start.statusCode()).isEqualTo(409);
        assertThat(fixture.json(start).get("error").asText()).startsWith("plan " + plan + " waits for schema version ")
                .endsWith("to be live: the newest routed record was judged by no known version");

        // The same candidate in shadow: only what is routed from now on counts, equal to a recount of it.
        click("#shadow-start");
        waitFor("document.getElementById('shadow-state').textContent.includes('0 output and 0 DLQ records routed')");
        List<ProducerRecord<byte[], byte[]>> live = new ArrayList<>();
        for (String locale : new String[] {"de", "en", "de", "de"}) {
            live.add(new ProducerRecord<>(output, 0, null, String.format(event, locale).getBytes(StandardCharsets.UTF_8)));
        }
        live.add(fixture.record(0, String.format(event, "eng"), contract("schema", 2_000, DlqHeaders.ERROR_DETAILS,
                details("/locale", "maxLength", "too long"))));
        fixture.write(live);
        waitFor("document.getElementById('shadow-state').textContent.includes('4 output and 1 DLQ records routed')");
        assertThat(text("#shadow-state")).endsWith("4 output and 1 DLQ records routed, 3 it would reject, 1 it would "
                + "let through");
        assertThat(text("#shadow-result")).contains("3 schema /locale enum 0:4 /locale enum 0:6 /locale enum 0:7")
                .contains("1 schema /locale maxLength 0:1");
        screenshot("console-shadow");
        click("#shadow-stop");
        waitFor("document.body.dataset.shadow === 'stopped'");
        waitFor("document.getElementById('audit').innerText.includes('shadow-stopped')");
        assertThat(text("#audit")).contains("local (127.0.0.1) shadow-started").contains("local (127.0.0.1) shadow-stopped");

        js("document.querySelector('#backtest-form textarea').value = '{\"type\": 12}'");
        click("#backtest-form button[type=submit]");
        waitFor("document.getElementById('backtest-state').textContent.startsWith('not started')");
        assertThat(text("#backtest-state")).startsWith("not started: schema: the candidate is not a valid draft-07 JSON "
                + "Schema");
        assertNothingRan();
    }

    /** The session cookie of a sign-in by API, as "console_session=ID". */
    private String signIn(String name) {
        HttpResponse<String> login = fixture.postFromPage("/api/login",
                "{\"name\":\"" + name + "\",\"password\":\"" + AccountsFixture.password(name) + "\"}");
        assertThat(login.statusCode()).as(login.body()).isEqualTo(204);
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        return cookie.substring(0, cookie.indexOf(';'));
    }

    private void signInWithTheForm(String name) {
        browser.get(fixture.url("/login"));
        browser.findElement(By.id("name")).sendKeys(name);
        browser.findElement(By.id("password")).sendKeys(AccountsFixture.password(name));
        browser.findElement(By.cssSelector("#login button")).click();
        waitFor("location.pathname === '/' && document.body.dataset.loaded === 'true'"
                + " && document.body.dataset.role !== undefined && document.body.dataset.plans !== undefined");
    }

    private void openConsole() {
        browser.get(fixture.url("/"));
        waitFor("document.body.dataset.loaded === 'true' && document.body.dataset.liveTotal !== undefined");
    }

    private void assertNothingRan() {
        assertThat(js("return window.__pwned === undefined")).isEqualTo(true);
        assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
    }

    /** Navigates inside the page as a link would, keeping the rest of the URL. */
    private void open(String name, String value) {
        js("const q = new URLSearchParams(location.search); q.set(arguments[0], arguments[1]);"
                + "history.pushState(null, '', '?' + q); dispatchEvent(new PopStateEvent('popstate'))", name, value);
    }

    /** "partition:offset" of the first record whose field in the records list has this value. */
    private String recordWhere(String field, String value) {
        for (JsonNode r : fixture.json(fixture.get("/api/records?limit=200&from=0")).get("records")) {
            if (r.get(field).asText().equals(value)) {
                return r.get("partition").asText() + ":" + r.get("offset").asText();
            }
        }
        throw new AssertionError("no record with " + field + "=" + value);
    }

    private static String id(JsonNode signatures, String label) {
        for (JsonNode s : signatures) {
            if (s.get("label").asText().equals(label)) {
                return s.get("id").asText();
            }
        }
        throw new AssertionError(label);
    }

    /** The text of an element as shown, read again if the page re-rendered it meanwhile. */
    private static String text(String selector) {
        return rereadIfReplaced(() -> browser.findElement(By.cssSelector(selector)).getText());
    }

    /**
     * Clicks an element of a table the page re-renders (plans and signatures change by the event stream), found again
     * if it was replaced between finding and clicking: a real click, as a person's would land on the new one.
     */
    private static void click(String selector) {
        rereadIfReplaced(() -> {
            browser.findElement(By.cssSelector(selector)).click();
            return null;
        });
    }

    private static <T> T rereadIfReplaced(java.util.function.Supplier<T> action) {
        for (int attempt = 1; ; attempt++) {
            try {
                return action.get();
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    /** Runs a script that calls done(result). */
    private static Object async(String script) {
        return ((JavascriptExecutor) browser).executeAsyncScript("const done = arguments[arguments.length - 1];" + script);
    }

    private static void waitFor(String condition) {
        new WebDriverWait(browser, WAIT).until(d -> Boolean.TRUE.equals(js("return !!(" + condition + ")")));
    }

    private static void screenshot(String name) throws IOException {
        Files.write(SCREENSHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
