package dev.loginpipe.dlq.access;

/**
 * Who a request comes from: the name the audit trail records, the role, and whether record values reach them
 * masked.
 */
public record Principal(String name, Role role, boolean masked) {
    /** The name of the shared token's principal in the trail. */
    public static final String TOKEN = "token";
    /** The name of the one person at a loopback console without accounts or token. */
    public static final String LOCAL = "local";
}
