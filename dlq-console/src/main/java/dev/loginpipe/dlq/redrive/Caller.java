package dev.loginpipe.dlq.redrive;

import dev.loginpipe.dlq.console.access.Principal;

/** Who asks redrive for something, and from where: the audit trail records both. */
public record Caller(Principal principal, String address) {

    /** The trail's who: the signed-in name and the request's address. */
    String who() {
        return principal.name() + " (" + address + ")";
    }

    /** Whether this caller created the plan (names have no spaces or parentheses, so the prefix is exact). */
    boolean created(Plan plan) {
        return plan.createdBy().startsWith(principal.name() + " (");
    }
}
