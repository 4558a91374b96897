package dev.loginpipe.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a service's HTTP endpoint says: the status of a path, one metric's value, and a free port to put it on. */
final class ServiceHttp {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ServiceHttp() {
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The status code, or -1 while the server is not up. */
    static int status(int port, String path) {
        HttpResponse<String> response = get(port, path);
        return response == null ? -1 : response.statusCode();
    }

    /** The value of one series on /metrics, or -1 when it is not there (yet). */
    static double metric(int port, String series) {
        HttpResponse<String> response = get(port, "/metrics");
        if (response == null) {
            return -1;
        }
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(response.body());
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    /** The response, or null while the server is not up. */
    private static HttpResponse<String> get(int port, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
