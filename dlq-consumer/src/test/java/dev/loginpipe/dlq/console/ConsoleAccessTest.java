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
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import dev.loginpipe.common.config.ConfigException;
import dev.loginpipe.dlq.access.Role;
import dev.loginpipe.dlq.access.Users;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** People, roles and sessions at the console's door, tried the way an attacker would, on a real broker. */
class ConsoleAccessTest {
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

    @Test
    void guessingIsThrottledAndUnknownNamesLookLikeWrongPasswords() {
        fixture = new ConsoleFixture(1);
        fixture.start("CONSOLE_USERS_FILE", AccountsFixture.users(Map.of("ada", "admin")).toString());

        HttpResponse<String> unknown = signIn("nobody", "whatever-it-is");
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(fixture.json(unknown).get("error").asText()).isEqualTo("wrong name or password");
        for (int i = 0; i < 4; i++) {
            assertThat(signIn("ada", "guess-" + i).statusCode()).isEqualTo(401);
        }
        // Five failures from this address: even the right password waits now, for any name.
        HttpResponse<String> throttled = signIn("ada", AccountsFixture.password("ada"));
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(fixture.json(throttled).get("error").asText()).matches("too many failed sign-ins; try again in "
                + "([1-9]\\d{0,2}) s");
        assertThat(fixture.get("/api/summary").statusCode()).isEqualTo(401);
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
                "CONSOLE_KEYSTORE_PASSWORD", "wrong-password"), fixture.health, ReplayedRecords.NONE))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("CONSOLE_KEYSTORE: cannot use " + keystore)
                .hasMessageNotContaining("wrong-password");

        fixture.start("CONSOLE_KEYSTORE", keystore.toString(), "CONSOLE_KEYSTORE_PASSWORD", "changeit-123",
                "CONSOLE_TOKEN", "tls-token");
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
                        .POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"tls-token\"}")).build(),
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
                ReplayedRecords.NONE)).isInstanceOf(ConfigException.class)
                .hasMessage("CONSOLE_USERS_FILE: " + file + ": line 3: the role is viewer, operator or admin");
    }
}
