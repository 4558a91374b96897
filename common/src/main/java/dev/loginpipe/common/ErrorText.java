package dev.loginpipe.common;

/** An error in one line for people: the innermost cause, whose message usually says what is really wrong. */
public final class ErrorText {
    private ErrorText() {
    }

    /** The innermost cause's class and message, line breaks removed. */
    public static String of(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : ": " + root.getMessage().replace('\n', ' ');
        return root.getClass().getSimpleName() + message;
    }
}
