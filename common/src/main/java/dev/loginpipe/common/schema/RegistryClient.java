package dev.loginpipe.common.schema;

import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.loginpipe.common.ErrorText;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.ConfigException;
import dev.loginpipe.common.config.Settings;

/**
 * Bounded GETs and POSTs to a schema registry's REST API with the JDK's client (TLS from the JDK's trust store):
 * every request has one deadline for connecting and reading the whole answer, and an answer larger than the bound is
 * cut off and refused. Whatever comes back is hostile: a failure's text is quoted as one short line, credentials never
 * are.
 */
public final class RegistryClient {
    private static final int QUOTED_BODY_CHARS = 120;

    private final String baseUrl;
    private final Duration timeout;
    private final int maxBytes;
    /** The Authorization header's value, or null: never logged. */
    private final String authorization;
    private final HttpClient http;

    public RegistryClient(String baseUrl, Duration timeout, int maxBytes, String authorization) {
        this.baseUrl = baseUrl;
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.authorization = authorization;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public static RegistryClient of(Config config) {
        String token = config.get(Settings.SCHEMA_REGISTRY_TOKEN);
        String user = config.get(Settings.SCHEMA_REGISTRY_USER);
        String password = config.get(Settings.SCHEMA_REGISTRY_PASSWORD);
        if (!token.isEmpty() && !user.isEmpty()) {
            throw new ConfigException(Settings.SCHEMA_REGISTRY_TOKEN.name(),
                    "set either a token or SCHEMA_REGISTRY_USER, not both");
        }
        if (!password.isEmpty() && user.isEmpty()) {
            throw new ConfigException(Settings.SCHEMA_REGISTRY_PASSWORD.name(), "set, but SCHEMA_REGISTRY_USER is not");
        }
        String authorization = !token.isEmpty() ? "Bearer " + token
                : !user.isEmpty() ? "Basic " + Base64.getEncoder().encodeToString(
                        (user + ":" + password).getBytes(StandardCharsets.UTF_8))
                : null;
        return new RegistryClient(config.get(Settings.SCHEMA_REGISTRY_URL),
                Duration.ofMillis(config.get(Settings.SCHEMA_REGISTRY_TIMEOUT_MS)),
                config.get(Settings.SCHEMA_REGISTRY_MAX_BYTES), authorization);
    }

    /** One path segment, percent-encoded (a subject may hold any character). */
    public static String segment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The JSON object at {@code path} (below the base URL). */
    public JsonNode get(String path) throws UnusableSchema {
        return send(request(path).GET(), "GET " + path, false);
    }

    /** The JSON object at {@code path}, or null when the registry says there is none (HTTP 404). */
    public JsonNode find(String path) throws UnusableSchema {
        return send(request(path).GET(), "GET " + path, true);
    }

    /** The JSON object a POST of {@code body} to {@code path} answers (a question, like a compatibility check). */
    public JsonNode post(String path, JsonNode body) throws UnusableSchema {
        HttpRequest.BodyPublisher json = HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8);
        return send(request(path).header("Content-Type", "application/vnd.schemaregistry.v1+json").POST(json),
                "POST " + path, false);
    }

    private UnusableSchema noAnswerInTime(String what) {
        return new UnusableSchema(UnusableSchema.Reason.UNREACHABLE, what + ": no complete answer within "
                + timeout.toMillis() + " ms");
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout)
                .header("Accept", "application/vnd.schemaregistry.v1+json, application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request;
    }

    /** @param what the method and path, for messages */
    private JsonNode send(HttpRequest.Builder request, String what, boolean notFoundIsNull) throws UnusableSchema {
        CompletableFuture<HttpResponse<byte[]>> pending =
                http.sendAsync(request.build(), response -> new BoundedBody(maxBytes));
        HttpResponse<byte[]> response;
        try {
            response = pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw noAnswerInTime(what);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BoundedBody.TooLarge tooLarge) {
                throw new UnusableSchema(UnusableSchema.Reason.BAD_ANSWER, what + ": " + tooLarge.getMessage());
            }
            if (e.getCause() instanceof HttpTimeoutException) {
                throw noAnswerInTime(what); // the request's own timeout, the same limit as ours: whichever came first
            }
            String why = e.getCause() instanceof ConnectException ? "cannot connect to " + baseUrl : ErrorText.of(e);
            throw new UnusableSchema(UnusableSchema.Reason.UNREACHABLE, what + ": " + why);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnusableSchema(UnusableSchema.Reason.UNREACHABLE, what + ": interrupted");
        }
        String body = new String(response.body(), StandardCharsets.UTF_8);
        int status = response.statusCode();
        if (status == 404 && notFoundIsNull) {
            return null;
        }
        if (status != 200) {
            // Overloaded or restarting: retried at the next refresh like a registry that does not answer.
            boolean transient_ = status >= 500 || status == 429 || status == 408;
            throw new UnusableSchema(transient_ ? UnusableSchema.Reason.UNREACHABLE : UnusableSchema.Reason.BAD_ANSWER,
                    what + ": HTTP " + status + " " + quote(body));
        }
        try {
            JsonNode answer = SchemaCandidate.STRICT.readTree(body);
            if (answer == null || !answer.isObject()) {
                throw new UnusableSchema(UnusableSchema.Reason.BAD_ANSWER, what + ": not a JSON object: "
                        + quote(body));
            }
            return answer;
        } catch (JsonProcessingException e) {
            throw new UnusableSchema(UnusableSchema.Reason.BAD_ANSWER, what + ": not JSON: " + quote(body));
        }
    }

    private static String quote(String body) {
        String cut = body.length() > QUOTED_BODY_CHARS ? body.substring(0, QUOTED_BODY_CHARS) + "..." : body;
        return "'" + UnusableSchema.safe(cut) + "'";
    }
}
