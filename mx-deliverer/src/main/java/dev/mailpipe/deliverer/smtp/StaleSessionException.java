package dev.mailpipe.deliverer.smtp;

import java.io.IOException;

/**
 * A reused session failed before its transaction began: the connection broke, or the RSET that
 * starts every transaction but the first was not answered with 250. Nothing of the email was
 * accepted, so a fresh connection may send it at once; any later failure is an ordinary
 * {@link IOException} (the server may already hold the message).
 */
public final class StaleSessionException extends IOException {

    public StaleSessionException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
