package dev.mailpipe.web.api;

/** A request the API refuses: the HTTP status and SendCloud-shaped statusCode, and a message that never holds a secret. */
public final class ApiException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;

    public ApiException(final int status, final String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
