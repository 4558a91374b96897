package dev.loginpipe.dlq.console;

import static dev.loginpipe.dlq.console.ConsoleFixture.contract;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import dev.loginpipe.common.config.ConfigException;
import dev.loginpipe.dlq.access.PasswordHash;
import dev.loginpipe.dlq.access.Role;
import dev.loginpipe.dlq.access.Users;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** People, roles and sessions at the console's door, tried the way an attacker would, on a real broker. */
class ConsoleAccessTest {
    private static final String TLS_TOKEN = "tls-token-0123456789abcdefghijklmn";
    private ConsoleFixture fixture;

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private HttpResponse<String> signIn(String name, String password) {
        return fixture.postFromPage("/api/login", "{\"name\":\"" + name + "\",\"password\":\"" + password + "\"}");
    }

    private static String session(HttpResponse<String> login) {
        assertThat(login.statusCode()).as(login.body()).isEqualTo(204);
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        return cookie.substring(0, cookie.indexOf(';'));
    }

    /**
     * Before, five failures from one address locked every name out from there, and five at one name locked that name
     * out from everywhere: anyone behind the same proxy could lock out an admin. Now a guesser slows only their own
     * tries at one name from one address, with waits that grow.
     */
    @Test
    void guessingSlowsOnlyTheGuesserAtThatNameAndUnknownNamesLookLikeWrongPasswords() {
        fixture = new ConsoleFixture(1);
        fixture.start("CONSOLE_USERS_FILE", AccountsFixture.users(Map.of("ada", "admin", "bob", "viewer")).toString());

        HttpResponse<String> wrong = signIn("bob", "a wrong password");
        HttpResponse<String> unknown = signIn("nobody", "whatever-it-is");
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(unknown.body()).isEqualTo(wrong.body());
        assertThat(fixture.json(unknown).get("error").asText()).isEqualTo("wrong name or password");
        // An unknown name is checked against a decoy hash: the time taken does not tell which names exist (timed
        // after the first tries above, which warm the connection and the hash up).
        long wrongNs = nanos(() -> signIn("bob", "a wrong password"));
        long unknownNs = nanos(() -> signIn("nobody", "whatever-it-is"));
        assertThat(unknownNs).as("an unknown name's sign-in against a wrong password's, ns").isGreaterThan(wrongNs / 4);
        for (int i = 0; i < 3; i++) {
            assertThat(signIn("ada", "guess-" + i).statusCode()).isEqualTo(401);
        }
        // Three failures at ada from this address: even the right password waits now, here.
        HttpResponse<String> throttled = signIn("ada", AccountsFixture.password("ada"));
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(fixture.json(throttled).get("error").asText()).isEqualTo("too many failed sign-ins; try again in 1 s");
        assertThat(signIn("carol", "guess").statusCode()).isEqualTo(401);
        // Someone else behind the same address is not held up.
        assertThat(signIn("bob", AccountsFixture.password("bob")).statusCode()).isEqualTo(204);
        assertThat(fixture.get("/api/summary").statusCode()).isEqualTo(401);
    }

    private static long nanos(Runnable call) {
        long start = System.nanoTime();
        call.run();
        return System.nanoTime() - start;
    }

    /**
     * Guessers with many addresses (20 loopback ones here, each within its own limit) make 60 failures a minute in
     * all: then every sign-in and token waits for the minute to pass, while open sessions and the proxy's users go on.
     */
    @Test
    void sixtyFailuresAMinuteInAllMakeEverySignInWaitButNotOpenSessionsNorTheProxy() {
        fixture = new ConsoleFixture(1);
        fixture.start("CONSOLE_USERS_FILE", AccountsFixture.users(Map.of("ada", "admin")).toString(),
                "CONSOLE_TOKEN", TLS_TOKEN, "CONSOLE_TRUSTED_PROXY", "127.0.0.2");
        String ada = session(signIn("ada", AccountsFixture.password("ada")));
        int port = URI.create(fixture.url("/")).getPort();
        String request = "GET /api/summary HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n";
        for (int a = 10; a < 30; a++) {
            for (int i = 0; i < 3; i++) {
                assertThat(ConsoleFixture.rawStatus("127.0.0." + a, port, request + "Authorization: Bearer wrong\r\n\r\n"))
                        .isEqualTo(401);
            }
        }

        HttpResponse<String> refused = signIn("ada", AccountsFixture.password("ada"));
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(fixture.json(refused).get("error").asText()).matches("too many failed sign-ins; try again in \\d+ s");
        assertThat(fixture.get("/api/summary", "Authorization", "Bearer " + TLS_TOKEN).statusCode()).isEqualTo(429);
        assertThat(fixture.get("/api/summary", "Cookie", ada).statusCode()).isEqualTo(200);
        assertThat(ConsoleFixture.rawStatus("127.0.0.2", port, request + Guard.PROXY_USER_HEADER + ": ada\r\n\r\n"))
                .isEqualTo(200);
    }

