package dev.mailpipe.ingest.smtp;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One SMTP reply: a code and one or more text lines. {@link #wire()} renders it with the
 * {@code 250-}/{@code 250 } continuation rule of RFC 5321 §4.2.1.
 */
public record Reply(int code, List<String> lines) {

    public Reply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("reply code out of range: " + code);
        }
        lines = List.copyOf(lines);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a reply needs at least one line");
        }
    }

    public static Reply of(final int code, final String text) {
        return new Reply(code, List.of(text));
    }

    /** 4xx or 5xx. */
    public boolean isError() {
        return code >= 400;
    }

    /** The reply as sent, every line ended by CRLF. */
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

    /** The last line, as a client shows it: {@code 250 recipient <a@b> OK}. */
    @Override
    public String toString() {
        return code + " " + lines.get(lines.size() - 1);
    }
}
