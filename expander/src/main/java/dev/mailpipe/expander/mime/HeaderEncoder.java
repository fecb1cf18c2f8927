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
    /** A longer run without spaces cannot be folded under the 998-octet line limit: encode it instead. */
    private static final int MAX_ASCII_WORD = 900;
    /** 75-char encoded-word limit minus "=?UTF-8?B?" and "?=": 63 base64 chars hold 45 bytes (RFC 2047 §2). */
    private static final int MAX_WORD_BYTES = 45;

    private HeaderEncoder() {
    }

    static String field(final String name, final String value) {
        final String clean = sanitize(value);
        final StringBuilder out = new StringBuilder(name.length() + clean.length() + 32).append(name).append(':');
        if (isPrintableAscii(clean) && longestWord(clean) <= MAX_ASCII_WORD) {
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

    private static int longestWord(final String value) {
        int longest = 0;
        int current = 0;
        for (int i = 0; i < value.length(); i++) {
            current = value.charAt(i) == ' ' ? 0 : current + 1;
            longest = Math.max(longest, current);
        }
        return longest;
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
            // bytes whose base64 fits on this line after " =?UTF-8?B?" and "?="
            int room = Math.min(MAX_WORD_BYTES, (FOLD_AT - lineLength - 1 - 12) / 4 * 3);
            if (room < 4) {
                out.append("\r\n");
                lineLength = 0;
                room = MAX_WORD_BYTES;
            }
            int end = i;
            int bytes = 0;
            while (end < value.length()) {
                final int cp = value.codePointAt(end);
                final int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
                if (bytes + size > room) {
                    break;
                }
                bytes += size;
                end += Character.charCount(cp);
            }
            final String word = "=?UTF-8?B?" + EncoderUtil.encodeB(value.substring(i, end).getBytes(StandardCharsets.UTF_8))
                    + "?=";
            out.append(' ').append(word);
            lineLength += 1 + word.length();
            i = end;
        }
    }
}
