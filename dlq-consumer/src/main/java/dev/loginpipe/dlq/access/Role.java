package dev.loginpipe.dlq.access;

import java.util.Locale;

/**
 * What a console user may do. Viewers read (values masked); operators also run dry runs, create plans and act on
 * their own; admins see values in the clear and act on anyone's plan. {@code SCRIPT} is the shared
 * {@code CONSOLE_TOKEN}: an operator for scripts, its plans its own.
 */
public enum Role {
    VIEWER, OPERATOR, ADMIN, SCRIPT;

    /** Dry runs, new plans, actions on one's own plans. */
    public boolean mayOperate() {
        return this != VIEWER;
    }

    /** Actions on plans someone else created. */
    public boolean mayActOnAnyPlan() {
        return this == ADMIN;
    }

    /** The name in the users file and the page: viewer, operator, admin, script. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A role a person can be given (not {@code script}, which only the token has), or null. */
    public static Role ofPerson(String label) {
        for (Role role : values()) {
            if (role != SCRIPT && role.label().equals(label)) {
                return role;
            }
        }
        return null;
    }
}
