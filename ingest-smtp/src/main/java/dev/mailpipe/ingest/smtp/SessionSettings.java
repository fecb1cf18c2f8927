package dev.mailpipe.ingest.smtp;

/**
 * The limits and features of a session, fixed for the server's lifetime.
 *
 * @param hostname          the name in the banner, EHLO reply and Received header
 * @param maxMessageBytes   the advertised SIZE; larger messages get 552
 * @param maxRecipients     RCPT commands accepted per transaction
 * @param maxLineLength     longest command or data line, CRLF included
 * @param maxErrors         error replies before the session is closed with 421
 * @param tlsAvailable      STARTTLS can be offered (a certificate is configured)
 * @param requireTlsForAuth AUTH only after STARTTLS (or on the implicit-TLS port)
 */
public record SessionSettings(String hostname, long maxMessageBytes, int maxRecipients, int maxLineLength,
        int maxErrors, boolean tlsAvailable, boolean requireTlsForAuth) {

    public static SessionSettings defaults(final String hostname) {
        return new SessionSettings(hostname, 16_000_000L, 100, 1000, 10, false, false);
    }

    public SessionSettings withTls(final boolean available, final boolean requiredForAuth) {
        return new SessionSettings(hostname, maxMessageBytes, maxRecipients, maxLineLength, maxErrors, available,
                requiredForAuth);
    }
}
