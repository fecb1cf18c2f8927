package dev.mailpipe.deliverer.smtp;

import java.io.IOException;

/** The server said something that is not SMTP; the connection is unusable. */
public final class SmtpProtocolException extends IOException {

    public SmtpProtocolException(final String message) {
        super(message);
    }
}
