package dev.mailpipe.deliverer.smtp;

import dev.mailpipe.core.smtp.SmtpReply;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;

/**
 * The byte pipe under an SMTP client session: a TCP socket in production, a script in unit tests.
 * Writes may be buffered until {@link #flush()} (that is what makes PIPELINING possible).
 */
public interface SmtpTransport extends Closeable {

    void write(byte[] bytes) throws IOException;

    void flush() throws IOException;

    /** Reads one reply, failing with {@link java.net.SocketTimeoutException} after {@code timeout}. */
    SmtpReply read(Duration timeout) throws IOException;

    /** Upgrades to TLS after a 220 reply to STARTTLS. */
    void startTls() throws IOException;

    boolean tlsActive();

    @Override
    void close();
}
