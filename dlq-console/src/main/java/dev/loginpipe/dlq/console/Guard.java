package dev.loginpipe.dlq.console;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;
import java.util.Set;

import dev.loginpipe.dlq.console.access.Accounts;
import dev.loginpipe.dlq.console.access.Principal;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Request;

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
    String hostProblem(HttpFields headers) {
        if (!loopback) {
            return null;
        }
        String host = headers.get("Host");
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
    Principal principal(Request request) {
        HttpFields headers = request.getHeaders();
        String proxied = headers.get(PROXY_USER_HEADER);
        if (proxied != null && trustedProxy != null && trustedProxy.equals(remote(request))) {
            return accounts.proxied(proxied.strip());
        }
        String authorization = headers.get("Authorization");
        if (authorization != null && authorization.startsWith("Bearer ")) {
            return accounts.bearer(authorization.substring(7).trim(), remote(request).getHostAddress());
        }
        Principal signedIn = accounts.session(sessionId(headers));
        if (signedIn != null) {
            return signedIn;
        }
        // A stale cookie (another console on this host, an ended session) does not lock out an open console.
        return trustedProxy == null && accounts.open() ? accounts.local() : null;
    }

    /** The address the request came from (the trusted proxy's, behind one). */
    static InetAddress remote(Request request) {
        SocketAddress address = request.getConnectionMetaData().getRemoteSocketAddress();
        return ((InetSocketAddress) address).getAddress();
    }

    /** Whether an open event stream's request is still its principal's as it was (not signed out, removed, ...). */
    boolean stillFor(EventStreams.Stream stream) {
        try {
            return stream.principal.equals(principal(stream.request));
        } catch (Accounts.Throttled e) {
            return false;
        }
    }

    static String sessionId(HttpFields headers) {
        String cookies = headers.get("Cookie");
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
    String csrfProblem(HttpFields headers) {
        if (!"1".equals(headers.get(CSRF_HEADER))) {
            return "a POST needs the header " + CSRF_HEADER + ": 1";
        }
        String type = headers.get("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            return "a POST needs Content-Type: application/json";
        }
        String site = headers.get("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin")) {
            return "a POST must come from the console's own page";
        }
        String origin = headers.get("Origin");
        String host = headers.get("Host");
        if (origin != null && (host == null || !(origin.equals("http://" + host) || origin.equals("https://" + host)))) {
            return "a POST must come from the console's own page";
        }
        return null;
    }
}
