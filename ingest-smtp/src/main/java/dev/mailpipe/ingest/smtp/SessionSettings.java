package dev.mailpipe.ingest.smtp;

/**
 * The limits and features of a session, fixed for the server's lifetime.
 *
 * @param hostname          the name in the banner, EHLO reply and Received header
 * @param maxMessageBytes   the advertised SIZE; larger messages get 552
 * @param maxRecipients     RCPT commands accepted per transaction
 * @param maxLineLength     longest command line, CRLF included
 * @param maxDataLineLength longest line in DATA, CRLF included (see {@link #DATA_LINE_FOR_XSMTPAPI})
 * @param maxErrors         error replies before the session is closed with 421
 * @param tlsAvailable      STARTTLS can be offered (a certificate is configured)
 * @param requireTlsForAuth AUTH only after STARTTLS (or on the implicit-TLS port)
 */
public record SessionSettings(String hostname, long maxMessageBytes, int maxRecipients, int maxLineLength,
        int maxDataLineLength, int maxErrors, boolean tlsAvailable, boolean requireTlsForAuth) {

    /**
     * Default longest DATA line: room for a 1 MB X-SMTPAPI header on one line, which SendCloud
     * accepts and Python's {@code email.header.Header} produces (it cannot fold base64).
     */
    public static final int DATA_LINE_FOR_XSMTPAPI = 1_100_000;

    public static SessionSettings defaults(final String hostname) {
        return new SessionSettings(hostname, 16_000_000L, 100, 1000, DATA_LINE_FOR_XSMTPAPI, 10, false, false);
    }

    public SessionSettings withTls(final boolean available, final boolean requiredForAuth) {
        return new SessionSettings(hostname, maxMessageBytes, maxRecipients, maxLineLength, maxDataLineLength, maxErrors,
                available,
                requiredForAuth);
    }
}