    /** Without accounts, token or proxy, a loopback console is its one local user's: an admin with values masked. */
    @Test
    void anOpenConsoleIsItsLocalUsersAnAdminWithValuesMasked() {
        fixture = new ConsoleFixture(1);
        fixture.write(List.of(fixture.record(0, "{\"ip\":\"203.0.113.9\"}", contract("schema", 1_000))));
        fixture.start();

        assertThat(user(fixture.get("/api/summary"))).isEqualTo("local admin");
        assertThat(fixture.get("/api/records/0/0").body()).contains("<ip>").doesNotContain("203.0.113.9");
        assertThat(fixture.postFromPage("/api/plans", "{\"max\":\"1\",\"rate\":\"1\"}").statusCode()).isEqualTo(201);
        assertThat(fixture.json(fixture.get("/api/audit")).get("entries")).extracting(e -> e.get("who").asText())
                .containsExactly("local (127.0.0.1)");
    }

    /** The shared token is a script: an operator whose values CONSOLE_SHOW_VALUES shows, with plans of its own. */
    @Test
    void theTokenIsAScriptWhosePlansAreItsOwn() {
        fixture = new ConsoleFixture(1);
        fixture.write(List.of(fixture.record(0, "{\"ip\":\"203.0.113.9\"}", contract("schema", 1_000))));
        fixture.start("CONSOLE_USERS_FILE", AccountsFixture.users(Map.of("opal", "operator")).toString(),
                "CONSOLE_TOKEN", TLS_TOKEN);
        String[] token = {"Authorization", "Bearer " + TLS_TOKEN};
        String opal = session(signIn("opal", AccountsFixture.password("opal")));

        assertThat(user(fixture.get("/api/summary", token))).isEqualTo("token script");
        assertThat(fixture.get("/api/records/0/0", token).body()).contains("<ip>").doesNotContain("203.0.113.9");
        String plan = fixture.json(fixture.postFromPage("/api/plans", "{\"max\":\"1\",\"rate\":\"1\"}", token))
                .get("id").asText();
        assertThat(fixture.postFromPage("/api/plans/" + plan + "/cancel", "{}", "Cookie", opal).statusCode())
                .isEqualTo(403);
        assertThat(fixture.postFromPage("/api/plans/" + plan + "/cancel", "{}", token).statusCode()).isEqualTo(200);
        assertThat(fixture.json(fixture.get("/api/audit", token)).get("entries")).extracting(e -> e.get("who").asText())
                .containsExactly("token (127.0.0.1)", "token (127.0.0.1)");

        fixture.close();
        String dlq = fixture.dlq;
        fixture = new ConsoleFixture(1);
        fixture.start("DLQ_TOPIC", dlq, "CONSOLE_TOKEN", TLS_TOKEN, "CONSOLE_SHOW_VALUES", "true");
        assertThat(fixture.get("/api/records/0/0", token).body()).contains("203.0.113.9");
    }

    /**
     * Every route of the table, called as nobody and as a viewer: nothing but signing in and the sign-in page's files
     * answers without a session, and nothing an operator may do answers a viewer (Routes and roles).
     */
    @Test
    void everyRouteRefusesThoseItsRoleLeavesOut() {
        fixture = new ConsoleFixture(1);
        fixture.start("CONSOLE_USERS_FILE", AccountsFixture.users(Map.of("bob", "viewer")).toString());
        String viewer = session(signIn("bob", AccountsFixture.password("bob")));
        for (Route route : Routes.ALL) {
            String path = route.path().replace("{partition}", "0").replace("{offset}", "0")
                    .replace("{version}", "1").replace("{id}", "plan-00000000");
            HttpResponse<String> nobody = route.method().equals("GET") ? fixture.get(path)
                    : fixture.postFromPage(path, "{}");
            if (route.access() == Route.Access.ANYONE) {
                assertThat(nobody.statusCode()).as(route.name()).isIn(200, 204, 401);
                continue;
            }
            assertThat(nobody.statusCode()).as(route.name() + " without a session")
                    .isEqualTo(path.equals("/") ? 303 : 401);
            if (route.access() == Route.Access.OPERATOR) {
                HttpResponse<String> asViewer = fixture.postFromPage(path, "{}", "Cookie", viewer);
                assertThat(asViewer.statusCode()).as(route.name() + " as a viewer").isEqualTo(403);
                assertThat(fixture.json(asViewer).get("error").asText()).startsWith("bob is a viewer");
            }
        }
        assertThat(fixture.get("/api/nothing").statusCode()).isEqualTo(404);
        assertThat(fixture.get("/api/plans/plan-00000000/start", "Cookie", viewer).statusCode()).isEqualTo(405);
    }

