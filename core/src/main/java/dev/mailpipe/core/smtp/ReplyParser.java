package dev.mailpipe.core.smtp;

import java.util.ArrayList;
import java.util.List;

/**
 * The one SMTP reply parser (RFC 5321 §4.2): feed it reply lines (without their line break) one
 * at a time; it returns the reply when its last line ({@code 250 } rather than {@code 250-})
 * arrives. Pure: the caller reads the lines. Malformed input is a {@link MalformedReplyException}.
 * Not thread-safe; reusable after each complete reply.
 */
public final class ReplyParser {

    /** Lines per reply at most (an EHLO reply has a dozen; be generous but bounded). */
    public static final int MAX_LINES = 256;

    private final List<String> texts = new ArrayList<>();
    private int code = -1;

    /** The line is not part of a well-formed reply. */
    public static final class MalformedReplyException extends IllegalArgumentException {
        public MalformedReplyException(final String message) {
            super(message);
        }
    }

    /** @return the complete reply, or null when more lines belong to it */
    public SmtpReply line(final String line) {
        if (line.length() < 3 || !isDigit(line.charAt(0)) || !isDigit(line.charAt(1)) || !isDigit(line.charAt(2))
                || line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-') {
            reset();
            throw new MalformedReplyException("malformed reply line: '" + abbreviate(line) + "'");
        }
        final int lineCode = Integer.parseInt(line.substring(0, 3));
        if (lineCode < 200 || lineCode > 599) {
            reset();
            throw new MalformedReplyException("reply code out of range: '" + abbreviate(line) + "'");
        }
        if (code == -1) {
            code = lineCode;
        } else if (lineCode != code) {
            reset();
            throw new MalformedReplyException("reply code changed within a reply: '" + abbreviate(line) + "'");
        }
        texts.add(line.length() > 4 ? line.substring(4) : "");
        if (line.length() > 3 && line.charAt(3) == '-') {
            if (texts.size() >= MAX_LINES) {
                reset();
                throw new MalformedReplyException("reply longer than " + MAX_LINES + " lines");
            }
            return null;
        }
        final SmtpReply reply = new SmtpReply(code, texts);
        reset();
        return reply;
    }

    /** Parses complete replies from text (CRLF or LF line ends), e.g. what a server sent. */
    public static List<SmtpReply> parseAll(final String text) {
        final ReplyParser parser = new ReplyParser();
        final List<SmtpReply> replies = new ArrayList<>();
        for (final String line : text.split("\r?\n")) {
            if (line.isEmpty()) {
                continue;
            }
            final SmtpReply reply = parser.line(line);
            if (reply != null) {
                replies.add(reply);
            }
        }
        if (parser.code != -1) {
            throw new MalformedReplyException("incomplete reply at the end");
        }
        return replies;
    }

    private void reset() {
        texts.clear();
        code = -1;
    }

    private static boolean isDigit(final char c) {
        return c >= '0' && c <= '9';
    }

    private static String abbreviate(final String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
