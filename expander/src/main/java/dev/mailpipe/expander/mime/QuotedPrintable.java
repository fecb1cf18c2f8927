package dev.mailpipe.expander.mime;

import java.util.Arrays;

/**
 * Quoted-printable encoding of canonical text (RFC 2045 §6.7): CRLF stays a hard line break,
 * printable ASCII except {@code =} stays literal, a space or tab ending a line is encoded, every
 * other byte becomes {@code =XX}, and soft breaks keep each line within 76 characters. One pass
 * over a byte array: the expander encodes every text part once per recipient, and mime4j's
 * stream encoder (byte by byte through a buffer) was its largest single cost. Decoding stays with
 * mime4j; {@code QuotedPrintableTest} checks the round trip against mime4j's decoder.
 */
final class QuotedPrintable {

    private static final int MAX_LINE = 76;
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private QuotedPrintable() {
    }

    /** Bytes written as themselves anywhere: printable ASCII except '='. */
    private static final boolean[] SAFE = new boolean[256];

    static {
        for (int b = 33; b <= 126; b++) {
            SAFE[b] = b != '=';
        }
    }

    static byte[] encode(final byte[] text) {
        byte[] out = new byte[text.length + text.length / 4 + 64];
        int o = 0;
        int column = 0;
        final int n = text.length;
        for (int i = 0; i < n; i++) {
            if (o + 8 > out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            final int b = text[i] & 0xff;
            if (b == '\r' && i + 1 < n && text[i + 1] == '\n') {
                out[o++] = '\r';
                out[o++] = '\n';
                column = 0;
                i++;
                continue;
            }
            final boolean literal = SAFE[b] || (b == ' ' || b == '\t') && !lineEndsAfter(text, i);
            final int width = literal ? 1 : 3;
            // keep room for a soft break's '=' unless this is the line's last character
            if (column + width > MAX_LINE - 1 && (column + width > MAX_LINE || !lineEndsAfter(text, i))) {
                out[o++] = '=';
                out[o++] = '\r';
                out[o++] = '\n';
                column = 0;
            }
            if (literal) {
                out[o++] = (byte) b;
            } else {
                out[o++] = '=';
                out[o++] = HEX[b >>> 4];
                out[o++] = HEX[b & 0x0f];
            }
            column += width;
        }
        return Arrays.copyOf(out, o);
    }

    private static boolean lineEndsAfter(final byte[] text, final int i) {
        return i + 1 == text.length || text[i + 1] == '\r' && i + 2 < text.length && text[i + 2] == '\n';
    }
}
