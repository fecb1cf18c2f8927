package dev.mailpipe.core.smtp;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SMTP reply (RFC 5321 §4.2): a three-digit code and one or more text lines, the first of
 * which may start with an RFC 3463 enhanced status code. The one reply value of mailpipe: ingest
 * sends it ({@link #wire()}), the deliverer and the tests read it ({@link ReplyParser}).
 *
 * @param lines the text of each line, without the {@code 250-} / {@code 250 } prefix
 */
public record SmtpReply(int code, List<String> lines) {

    // Named reply codes (RFC 5321 §4.2.2, §4.2.3), for the code that branches on them.
    public static final int SYSTEM_STATUS_HELP = 214;
    public static final int SERVICE_READY = 220;
    public static final int SERVICE_CLOSING_CHANNEL = 221;
    public static final int AUTHENTICATION_SUCCEEDED = 235;
    public static final int OK = 250;
    public static final int CANNOT_VRFY = 252;
    public static final int AUTH_CONTINUE = 334;
    public static final int START_MAIL_INPUT = 354;
    public static final int SERVICE_NOT_AVAILABLE = 421;
    public static final int LOCAL_ERROR = 451;
    public static final int INSUFFICIENT_STORAGE = 452;
    public static final int TEMPORARY_FAILURE = 454;
    public static final int SYNTAX_ERROR = 500;
    public static final int SYNTAX_ERROR_IN_PARAMETERS = 501;
    public static final int NOT_IMPLEMENTED = 502;
    public static final int BAD_SEQUENCE = 503;
    public static final int PARAMETER_NOT_IMPLEMENTED = 504;
    public static final int AUTHENTICATION_REQUIRED = 530;
    public static final int AUTHENTICATION_FAILED = 535;
    public static final int MAILBOX_UNAVAILABLE = 550;
    public static final int EXCEEDED_STORAGE = 552;
    public static final int MAILBOX_NAME_NOT_ALLOWED = 553;
    public static final int TRANSACTION_FAILED = 554;
    public static final int PARAMETERS_NOT_RECOGNIZED = 555;

    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?:\\s+|$)");

    public SmtpReply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("reply code out of range: " + code);
        }
        lines = List.copyOf(lines);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a reply needs at least one line");
        }
    }

    public static SmtpReply of(final int code, final List<String> lines) {
        return new SmtpReply(code, lines);
    }

    public static SmtpReply of(final int code, final String text) {
        return new SmtpReply(code, List.of(text));
    }

    /** A reply mailpipe gives itself (e.g. for a local failure), with its enhanced status code (or null). */
    public static SmtpReply of(final int code, final String enhancedStatus, final String text) {
        final List<String> lines = List.of(text.split("\n", -1));
        if (enhancedStatus == null) {
            return new SmtpReply(code, lines);
        }
        final List<String> prefixed = new java.util.ArrayList<>(lines.size());
        for (final String line : lines) {
            prefixed.add(enhancedStatus + " " + line);
        }
        return new SmtpReply(code, prefixed);
    }

    /** The RFC 3463 code of the first line when its class matches the reply's ({@code 5.1.1}), or null. */
    public String enhancedStatus() {
        final Matcher m = ENHANCED.matcher(lines.get(0));
        return m.find() && m.group(1).charAt(0) - '0' == code / 100
                ? m.group(1) + "." + m.group(2) + "." + m.group(3) : null;
    }

    /** The lines without the enhanced status code, joined by {@code \n}. */
    public String text() {
        final boolean strip = enhancedStatus() != null;
        final StringBuilder text = new StringBuilder();
        for (final String line : lines) {
            final Matcher m = ENHANCED.matcher(line);
            if (!text.isEmpty()) {
                text.append('\n');
            }
            text.append(strip && m.find() ? line.substring(m.end()) : line);
        }
        return text.toString();
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
        return code >= 500;
    }

    /** 4xx or 5xx. */
    public boolean isError() {
        return code >= 400;
    }

    /** The reply as sent, every line ended by CRLF, {@code 250-} before all but the last (§4.2.1). */
    public String wire() {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            out.append(code).append(i == lines.size() - 1 ? ' ' : '-').append(lines.get(i)).append("\r\n");
        }
        return out.toString();
    }

    public byte[] wireBytes() {
        return wire().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The reply on one line, as logs and delivery events show it: code, enhanced status code once,
     * then the texts ({@code 550 5.1.1 <x@y>: user unknown}).
     */
    @Override
    public String toString() {
        final String enhanced = enhancedStatus();
        return code + (enhanced == null ? "" : " " + enhanced) + " " + text().replace('\n', ' ');
    }
}
