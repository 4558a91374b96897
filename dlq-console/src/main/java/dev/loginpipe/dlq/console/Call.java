package dev.loginpipe.dlq.console;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loginpipe.dlq.console.access.Principal;
import dev.loginpipe.dlq.redrive.Caller;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One request that passed its route's checks: who asks ({@code principal}, null on a route open to anyone), the
 * parts of its path, its body's fields (a POST's), and the ways to answer it, each exactly once.
 */
final class Call {
    private static final String STATIC = "dev/loginpipe/dlq/console/static/";
    final Request request;
    final Response response;
    final Callback callback;
    final Principal principal;
    final Map<String, String> fields;
    private final Matcher parts;
    private final ObjectMapper json;

    Call(Request request, Response response, Callback callback, Principal principal, Matcher parts,
         Map<String, String> fields, ObjectMapper json) {
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.principal = principal;
        this.parts = parts;
        this.fields = fields;
        this.json = json;
    }

    /** The query's parameters; a name not in {@code allowed} is a {@link BadRequest}. */
    Params query(Set<String> allowed) {
        return Params.ofQuery(request.getHttpURI().getQuery(), allowed);
    }

    /** Refuses any query parameter. */
    void noQuery() {
        query(Set.of());
    }

    String part(String name) {
        return parts.group(name);
    }

    int partition() {
        return Integer.parseInt(part("partition"));
    }

    long offset() {
        return Long.parseLong(part("offset"));
    }

    /** Who asks and from where, for the audit trail. */
    Caller caller() {
        return new Caller(principal, address());
    }

    String address() {
        return Guard.remote(request).getHostAddress();
    }

    void send(int status, JsonNode body) throws IOException {
        send(status, "application/json", json.writeValueAsBytes(body));
    }

    void error(int status, String message) throws IOException {
        send(status, json.createObjectNode().put("error", message));
    }

    /** An answer without a body (204, 303). */
    void empty(int status) {
        response.setStatus(status);
        callback.succeeded();
    }

    void file(String name) throws IOException {
        byte[] bytes;
        try (InputStream in = Call.class.getClassLoader().getResourceAsStream(STATIC + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            bytes = in.readAllBytes();
        }
        send(200, name.endsWith(".js") ? "text/javascript" : name.endsWith(".css") ? "text/css" : "text/html",
                bytes);
    }

    private void send(int status, String type, byte[] bytes) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type + "; charset=utf-8");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }
}
