package dev.mailpipe.expander.mime;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.apache.james.mime4j.codec.Base64InputStream;
import org.apache.james.mime4j.codec.Base64OutputStream;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.QuotedPrintableInputStream;

/** Content-Transfer-Encodings of text parts, with mime4j's codecs. */
enum TransferEncoding {
    SEVEN_BIT("7bit"), EIGHT_BIT("8bit"), BINARY("binary"), QUOTED_PRINTABLE("quoted-printable"), BASE64("base64");

    /** RFC 5322 line limit without CRLF. */
    static final int MAX_LINE = 998;

    private final String token;

    TransferEncoding(final String token) {
        this.token = token;
    }

    String token() {
        return token;
    }

    /** The encoding named by a Content-Transfer-Encoding value; null when unknown (e.g. x-uuencode). */
    static TransferEncoding of(final String value) {
        if (value == null || value.isBlank()) {
            return SEVEN_BIT;
        }
        for (final TransferEncoding encoding : values()) {
            if (encoding.token.equals(value.strip().toLowerCase(Locale.ROOT))) {
                return encoding;
            }
        }
        return null;
    }

    byte[] decode(final byte[] source, final int from, final int to) {
        final InputStream raw = new ByteArrayInputStream(source, from, to - from);
        return switch (this) {
            case SEVEN_BIT, EIGHT_BIT, BINARY -> java.util.Arrays.copyOfRange(source, from, to);
            case QUOTED_PRINTABLE -> readAll(new QuotedPrintableInputStream(raw, DecodeMonitor.SILENT));
            case BASE64 -> readAll(new Base64InputStream(raw, DecodeMonitor.SILENT));
        };
    }

    byte[] encode(final byte[] bytes) {
        return switch (this) {
            case SEVEN_BIT, EIGHT_BIT, BINARY -> bytes;
            case QUOTED_PRINTABLE -> QuotedPrintable.encode(bytes);
            case BASE64 -> write(bytes, Base64OutputStream::new);
        };
    }

    /** Text in its transfer encoding. */
    record Encoded(TransferEncoding encoding, byte[] bytes) {
    }

    /**
     * Encodes substituted text whose part had {@code original}: in the original encoding when it
     * can carry the new text, otherwise quoted-printable (mostly ASCII) or base64. Base64 whenever
     * the encoded text would contain a line that looks like a boundary of an enclosing multipart,
     * so a substituted value can never end a MIME part early.
     */
    static Encoded encode(final TransferEncoding original, final byte[] text, final List<String> boundaries) {
        final TransferEncoding candidate = switch (original) {
            case BASE64, QUOTED_PRINTABLE -> original;
            case SEVEN_BIT -> isAscii(text) && maxLine(text) <= MAX_LINE ? SEVEN_BIT : dense(text);
            case EIGHT_BIT -> maxLine(text) <= MAX_LINE ? EIGHT_BIT : dense(text);
            case BINARY -> BINARY;
        };
        if (candidate != BASE64) {
            final byte[] encoded = candidate.encode(text);
            if (!hasBoundaryLine(encoded, boundaries)) {
                return new Encoded(candidate, encoded);
            }
        }
        return new Encoded(BASE64, BASE64.encode(text));
    }

    private static TransferEncoding dense(final byte[] text) {
        int high = 0;
        for (final byte b : text) {
            if (b < 0) {
                high++;
            }
        }
        return high * 3 > text.length ? BASE64 : QUOTED_PRINTABLE;
    }

    static boolean isAscii(final byte[] text) {
        for (final byte b : text) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    static int maxLine(final byte[] text) {
        int max = 0;
        int start = 0;
        for (int i = 0; i < text.length; i++) {
            if (text[i] == '\n') {
                final int end = i > start && text[i - 1] == '\r' ? i - 1 : i;
                max = Math.max(max, end - start);
                start = i + 1;
            }
        }
        return Math.max(max, text.length - start);
    }

    static boolean hasBoundaryLine(final byte[] encoded, final List<String> boundaries) {
        if (boundaries.isEmpty()) {
            return false;
        }
        final byte[][] delimiters = new byte[boundaries.size()][];
        for (int b = 0; b < delimiters.length; b++) {
            delimiters[b] = ("--" + boundaries.get(b)).getBytes(StandardCharsets.US_ASCII);
        }
        int lineStart = 0;
        while (lineStart < encoded.length) {
            if (encoded[lineStart] == '-') {
                for (final byte[] delimiter : delimiters) {
                    if (startsWith(encoded, lineStart, delimiter)) {
                        return true;
                    }
                }
            }
            int next = lineStart;
            while (next < encoded.length && encoded[next] != '\n') {
                next++;
            }
            lineStart = next + 1;
        }
        return false;
    }

    private static boolean startsWith(final byte[] data, final int at, final byte[] prefix) {
        if (at + prefix.length > data.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private interface Wrapper {
        OutputStream wrap(OutputStream out) throws IOException;
    }

    private static byte[] write(final byte[] bytes, final Wrapper wrapper) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length * 4 / 3 + 64);
        try (OutputStream encoder = wrapper.wrap(out)) {
            encoder.write(bytes);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] readAll(final InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