    /**
     * The finding of issue 32 (H1): a console with accounts became an open admin console once its users file had
     * none (its last account removed: a plan created without signing in, 201), even bound to 0.0.0.0. Open is
     * decided at start only; a users file emptied, gone or unreadable later lets nobody in.
     */
    @Test
    void aConsoleWithAccountsNeverOpensWhenItsUsersFileEmptiesGoesOrCannotBeRead() throws Exception {
        fixture = new ConsoleFixture(1);
        Path file = AccountsFixture.users(Map.of("ada", "admin"));
        fixture.start("CONSOLE_USERS_FILE", file.toString(), "CONSOLE_BIND", "0.0.0.0");
        String ada = session(signIn("ada", AccountsFixture.password("ada")));

        Users.load(file).remove("ada");
        Thread.sleep(1_500); // the file is checked once a second, by the first request after it
        // Before, this request re-read the file and, finding no account, was the open console's local admin: 200.
        assertThat(fixture.get("/api/summary", "Cookie", ada).statusCode()).isEqualTo(401);
        assertThat(fixture.postFromPage("/api/plans", "{\"max\":\"1\",\"rate\":\"1\"}").statusCode()).isEqualTo(401);
        assertThat(fixture.get("/api/summary").statusCode()).isEqualTo(401);
        Files.delete(file);
        Thread.sleep(1_500);
        assertThat(fixture.postFromPage("/api/plans", "{\"max\":\"1\",\"rate\":\"1\"}").statusCode()).isEqualTo(401);

        Path big = AccountsFixture.users(Map.of("ada", "admin"));
        fixture.close();
        fixture = new ConsoleFixture(1);
        fixture.start("CONSOLE_USERS_FILE", big.toString());
        String again = session(signIn("ada", AccountsFixture.password("ada")));
        replace(big, "#".repeat(2 << 20)); // too large to read: no accounts, not the last good ones
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.get("/api/summary", "Cookie", again).statusCode() == 401);
        assertThat(fixture.get("/api/summary").statusCode()).isEqualTo(401);
        assertThat(rejectedReads()).isEqualTo(1);

