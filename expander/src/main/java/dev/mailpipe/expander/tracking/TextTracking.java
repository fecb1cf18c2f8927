package dev.mailpipe.expander.tracking;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tracking for one text/plain part. Pure. Plain text has no markup, so a link is what mail
 * clients turn into one: {@code http://} or {@code https://} up to white space or {@code <>"},
 * without trailing sentence punctuation or an unbalanced closing parenthesis.
 */
public final class TextTracking {

    private static final Pattern URL = Pattern.compile("(?i)\\bhttps?://[^\\s<>\"]+");
    private static final String TRAILING = ".,;:!?'";

    private TextTracking() {
    }

    public static String rewrite(final String original, final TrackingOptions options, final Links links) {
        String text = original;
        if (options.unsubscribe() && text.contains(TrackingOptions.PLACEHOLDER)) {
            text = text.replace(TrackingOptions.PLACEHOLDER, links.unsubscribe());
        }
        if (options.click() && options.plainTextLinks()) {
            text = rewriteLinks(text, links);
        }
        if (options.unsubscribe() && options.footers()) {
            final StringBuilder out = new StringBuilder(text);
            if (!text.isEmpty() && !text.endsWith("\n")) {
                out.append("\r\n");
            }
            out.append("\r\n").append(options.footerText()).append(": ").append(links.unsubscribe()).append("\r\n");
            text = out.toString();
        }
        return text;
    }

    private static String rewriteLinks(final String text, final Links links) {
        final Matcher m = URL.matcher(text);
        StringBuilder out = null;
        int copied = 0;
        while (m.find()) {
            final String url = trim(m.group());
            if (url.startsWith(links.base()) || url.toLowerCase(Locale.ROOT).matches("https?://")) {
                continue;
            }
            final String tracked = links.click(url);
            if (tracked == null) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length() + 256);
            }
            out.append(text, copied, m.start()).append(tracked);
            copied = m.start() + url.length();
        }
        return out == null ? text : out.append(text, copied, text.length()).toString();
    }

    /** {@code https://x.test/a).} → {@code https://x.test/a} unless the parenthesis opened inside the URL. */
    static String trim(final String url) {
        int end = url.length();
        while (end > 0) {
            final char c = url.charAt(end - 1);
            if (TRAILING.indexOf(c) >= 0) {
                end--;
            } else if (c == ')' && count(url, '(', end) < count(url, ')', end)) {
                end--;
            } else {
                break;
            }
        }
        return url.substring(0, end);
    }

    private static int count(final String s, final char c, final int end) {
        int n = 0;
        for (int i = 0; i < end; i++) {
            if (s.charAt(i) == c) {
                n++;
            }
        }
        return n;
    }
}
