package dev.mailpipe.deliverer.smtp;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A (possibly multi-line) SMTP reply: basic code, the RFC 3463 enhanced status code when the
 * server gave one (or when mailpipe synthesised the reply for a local failure), and the text.
 */
public record SmtpReply(int code, String enhancedStatus, String text) {

    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?:\\s+|$)");

    /** Builds a reply from its lines' texts (without the {@code 250-} prefixes). */
    public static SmtpReply of(final int code, final List<String> lines) {
        final String first = lines.isEmpty() ? "" : lines.get(0);
        final Matcher m = ENHANCED.matcher(first);
        String enhanced = null;
        if (m.find() && m.group(1).charAt(0) - '0' == code / 100) {
            enhanced = m.group(1) + "." + m.group(2) + "." + m.group(3);
        }
        final StringBuilder text = new StringBuilder();
        for (final String line : lines) {
            final Matcher lm = ENHANCED.matcher(line);
            final String stripped = enhanced != null && lm.find() ? line.substring(lm.end()) : line;
            if (!text.isEmpty()) {
                text.append('\n');
            }
            text.append(stripped);
        }
        return new SmtpReply(code, enhanced, text.toString());
    }

    public boolean positive() {
        return code >= 200 && code < 300;
    }

    public boolean intermediate() {
        return code >= 300 && code < 400;
    }

    public boolean transientNegative() {
        return code >= 400 && code < 500;
    }

    public boolean permanentNegative() {
        return code >= 500 && code < 600;
    }

    /** The text lines, e.g. EHLO keywords. */
    public List<String> lines() {
        return List.of(text.split("\n", -1));
    }

    @Override
    public String toString() {
        return code + (enhancedStatus == null ? "" : " " + enhancedStatus) + " " + text.replace('\n', ' ');
    }
}
