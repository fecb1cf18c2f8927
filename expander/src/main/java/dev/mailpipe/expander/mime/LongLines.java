package dev.mailpipe.expander.mime;

import dev.mailpipe.core.mail.HeaderBlock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * RFC 5322 2.1.1: no line of a message may exceed 998 octets. A part that mailpipe would copy
 * unchanged (nothing substituted in it) but whose body has a longer line in an identity encoding
 * (none, 7bit, 8bit, binary) is re-encoded: text as quoted-printable, anything else as base64,
 * so every delivered message keeps the limit and decodes to the same content.
 */
final class LongLines {

    /** Octets of a line, CRLF excluded. */
    static final int MAX_LINE = 998;

    private static final Base64.Encoder BASE64 = Base64.getMimeEncoder(76, new byte[] {'\r', '\n'});

    private LongLines() {
    }

    static boolean needsReencoding(final byte[] source, final HeaderBlock header, final int from, final int to) {
        return isIdentity(header.first("Content-Transfer-Encoding")) && hasLongLine(source, from, to);
    }

    static boolean hasLongLine(final byte[] source, final int from, final int to) {
        int lineStart = from;
        for (int i = from; i < to; i++) {
            if (source[i] == '\n') {
                final int end = i > lineStart && source[i - 1] == '\r' ? i - 1 : i;
                if (end - lineStart > MAX_LINE) {
                    return true;
                }
                lineStart = i + 1;
            }
        }
        return to - lineStart > MAX_LINE;
    }

    /** Adds the part with its Content-Transfer-Encoding replaced and its body re-encoded to {@code out}. */
    static void reencode(final byte[] source, final HeaderBlock header, final String mimeType,
            final List<Segment> headers, final int transferEncodingIndex, final boolean top, final Segment separator,
            final int to, final List<Segment> out) {
        final boolean text = mimeType.startsWith("text/");
        final Segment cte = Segment.Fixed.of("Content-Transfer-Encoding: " + (text ? "quoted-printable" : "base64")
                + "\r\n");
        final List<Segment> rewritten = new ArrayList<>(headers);
        if (transferEncodingIndex >= 0 && transferEncodingIndex < rewritten.size()) {
            rewritten.set(transferEncodingIndex, cte);
        } else {
            rewritten.add(cte);
        }
        if (top && header.first("MIME-Version") == null) {
            rewritten.add(Segment.Fixed.of("MIME-Version: 1.0\r\n"));
        }
        out.addAll(rewritten);
        out.add(separator);
        final byte[] body = Arrays.copyOfRange(source, header.bodyStart(), to);
        out.add(new Segment.Fixed(text ? QuotedPrintable.encode(body) : base64(body)));
    }

    private static byte[] base64(final byte[] body) {
        final byte[] encoded = BASE64.encode(body);
        final byte[] withEnd = Arrays.copyOf(encoded, encoded.length + 2);
        withEnd[encoded.length] = '\r';
        withEnd[encoded.length + 1] = '\n';
        return withEnd;
    }

    private static boolean isIdentity(final HeaderBlock.Field field) {
        if (field == null) {
            return true;
        }
        final String value = field.value().strip().toLowerCase(Locale.ROOT);
        return value.isEmpty() || value.equals("7bit") || value.equals("8bit") || value.equals("binary");
    }

}
