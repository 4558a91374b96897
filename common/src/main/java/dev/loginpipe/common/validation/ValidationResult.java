package dev.loginpipe.common.validation;

import java.util.List;

/**
 * The verdict on one record's value: valid, or invalid with a reason, one line for people, the schema violations
 * (reason {@code schema} only), the class of the exception that detected it, if one did, and the byte offset in the
 * value where the check stopped, if known (the first ill-formed byte, or where parsing failed).
 */
public record ValidationResult(Reason reason, String message, List<Violation> violations, String exception,
                               Long position) {
    public static final ValidationResult VALID = new ValidationResult(null, null, List.of(), null, null);

    public static ValidationResult invalid(Reason reason, String message) {
        return new ValidationResult(reason, message, List.of(), null, null);
    }

    public boolean isValid() {
        return reason == null;
    }
}
