package dev.mailpipe.deliverer.smtp;

import dev.mailpipe.core.smtp.SmtpReply;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A server script instead of a socket: each read returns the next scripted reply (raw wire text,
 * e.g. "250-a\r\n250 b\r\n"); "TIMEOUT" throws a socket timeout. Records what the client wrote,
 * split into flushes, so PIPELINING is visible.
 */
final class ScriptedTransport implements SmtpTransport {

    static final String TIMEOUT = "TIMEOUT";

    private final Deque<String> replies;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final List<String> flushes = new ArrayList<>();
    private final List<Duration> readTimeouts = new ArrayList<>();
    private boolean tls;
    private boolean closed;

    ScriptedTransport(final String... replies) {
        this.replies = new ArrayDeque<>(List.of(replies));
    }

    @Override
    public void write(final byte[] bytes) {
        pending.writeBytes(bytes);
    }

    @Override
    public void flush() {
        if (pending.size() > 0) {
            flushes.add(pending.toString(StandardCharsets.UTF_8));
            pending.reset();
        }
    }

    @Override
    public SmtpReply read(final Duration timeout) throws IOException {
        readTimeouts.add(timeout);
        final String next = replies.pollFirst();
        if (next == null) {
            throw new IllegalStateException("script exhausted; client wrote " + flushes);
        }
        if (next.equals(TIMEOUT)) {
            throw new SocketTimeoutException("Read timed out");
        }
        return new ReplyReader(new ByteArrayInputStream(next.getBytes(StandardCharsets.UTF_8))).read();
    }

    @Override
    public void startTls() {
        tls = true;
    }

    @Override
    public boolean tlsActive() {
        return tls;
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Every flush, in order. */
    List<String> flushes() {
        return flushes;
    }

    /** Every command line the client sent (DATA content excluded when it ends with CRLF.CRLF). */
    List<String> commands() {
        final List<String> lines = new ArrayList<>();
        for (final String flush : flushes) {
            if (flush.endsWith("\r\n.\r\n") && !flush.startsWith("MAIL") || flush.equals(".\r\n")) {
                lines.add("<data>");
                continue;
            }
            for (final String line : flush.split("\r\n")) {
                lines.add(line);
            }
        }
        return lines;
    }

    List<Duration> readTimeouts() {
        return readTimeouts;
    }

    boolean closed() {
        return closed;
    }
}
