package dev.loginpipe.common.observability;

import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.ConfigException;
import dev.loginpipe.common.config.Settings;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** {@code /health/live}, {@code /health/ready} and {@code /metrics} on {@code HTTP_BIND}:{@code HTTP_PORT}. */
public final class HttpEndpoint implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;

    private HttpEndpoint(HttpServer server) {
        this.server = server;
    }

    /** Starts serving, or serves nothing when the port is 0. A port in use is a configuration error. */
    public static HttpEndpoint start(Config config, PrometheusRegistry registry, Health health) {
        int port = config.get(Settings.HTTP_PORT);
        if (port == 0) {
            return new HttpEndpoint(null);
        }
        String bind = config.get(Settings.HTTP_BIND);
        InetSocketAddress address = new InetSocketAddress(bind, port);
        if (address.isUnresolved()) {
            throw new ConfigException(Settings.HTTP_BIND.name(), "'" + bind + "' is not an address of this host");
        }
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (BindException e) {
            throw new ConfigException(Settings.HTTP_PORT.name(), "port " + port + " is already in use, or "
                    + Settings.HTTP_BIND.name() + " '" + bind + "' is not an address of this host");
        } catch (IOException e) {
            throw new ConfigException(Settings.HTTP_PORT.name(), "cannot listen on port " + port + ": " + e.getMessage());
        }
        server.createContext("/health/live", exchange -> respond(exchange, health.isLive() ? 200 : 503,
                json("status", health.isLive() ? "live" : "stopped", null, health.warning())));
        server.createContext("/health/ready", exchange -> {
            String reason = health.notReadyReason();
            respond(exchange, reason == null ? 200 : 503,
                    json("status", reason == null ? "ready" : "not-ready", reason, health.warning()));
        });
        server.createContext("/metrics", new MetricsHandler(registry));
        server.setExecutor(null);
        server.start();
        return new HttpEndpoint(server);
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static String json(String key, String status, String reason, String warning) {
        var node = JSON.createObjectNode().put(key, status);
        if (reason != null) {
            node.put("reason", reason);
        }
        if (warning != null) {
            node.put("warning", warning);
        }
        return node.toString();
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
