package dev.mailpipe.deliverer.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads SMTP replies (RFC 5321 §4.2) line by line from a stream; lenient about bare LF. */
public final class ReplyReader {

    /** RFC 5321 §4.5.3.1.5 allows 512 octets per reply line; be generous, but bounded. */
    private static final int MAX_LINE = 8192;
    private static final int MAX_LINES = 256;

    private final InputStream in;

    public ReplyReader(final InputStream in) {
        this.in = in;
    }

    /** Reads one complete reply; throws {@link SmtpProtocolException} on garbage, EOFException-like IOException on close. */
    public SmtpReply read() throws IOException {
        final List<String> texts = new ArrayList<>();
        int code = -1;
        while (texts.size() < MAX_LINES) {
            final String line = readLine();
            if (line.length() < 3 || !Character.isDigit(line.charAt(0)) || !Character.isDigit(line.charAt(1))
                    || !Character.isDigit(line.charAt(2))) {
                throw new SmtpProtocolException("malformed reply line: '" + abbreviate(line) + "'");
            }
            final int lineCode = Integer.parseInt(line.substring(0, 3));
            if (code == -1) {
                code = lineCode;
            } else if (lineCode != code) {
                throw new SmtpProtocolException("reply code changed within a reply: '" + abbreviate(line) + "'");
            }
            final boolean more = line.length() > 3 && line.charAt(3) == '-';
            texts.add(line.length() > 4 ? line.substring(4) : "");
            if (!more) {
                return SmtpReply.of(code, texts);
            }
        }
        throw new SmtpProtocolException("reply longer than " + MAX_LINES + " lines");
    }

    private String readLine() throws IOException {
        final byte[] buf = new byte[MAX_LINE];
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
            if (len == MAX_LINE) {
                throw new SmtpProtocolException("reply line longer than " + MAX_LINE + " bytes");
            }
            buf[len++] = (byte) b;
        }
    }

    private static String abbreviate(final String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