        // Open at start (loopback, no account yet) closes for good at the first account.
        Path none = Files.createTempDirectory("console-users").resolve("users");
        fixture.close();
        fixture = new ConsoleFixture(1);
        fixture.start("CONSOLE_USERS_FILE", none.toString());
        assertThat(fixture.get("/api/summary").statusCode()).isEqualTo(200);
        Users.load(none).put(new Users.User("ada", Role.ADMIN, PasswordHash.hash("a long enough one".toCharArray())));
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.get("/api/summary").statusCode() == 401);
        Users.load(none).remove("ada");
        Thread.sleep(1_500);
        assertThat(fixture.get("/api/summary").statusCode()).isEqualTo(401);
    }

    /**
     * Before, a users file that stopped parsing left the last good accounts in place: someone demoted or removed in
     * the broken file kept their rights. Now only what both files grant is kept, and nothing the broken one adds.
     */
    @Test
    void aUsersFileThatStopsParsingKeepsOnlyWhatBothItAndTheLastGoodOneGrant() throws Exception {
        fixture = new ConsoleFixture(1);
        Path file = AccountsFixture.users(Map.of("ada", "admin", "opal", "operator", "zed", "admin"));
        fixture.start("CONSOLE_USERS_FILE", file.toString());
        String ada = session(signIn("ada", AccountsFixture.password("ada")));
        String opal = session(signIn("opal", AccountsFixture.password("opal")));
        Map<String, String> hashes = new java.util.HashMap<>();
        Users.load(file).all().forEach(u -> hashes.put(u.name(), u.passwordHash()));

        replace(file, "ada:viewer:" + hashes.get("ada") + "\nopal:admin:" + hashes.get("opal")
                + "\neve:admin:" + hashes.get("zed") + "\nbob:root:\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> "ada viewer".equals(user(fixture.get("/api/summary", "Cookie", ada))));
        assertThat(user(fixture.get("/api/summary", "Cookie", opal))).isEqualTo("opal operator");
        assertThat(signIn("eve", AccountsFixture.password("zed")).statusCode()).isEqualTo(401);
        assertThat(signIn("zed", AccountsFixture.password("zed")).statusCode()).isEqualTo(401);
        assertThat(rejectedReads()).isEqualTo(1);
    }

    /** Replaces a file in one step, as the user command does, so the console never reads it half written. */
    private static void replace(Path file, String text) throws Exception {
        Path next = Files.writeString(file.resolveSibling("next"), text);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Before, an open event stream went on after sign-out, removal or a role change: it was authorized once. Now it
     * ends within a second or two; one whose user is unchanged goes on.
     */
    @Test
    void anEventStreamEndsAtSignOutRemovalOrRoleChange() throws Exception {
        fixture = new ConsoleFixture(1);
        Path file = AccountsFixture.users(Map.of("ada", "admin", "opal", "operator", "zed", "viewer", "bob", "viewer"));
        fixture.start("CONSOLE_USERS_FILE", file.toString());
        Map<String, CompletableFuture<HttpResponse<Void>>> streams = new java.util.HashMap<>();
        Map<String, String> sessions = new java.util.HashMap<>();
        HttpClient client = HttpClient.newHttpClient();
        for (String name : List.of("ada", "opal", "zed", "bob")) {
            sessions.put(name, session(signIn(name, AccountsFixture.password(name))));
            streams.put(name, client.sendAsync(HttpRequest.newBuilder(URI.create(fixture.url("/api/events")))
                    .header("Cookie", sessions.get(name)).build(), HttpResponse.BodyHandlers.discarding()));
        }
        Thread.sleep(1_500);
        assertThat(streams.values()).noneMatch(CompletableFuture::isDone);

        fixture.postFromPage("/api/logout", "", "Cookie", sessions.get("ada"));
        Users.load(file).put(new Users.User("opal", Role.VIEWER, null));
        Users.load(file).remove("zed");
        for (String ended : List.of("ada", "opal", "zed")) {
            assertThat(streams.get(ended).get(10, TimeUnit.SECONDS).statusCode()).as(ended).isEqualTo(200);
        }
        assertThat(streams.get("bob")).isNotDone();
    }

    private double rejectedReads() {
        return fixture.registry.scrape().stream()
                .filter(m -> m.getMetadata().getName().equals("loginpipe_console_users_file_rejected"))
                .map(m -> ((CounterSnapshot) m).getDataPoints().get(0).getValue()).findFirst().orElseThrow();
    }

    /** Before, wrong tokens could be tried without end, and a token of any length was accepted. */
    @Test
    void wrongTokensAreThrottledAndAShortTokenIsASettingError() throws Exception {
        fixture = new ConsoleFixture(1);
        fixture.start("CONSOLE_TOKEN", TLS_TOKEN);
        for (int i = 0; i < 3; i++) {
            assertThat(fixture.get("/api/summary", "Authorization", "Bearer guess-" + i).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> throttled = fixture.get("/api/summary", "Authorization", "Bearer " + TLS_TOKEN);
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(fixture.json(throttled).get("error").asText()).isEqualTo("too many failed tries; try again in 1 s");
        assertThat(fixture.postFromPage("/api/login", "{\"token\":\"" + TLS_TOKEN + "\"}").statusCode()).isEqualTo(429);
        await().atMost(Duration.ofSeconds(5)).until(() ->
                fixture.get("/api/summary", "Authorization", "Bearer " + TLS_TOKEN).statusCode() == 200);

        String shortToken = "only-thirty-one-characters-long";
        ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "dev.loginpipe.dlq.console.ConsoleMain")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(Map.of("BOOTSTRAP_SERVERS", "127.0.0.1:1", "CONSOLE_TOKEN", shortToken,
                "CONSOLE_PORT", "0", "HTTP_PORT", "0"));
        Process refused = builder.start();
        String stderr = new String(refused.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(refused.waitFor()).isEqualTo(2);
        assertThat(stderr).doesNotContain(shortToken);
        assertThat(stderr.lines().filter(l -> l.startsWith("dlq-console:")).toList()).containsExactly(
                "dlq-console: CONSOLE_TOKEN: needs 32 characters or more (e.g. openssl rand -hex 16)");
    }

    /** Before, a session went on after its user's password was changed: whoever had stolen it kept it. */
    @Test
    void aNewPasswordEndsTheUsersSessions() throws Exception {
        fixture = new ConsoleFixture(1);
        Path file = AccountsFixture.users(Map.of("ada", "admin", "bob", "viewer"));
        fixture.start("CONSOLE_USERS_FILE", file.toString());
        String ada = session(signIn("ada", AccountsFixture.password("ada")));
        String bob = session(signIn("bob", AccountsFixture.password("bob")));

        Users.load(file).put(new Users.User("ada", Role.ADMIN, PasswordHash.hash("a brand new password".toCharArray())));
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.get("/api/summary", "Cookie", ada).statusCode() == 401);
        assertThat(fixture.get("/api/summary", "Cookie", bob).statusCode()).isEqualTo(200);
        session(signIn("ada", "a brand new password"));
    }

    /** Before, a hash of 1,000 iterations (600 times cheaper to guess than the tool's) was accepted silently. */
    @Test
    void aPasswordHashWithTooFewIterationsIsRefused() throws Exception {
        byte[] salt = "sixteen byte salt".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] hash = javax.crypto.SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(
                new javax.crypto.spec.PBEKeySpec("weak-but-long-password".toCharArray(), salt, 1_000, 256)).getEncoded();
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder().withoutPadding();
        Path file = Files.createTempDirectory("console-users").resolve("users");
        Files.writeString(file, "ada:admin:pbkdf2-sha256$1000$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash));
        fixture = new ConsoleFixture(1);

        assertThatThrownBy(() -> Console.start(fixture.config("CONSOLE_USERS_FILE", file.toString()), fixture.health,
                ReplayedRecords.NONE, new PrometheusRegistry())).isInstanceOf(ConfigException.class)
                .hasMessage("CONSOLE_USERS_FILE: " + file + ": line 1: the hash is not one 'dlq-consumer.jar user' "
                        + "wrote (PBKDF2-SHA256, 600000 iterations or more)");
    }

    @Test
    void aRoleChangedOrAnAccountRemovedAppliesToOpenSessionsAndSignOutEndsOne() throws Exception {
        fixture = new ConsoleFixture(1);
        fixture.write(List.of(fixture.record(0, "{\"ip\":\"203.0.113.9\"}", contract("schema", 1_000))));
        Path file = AccountsFixture.users(Map.of("opal", "operator", "ada", "admin"));
        fixture.start("CONSOLE_USERS_FILE", file.toString());
        String opal = session(signIn("opal", AccountsFixture.password("opal")));
        String ada = session(signIn("ada", AccountsFixture.password("ada")));

        // Values reach an operator masked and an admin in the clear, in pages and searches alike.
        assertThat(fixture.get("/api/records/0/0", "Cookie", opal).body()).contains("<ip>").doesNotContain("203.0.113.9");
        assertThat(fixture.get("/api/records/0/0", "Cookie", ada).body()).contains("203.0.113.9");
        assertThat(fixture.json(fixture.get("/api/records?text=203.0.113", "Cookie", opal)).get("records")).isEmpty();
        assertThat(fixture.json(fixture.get("/api/records?text=203.0.113", "Cookie", ada)).get("records")).hasSize(1);
        assertThat(fixture.postFromPage("/api/plans", "{\"max\":\"1\",\"rate\":\"1\"}", "Cookie", opal).statusCode()).isEqualTo(201);

        Users.load(file).put(new Users.User("opal", Role.VIEWER, null));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                fixture.postFromPage("/api/plans", "{\"max\":\"1\"}", "Cookie", opal).statusCode() == 403);
        assertThat(fixture.json(fixture.get("/api/summary", "Cookie", opal)).get("user").get("role").asText())
                .isEqualTo("viewer");
        Users.load(file).remove("opal");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                fixture.get("/api/summary", "Cookie", opal).statusCode() == 401);

        assertThat(fixture.postFromPage("/api/logout", "", "Cookie", ada).headers().firstValue("Set-Cookie"))
                .hasValue("console_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
        assertThat(fixture.get("/api/summary", "Cookie", ada).statusCode()).isEqualTo(401);
    }

    @Test
    void theProxysUserHeaderCountsFromTheProxysAddressOnly() {
        fixture = new ConsoleFixture(1);
        Path users = AccountsFixture.users(Map.of("ada", "admin"));
        fixture.start("CONSOLE_USERS_FILE", users.toString(), "CONSOLE_TRUSTED_PROXY", "127.0.0.1");

        assertThat(user(fixture.get("/api/summary", Guard.PROXY_USER_HEADER, "ada"))).isEqualTo("ada admin");
        assertThat(user(fixture.get("/api/summary", Guard.PROXY_USER_HEADER, "zed"))).isEqualTo("zed viewer");
        assertThat(fixture.get("/api/summary", Guard.PROXY_USER_HEADER, "a b\" onclick=").statusCode()).isEqualTo(401);
        // The console's own names: before, the proxy could vouch for "token", a viewer in the trail as the token.
        for (String reserved : List.of("token", "local", "Token", "LOCAL")) {
            assertThat(fixture.get("/api/summary", Guard.PROXY_USER_HEADER, reserved).statusCode()).as(reserved)
                    .isEqualTo(401);
        }
        assertThat(fixture.get("/api/summary").statusCode()).isEqualTo(401); // no open console behind a proxy
        fixture.close();

        fixture = new ConsoleFixture(1);
        fixture.start("CONSOLE_USERS_FILE", users.toString(), "CONSOLE_TRUSTED_PROXY", "192.0.2.1");
        assertThat(fixture.get("/api/summary", Guard.PROXY_USER_HEADER, "ada").statusCode()).isEqualTo(401);
    }

    private String user(HttpResponse<String> summary) {
        assertThat(summary.statusCode()).as(summary.body()).isEqualTo(200);
        var user = fixture.json(summary).get("user");
        return user.get("name").asText() + " " + user.get("role").asText();
    }

    @Test
    void withAKeystoreItServesHttpsOnlyWithSecureCookies() throws Exception {
        Path dir = Files.createTempDirectory("console-tls");
        Path keystore = dir.resolve("console.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "changeit-123",
                "-keyalg", "EC", "-alias", "console", "-dname", "CN=localhost", "-ext", "san=dns:localhost",
                "-validity", "2").redirectErrorStream(true).start();
        keytool.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertThat(keytool.waitFor()).isZero();
        fixture = new ConsoleFixture(1);

        assertThatThrownBy(() -> Console.start(fixture.config("CONSOLE_KEYSTORE", keystore.toString(),
                "CONSOLE_KEYSTORE_PASSWORD", "wrong-password"), fixture.health, ReplayedRecords.NONE, new PrometheusRegistry()))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("CONSOLE_KEYSTORE: cannot use " + keystore)
                .hasMessageNotContaining("wrong-password");

        fixture.start("CONSOLE_KEYSTORE", keystore.toString(), "CONSOLE_KEYSTORE_PASSWORD", "changeit-123",
                "CONSOLE_TOKEN", TLS_TOKEN);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            trust.load(in, "changeit-123".toCharArray());
        }
        TrustManagerFactory trusting = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trusting.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trusting.getTrustManagers(), null);
        String https = fixture.url("").replace("http://127.0.0.1", "https://localhost");
        HttpResponse<String> login = HttpClient.newBuilder().sslContext(tls).build().send(
                HttpRequest.newBuilder(URI.create(https + "/api/login")).header("Content-Type", "application/json")
                        .header(Guard.CSRF_HEADER, "1").header("Origin", https)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + TLS_TOKEN + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(login.statusCode()).as(login.body()).isEqualTo(204);
        assertThat(login.headers().firstValue("Set-Cookie")).hasValueSatisfying(c ->
                assertThat(c).endsWith("; HttpOnly; SameSite=Strict; Secure"));
        assertThatThrownBy(() -> fixture.get("/api/summary")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aUsersFileThatDoesNotParseNamesItsLine() throws Exception {
        Path file = Files.createTempDirectory("console-users").resolve("users");
        Files.writeString(file, "# accounts\nada:admin:\nbob:root:\n");
        fixture = new ConsoleFixture(1);

        assertThatThrownBy(() -> Console.start(fixture.config("CONSOLE_USERS_FILE", file.toString()), fixture.health,
                ReplayedRecords.NONE, new PrometheusRegistry())).isInstanceOf(ConfigException.class)
                .hasMessage("CONSOLE_USERS_FILE: " + file + ": line 3: the role is viewer, operator or admin");
    }
}
