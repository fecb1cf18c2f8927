package dev.mailpipe.expander.mime;

import java.nio.charset.StandardCharsets;
import org.apache.james.mime4j.codec.EncoderUtil;

/**
 * Writes an unstructured header field whose value came from substitution. Injection-safe: every
 * CR, LF and other control character in the value becomes a space, so a value can never end the
 * field and start another. Non-ASCII text becomes RFC 2047 encoded words (UTF-8, B encoding),
 * folded so no line exceeds 78 characters.
 */
final class HeaderEncoder {

    private static final int FOLD_AT = 78;
    /** 75-char encoded-word limit minus "=?UTF-8?B?" and "?=": 63 base64 chars hold 45 bytes (RFC 2047 §2). */
    private static final int MAX_WORD_BYTES = 45;

    private HeaderEncoder() {
    }

    static String field(final String name, final String value) {
        final String clean = sanitize(value);
        final StringBuilder out = new StringBuilder(name.length() + clean.length() + 32).append(name).append(':');
        if (isPrintableAscii(clean)) {
            foldAscii(out, clean, name.length() + 1);
        } else {
            encodedWords(out, clean, name.length() + 1);
        }
        return out.append("\r\n").toString();
    }

    /** Controls (CR and LF above all) become spaces; TAB stays. */
    static String sanitize(final String value) {
        final StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            out.append(c == '\t' || c >= ' ' && c != 0x7f ? c : ' ');
        }
        return out.toString().strip();
    }

    private static boolean isPrintableAscii(final String value) {
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            if (c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static void foldAscii(final StringBuilder out, final String value, final int used) {
        int lineLength = used;
        for (final String word : value.split(" ", -1)) {
            if (lineLength + 1 + word.length() > FOLD_AT && lineLength > used) {
                out.append("\r\n");
                lineLength = 0;
            }
            out.append(' ').append(word);
            lineLength += 1 + word.length();
        }
    }

    private static void encodedWords(final StringBuilder out, final String value, final int used) {
        int lineLength = used;
        int i = 0;
        while (i < value.length()) {
            int end = i;
            int bytes = 0;
            while (end < value.length()) {
                final int cp = value.codePointAt(end);
                final int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
                if (bytes + size > MAX_WORD_BYTES) {
                    break;
                }
                bytes += size;
                end += Character.charCount(cp);
            }
            final String word = "=?UTF-8?B?" + EncoderUtil.encodeB(value.substring(i, end).getBytes(StandardCharsets.UTF_8))
                    + "?=";
            if (lineLength + 1 + word.length() > FOLD_AT && lineLength > used) {
                out.append("\r\n");
                lineLength = 0;
            }
            out.append(' ').append(word);
            lineLength += 1 + word.length();
            i = end;
        }
    }
}
