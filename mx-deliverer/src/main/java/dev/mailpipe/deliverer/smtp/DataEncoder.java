package dev.mailpipe.deliverer.smtp;

import java.io.ByteArrayOutputStream;

/**
 * Turns a message into the bytes sent after DATA (RFC 5321 §4.5.2): every line ends in CRLF
 * (bare CR or LF are normalised, which also closes the SMTP-smuggling hole), lines starting
 * with '.' get one more, and the terminating CRLF.CRLF follows.
 */
public final class DataEncoder {

    private DataEncoder() {
    }

    public static byte[] encode(final byte[] content) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + content.length / 64 + 8);
        boolean lineStart = true;
        for (int i = 0; i < content.length; i++) {
            final byte b = content[i];
            if (b == '\r' || b == '\n') {
                if (b == '\r' && i + 1 < content.length && content[i + 1] == '\n') {
                    i++;
                }
                out.write('\r');
                out.write('\n');
                lineStart = true;
                continue;
            }
            if (lineStart && b == '.') {
                out.write('.');
            }
            out.write(b);
            lineStart = false;
        }
        if (!lineStart) {
            out.write('\r');
            out.write('\n');
        }
        out.write('.');
        out.write('\r');
        out.write('\n');
        return out.toByteArray();
    }
}
