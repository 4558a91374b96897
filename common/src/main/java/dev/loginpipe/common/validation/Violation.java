package dev.loginpipe.common.validation;

/**
 * One broken schema rule.
 *
 * @param path    JSON pointer of the offending field ({@code /ip}); for a missing or extra field, that field
 * @param keyword the schema keyword ({@code format}, {@code required}, {@code type}, ...)
 * @param message what the validator says, for people
 */
public record Violation(String path, String keyword, String message) {
}
