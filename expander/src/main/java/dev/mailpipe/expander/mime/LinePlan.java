package dev.mailpipe.expander.mime;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * Fast path for a text part in a line-local transfer encoding (quoted-printable, 7bit, 8bit):
 * there the encoding of a run of whole lines does not depend on the lines around it, so runs of
 * lines without variables are encoded once per submission and only lines holding a variable are
 * encoded per recipient. A typical template has a handful of such lines in 20 KiB of HTML.
 *
 * <p>{@link #render} returns null whenever a rendering needs more than this (a value the charset
 * cannot hold, a line too long for 7bit/8bit, a boundary-like line): the caller then takes the
 * general path, which produces the same bytes in every case this one handles
 * ({@code LinePlanTest} compares them).
 */
final class LinePlan {

    /** Stateless charsets in which encoding whole lines separately equals encoding them together. */
    private static final Set<Charset> CHARSETS = Set.of(StandardCharsets.UTF_8, StandardCharsets.US_ASCII,
            StandardCharsets.ISO_8859_1);

    private final Object[] pieces; // byte[] = encoded static lines; TextTemplate = lines with variables
    private final Charset charset;
    private final TransferEncoding encoding;
    private final List<String> boundaries;
    private final int staticBytes;

    private LinePlan(final Object[] pieces, final Charset charset, final TransferEncoding encoding,
            final List<String> boundaries, final int staticBytes) {
        this.pieces = pieces;
        this.charset = charset;
        this.encoding = encoding;
        this.boundaries = boundaries;
        this.staticBytes = staticBytes;
    }

    /** A plan for canonical {@code text}, or null when the part does not qualify. */
    static LinePlan of(final String text, final Variables variables, final Charset charset,
            final TransferEncoding encoding, final List<String> boundaries) {
        if (encoding == TransferEncoding.BASE64 || encoding == TransferEncoding.BINARY || variables.isEmpty()
                || !CHARSETS.contains(charset)) {
            return null;
        }
        final List<Integer> lineStarts = new ArrayList<>();
        lineStarts.add(0);
        for (int i = text.indexOf("\r\n"); i >= 0; i = text.indexOf("\r\n", i + 2)) {
            if (i + 2 < text.length()) {
                lineStarts.add(i + 2);
            }
        }
        final boolean[] dynamic = new boolean[lineStarts.size()];
        final Matcher matcher = variables.pattern().matcher(text);
        while (matcher.find()) {
            for (int line = lineOf(lineStarts, matcher.start()); line <= lineOf(lineStarts, matcher.end() - 1); line++) {
                dynamic[line] = true;
            }
        }
        final List<Object> pieces = new ArrayList<>();
        int staticBytes = 0;
        int groupStart = 0;
        for (int line = 1; line <= dynamic.length; line++) {
            if (line == dynamic.length || dynamic[line] != dynamic[groupStart]) {
                final String group = text.substring(lineStarts.get(groupStart),
                        line == dynamic.length ? text.length() : lineStarts.get(line));
                if (dynamic[groupStart]) {
                    pieces.add(TextTemplate.compile(group, variables));
                } else {
                    final byte[] encoded = encodeOrNull(group, charset, encoding, boundaries);
                    if (encoded == null) {
                        return null;
                    }
                    pieces.add(encoded);
                    staticBytes += encoded.length;
                }
                groupStart = line;
            }
        }
        return new LinePlan(pieces.toArray(), charset, encoding, boundaries, staticBytes);
    }

    /** The encoded body for these values, or null when the general path must handle them. */
    byte[] render(final String[] values) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(staticBytes + 1024);
        for (final Object piece : pieces) {
            if (piece instanceof byte[] bytes) {
                out.writeBytes(bytes);
            } else {
                final String text = ((TextTemplate) piece).render(values, TextEntity::canonicalLineBreaks);
                final byte[] encoded = encodeOrNull(text, charset, encoding, boundaries);
                if (encoded == null) {
                    return null;
                }
                out.writeBytes(encoded);
            }
        }
        return out.toByteArray();
    }

    /** Whole lines in the part's charset and encoding, or null when they need the general path. */
    private static byte[] encodeOrNull(final String lines, final Charset charset, final TransferEncoding encoding,
            final List<String> boundaries) {
        if (!charset.equals(StandardCharsets.UTF_8) && !charset.newEncoder().canEncode(lines)) {
            return null;
        }
        final byte[] bytes = lines.getBytes(charset);
        final boolean fits = switch (encoding) {
            case SEVEN_BIT -> TransferEncoding.isAscii(bytes) && TransferEncoding.maxLine(bytes) <= TransferEncoding.MAX_LINE;
            case EIGHT_BIT -> TransferEncoding.maxLine(bytes) <= TransferEncoding.MAX_LINE;
            default -> true;
        };
        if (!fits) {
            return null;
        }
        final byte[] encoded = encoding.encode(bytes);
        return TransferEncoding.hasBoundaryLine(encoded, boundaries) ? null : encoded;
    }

    private static int lineOf(final List<Integer> lineStarts, final int offset) {
        int low = 0;
        int high = lineStarts.size() - 1;
        while (low < high) {
            final int mid = (low + high + 1) >>> 1;
            if (lineStarts.get(mid) <= offset) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return low;
    }
}
