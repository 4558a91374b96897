package dev.loginpipe.dlq.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;

import com.sun.net.httpserver.Headers;

/**
 * Who may ask the console what. With {@code CONSOLE_TOKEN} set, every request but the login page carries the token,
 * as {@code Authorization: Bearer} or as the cookie the login form sets (compared in constant time). Bound to
 * loopback, the Host must be a loopback name, so a web page cannot reach the console through DNS rebinding. Every
 * POST, token or not, must come from the console's own page: a header a cross-site form cannot send, JSON, and, when
 * the browser says where it comes from, the same origin (CSRF).
 */
final class Guard {
    static final String COOKIE = "console_token";
    static final String CSRF_HEADER = "X-Console-Request";
    private static final Set<String> LOOPBACK_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]");

    private final byte[] tokenDigest;
    private final boolean loopback;

    Guard(String token, boolean loopback) {
        this.tokenDigest = token.isEmpty() ? null : digest(token);
        this.loopback = loopback;
    }

    boolean tokenRequired() {
        return tokenDigest != null;
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

    boolean authenticated(Headers headers) {
        if (tokenDigest == null) {
            return true;
        }
        String authorization = headers.getFirst("Authorization");
        if (authorization != null && authorization.startsWith("Bearer ")) {
            return matches(authorization.substring(7).trim());
        }
        String cookies = headers.getFirst("Cookie");
        if (cookies != null) {
            for (String cookie : cookies.split(";")) {
                String c = cookie.trim();
                if (c.startsWith(COOKIE + "=")) {
                    try {
                        return matches(new String(Base64.getUrlDecoder().decode(c.substring(COOKIE.length() + 1)),
                                StandardCharsets.UTF_8));
                    } catch (IllegalArgumentException notBase64) {
                        return false;
                    }
                }
            }
        }
        return false;
    }

    /** The login cookie's value: the token, base64url, so any printable token fits a cookie. */
    static String cookieValue(String token) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(token.getBytes(StandardCharsets.UTF_8));
    }

    boolean matches(String token) {
        return tokenDigest == null || MessageDigest.isEqual(tokenDigest, digest(token));
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

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
