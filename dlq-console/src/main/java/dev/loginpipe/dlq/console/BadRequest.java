package dev.loginpipe.dlq.console;

/** A request the console will not answer; the message says why, for people, and goes back as JSON with a 400. */
final class BadRequest extends RuntimeException {
    BadRequest(String message) {
        super(message);
    }
}
