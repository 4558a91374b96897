package dev.loginpipe.dlq.backtest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.loginpipe.common.schema.RegistryClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A registry that answers what the test says: whatever it says, the check is one safe line, never an exception. */
class RegistryCompatibilityTest {
    private static final String CHECK = "/compatibility/subjects/a%20b/versions/latest";

    private HttpServer server;
    private RegistryClient client;
    /** Path to status and body; a path not in it answers 404. */
    private final Map<String, String[]> answers = new ConcurrentHashMap<>();
    private final List<String> posted = new CopyOnWriteArrayList<>();
    private final ObjectNode candidate = new ObjectMapper().createObjectNode().put("schemaType", "JSON")
            .put("schema", "{}");

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/", this::answer);
        server.start();
        client = new RegistryClient("http://127.0.0.1:" + server.getAddress().getPort(), Duration.ofMillis(2000),
                4096, null);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        if (exchange.getRequestMethod().equals("POST")) {
            posted.add(exchange.getRequestURI().getRawQuery() + " " + new String(exchange.getRequestBody()
                    .readAllBytes(), UTF_8));
        }
        String[] answer = answers.getOrDefault(path, new String[] {"404", "{\"error_code\":40408}"});
        byte[] body = answer[1].getBytes(UTF_8);
        exchange.sendResponseHeaders(Integer.parseInt(answer[0]), body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        } catch (IOException e) {
            // the client hung up on a huge answer
        }
    }

    private RegistryCompatibility check() {
        return RegistryCompatibility.check(client, "a b", candidate);
    }

    @Test
    void theSubjectsLevelElseTheRegistrysAndTheAnswer() {
        answers.put("/config", new String[] {"200", "{\"compatibilityLevel\":\"FULL\"}"});
        answers.put(CHECK, new String[] {"200", "{\"is_compatible\":true}"});
        assertThat(check().line()).isEqualTo("registry (FULL): compatible");
        assertThat(posted).containsExactly("verbose=true {\"schemaType\":\"JSON\",\"schema\":\"{}\"}");

        answers.put("/config/a%20b", new String[] {"200", "{\"compatibility\":\"NONE\"}"});
        assertThat(check().line()).isEqualTo("registry: no compatibility rule for a b");
        assertThat(posted).hasSize(1); // not asked: it would take any version
    }

    @Test
    void hostileAnswersAreOneShortSafeLine() {
        answers.put("/config/a%20b", new String[] {"200", "{\"compatibilityLevel\":\"BACKWARD\"}"});
        answers.put(CHECK, new String[] {"200", "{\"is_compatible\":false,\"messages\":[\"line\\nbreak\\u0000"
                + "x".repeat(1000) + "\",{\"an\":\"object\"}]}"});
        RegistryCompatibility no = check();
        assertThat(no.line()).isEqualTo("registry (BACKWARD): NOT compatible: line?break?" + "x".repeat(189) + "...");
        assertThat(no.messages()).hasSize(2).element(1).isEqualTo("{\"an\":\"object\"}");
        assertThat(no.json().toString()).doesNotContain("\\n");

        answers.put(CHECK, new String[] {"200", "{\"is_compatible\":\"yes\"}"});
        assertThat(check().line()).isEqualTo("registry: could not check: POST " + CHECK
                + "?verbose=true: no is_compatible");
        answers.put(CHECK, new String[] {"200", "{\"is_compatible\":true,\"pad\":\"" + "x".repeat(5000) + "\"}"});
        assertThat(check().line()).isEqualTo("registry: could not check: POST " + CHECK
                + "?verbose=true: the answer is larger than 4096 bytes");
        answers.put(CHECK, new String[] {"500", "<html>\n" + "boom ".repeat(100)});
        RegistryCompatibility failed = check();
        assertThat(failed.line()).isEqualTo("registry: could not check: POST " + CHECK + "?verbose=true: HTTP 500 "
                + "'<html>?" + "boom ".repeat(100).substring(0, 113) + "...'");
        assertThat(failed.json().get("compatible").isNull()).isTrue();
        assertThat(failed.json().get("level").asText()).isEqualTo("BACKWARD");
    }
}
