package dev.mailpipe.core.mail;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decodes RFC 2047 encoded words ({@code =?utf-8?B?...?=}, {@code =?iso-8859-1?Q?...?=}) in an
 * unstructured header value; white space between two adjacent encoded words goes (§6.2). A word
 * that does not decode (unknown charset, bad base64) stays as it is. Pure.
 */
public final class EncodedWords {

    private static final Pattern WORD = Pattern.compile("=\\?([^?\\s*]+)(?:\\*[^?\\s]*)?\\?([BbQq])\\?([^?\\s]*)\\?=");
    private static final Pattern GAP = Pattern.compile("(\\?=)[ \\t\\r\\n]+(=\\?)");

    private EncodedWords() {
    }

    public static boolean hasEncodedWords(final String value) {
        return value.contains("=?") && WORD.matcher(value).find();
    }

    public static String decode(final String value) {
        if (!value.contains("=?")) {
            return value;
        }
        final String joined = GAP.matcher(value).replaceAll("$1$2");
        final Matcher m = WORD.matcher(joined);
        final StringBuilder out = new StringBuilder(joined.length());
        while (m.find()) {
            final String decoded = word(m.group(1), m.group(2), m.group(3));
            m.appendReplacement(out, Matcher.quoteReplacement(decoded == null ? m.group() : decoded));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String word(final String charsetName, final String encoding, final String text) {
        final Charset charset;
        try {
            charset = Charset.forName(charsetName);
        } catch (final IllegalArgumentException e) {
            return null;
        }
        try {
            final byte[] bytes = encoding.equalsIgnoreCase("B") ? Base64.getDecoder().decode(text) : q(text);
            return bytes == null ? null : new String(bytes, charset);
        } catch (final IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] q(final String text) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (c == '_') {
                out.write(' ');
            } else if (c == '=') {
                if (i + 2 >= text.length()) {
                    return null;
                }
                final int hi = Character.digit(text.charAt(i + 1), 16);
                final int lo = Character.digit(text.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }
}
