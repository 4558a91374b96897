package dev.loginpipe.dlq.console.access;

import dev.loginpipe.dlq.access.Role;
import dev.loginpipe.dlq.access.Users;

/**
 * Who a request comes from: the name the audit trail records, the role, and whether record values reach them
 * masked.
 */
public record Principal(String name, Role role, boolean masked) {
    public static final String TOKEN = Users.TOKEN;
    public static final String LOCAL = Users.LOCAL;
}
