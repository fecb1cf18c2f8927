package dev.mailpipe.deliverer.smtp;

import dev.mailpipe.core.smtp.ReplyParser;
import dev.mailpipe.core.smtp.SmtpReply;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Reads SMTP replies (RFC 5321 §4.2) line by line from a stream into core's {@link ReplyParser}; lenient about bare LF. */
public final class ReplyReader {

    /** RFC 5321 §4.5.3.1.5 allows 512 octets per reply line; be generous, but bounded. */
    private static final int MAX_LINE = 8192;

    /** Usual replies fit; a longer line grows the buffer up to {@link #MAX_LINE}. */
    private static final int INITIAL_LINE = 256;

    private final InputStream in;
    /** Reused for every line of the connection: a reader is used by one delivery at a time. */
    private byte[] buf = new byte[INITIAL_LINE];

    public ReplyReader(final InputStream in) {
        this.in = in;
    }

    /** Reads one complete reply; throws {@link SmtpProtocolException} on garbage, EOFException-like IOException on close. */
    public SmtpReply read() throws IOException {
        final ReplyParser parser = new ReplyParser();
        while (true) {
            final String line = readLine();
            try {
                final SmtpReply reply = parser.line(line);
                if (reply != null) {
                    return reply;
                }
            } catch (final ReplyParser.MalformedReplyException e) {
                throw new SmtpProtocolException(e.getMessage());
            }
        }
    }

    private String readLine() throws IOException {
        int len = 0;
        while (true) {
            final int b = in.read();
            if (b == -1) {
                throw new java.io.EOFException("connection closed by the server");
            }
            if (b == '\n') {
                if (len > 0 && buf[len - 1] == '\r') {
                    len--;
                }
                return new String(buf, 0, len, StandardCharsets.UTF_8);
            }
            if (len == buf.length) {
                if (len == MAX_LINE) {
                    throw new SmtpProtocolException("reply line longer than " + MAX_LINE + " bytes");
                }
                buf = Arrays.copyOf(buf, Math.min(MAX_LINE, 2 * len));
            }
            buf[len++] = (byte) b;
        }
    }
}
