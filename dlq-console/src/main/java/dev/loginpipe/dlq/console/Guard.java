package dev.loginpipe.dlq.console;

import java.net.InetAddress;
import java.util.Locale;
import java.util.Set;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import dev.loginpipe.dlq.console.access.Accounts;
import dev.loginpipe.dlq.console.access.Principal;

/**
 * Who may ask the console what. A request is someone's through, in this order: the trusted proxy's
 * {@code X-Forwarded-User} (only from the proxy's address), {@code Authorization: Bearer} with the token, or the
 * session cookie a sign-in set; a loopback console with neither accounts nor token nor proxy is its one local user's.
 * Bound to loopback, the Host must be a loopback name, so a web page cannot reach the console through DNS rebinding.
 * Every POST must come from the console's own page: a header a cross-site form cannot send, JSON, and, when the
 * browser says where it comes from, the same origin (CSRF).
 */
final class Guard {
    static final String COOKIE = "console_session";
    static final String CSRF_HEADER = "X-Console-Request";
    static final String PROXY_USER_HEADER = "X-Forwarded-User";
    private static final Set<String> LOOPBACK_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]");

    private final Accounts accounts;
    private final boolean loopback;
    private final InetAddress trustedProxy;

    /** {@code trustedProxy}: null for none. */
    Guard(Accounts accounts, boolean loopback, InetAddress trustedProxy) {
        this.accounts = accounts;
        this.loopback = loopback;
        this.trustedProxy = trustedProxy;
    }

    Accounts accounts() {
        return accounts;
    }

    /** Null when the Host is acceptable, else why not. */
    String hostProblem(Headers headers) {
        if (!loopback) {
            return null;
        }
        String host = headers.getFirst("Host");
        if (host == null) {
            return "a Host header is required";
        }
        String name = host.toLowerCase(Locale.ROOT).replaceFirst(":\\d+$", "");
        return LOOPBACK_HOSTS.contains(name) ? null : "the console answers to localhost only";
    }

    /**
     * Who the request comes from, or null when nobody has signed in; throws {@link Accounts.Throttled} for a token
     * from an address that must wait.
     */
    Principal principal(HttpExchange exchange) {
        Headers headers = exchange.getRequestHeaders();
        String proxied = headers.getFirst(PROXY_USER_HEADER);
        if (proxied != null && trustedProxy != null
                && trustedProxy.equals(exchange.getRemoteAddress().getAddress())) {
            return accounts.proxied(proxied.strip());
        }
        String authorization = headers.getFirst("Authorization");
        if (authorization != null && authorization.startsWith("Bearer ")) {
            return accounts.bearer(authorization.substring(7).trim(),
                    exchange.getRemoteAddress().getAddress().getHostAddress());
        }
        Principal signedIn = accounts.session(sessionId(headers));
        if (signedIn != null) {
            return signedIn;
        }
        // A stale cookie (another console on this host, an ended session) does not lock out an open console.
        return trustedProxy == null && accounts.open() ? accounts.local() : null;
    }

    static String sessionId(Headers headers) {
        String cookies = headers.getFirst("Cookie");
        if (cookies != null) {
            for (String cookie : cookies.split(";")) {
                String c = cookie.trim();
                if (c.startsWith(COOKIE + "=")) {
                    return c.substring(COOKIE.length() + 1);
                }
            }
        }
        return null;
    }

    /** Null when a POST comes from the console's page, else why not. */
    String csrfProblem(Headers headers) {
        if (!"1".equals(headers.getFirst(CSRF_HEADER))) {
            return "a POST needs the header " + CSRF_HEADER + ": 1";
        }
        String type = headers.getFirst("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            return "a POST needs Content-Type: application/json";
        }
        String site = headers.getFirst("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin")) {
            return "a POST must come from the console's own page";
        }
        String origin = headers.getFirst("Origin");
        String host = headers.getFirst("Host");
        if (origin != null && (host == null || !(origin.equals("http://" + host) || origin.equals("https://" + host)))) {
            return "a POST must come from the console's own page";
        }
        return null;
    }
}
