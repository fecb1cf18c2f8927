package dev.mailpipe.ingest.smtp;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The trace header mailpipe prepends to each message (RFC 5321 §4.4, RFC 3848 protocol names). */
public final class ReceivedHeader {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);

    private ReceivedHeader() {
    }

    /**
     * @param helo        the client's EHLO/HELO argument
     * @param address     the client's IP address
     * @param esmtp       true after EHLO, false after HELO
     * @param tlsProtocol e.g. TLSv1.3, or null without TLS
     * @param tlsCipher   the cipher suite, or null without TLS
     */
    public static String render(final String helo, final String address, final String hostname, final boolean esmtp,
            final boolean authenticated, final String tlsProtocol, final String tlsCipher, final String messageId,
            final Instant at) {
        // RFC 3848 registers ESMTPS, ESMTPA and ESMTPSA only; plain HELO stays "SMTP".
        final String with = esmtp ? "ESMTP" + (tlsCipher != null ? "S" : "") + (authenticated ? "A" : "") : "SMTP";
        final StringBuilder h = new StringBuilder(256);
        h.append("Received: from ").append(clean(helo)).append(" ([").append(address).append("])\r\n");
        h.append("\tby ").append(hostname).append(" (mailpipe)");
        if (tlsCipher != null) {
            h.append(" (using ").append(tlsProtocol == null ? "TLS" : tlsProtocol).append(" with cipher ")
                    .append(tlsCipher).append(')');
        }
        h.append("\r\n\twith ").append(with).append(" id ").append(messageId).append(";\r\n\t")
                .append(DATE.format(at.atOffset(ZoneOffset.UTC))).append("\r\n");
        return h.toString();
    }

    public static byte[] prepend(final String header, final byte[] content) {
        final byte[] head = header.getBytes(StandardCharsets.US_ASCII);
        final byte[] out = new byte[head.length + content.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(content, 0, out, head.length, content.length);
        return out;
    }

    /** The HELO name is client-controlled: keep it on one printable-ASCII line. */
    private static String clean(final String helo) {
        final String s = helo == null || helo.isBlank() ? "unknown" : helo;
        return s.replaceAll("[^\\x21-\\x7e]", "?");
    }
}
