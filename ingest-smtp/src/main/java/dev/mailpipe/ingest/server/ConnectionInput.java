package dev.mailpipe.ingest.server;

import dev.mailpipe.ingest.limits.ReadDeadline;
import dev.mailpipe.ingest.smtp.DataDecoder;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * The connection's input buffer, shared by command lines and DATA so that pipelined bytes are
 * never lost between the two, and can be thrown away at STARTTLS.
 */
final class ConnectionInput {

    /** A command line, or null with {@code tooLong} when the line exceeded the limit. */
    record Line(String text, boolean tooLong) {
    }

    /** Sets the socket's read timeout before a read. */
    @FunctionalInterface
    interface ReadTimeout {
        void set(int millis) throws IOException;
    }

    private InputStream stream;
    private ReadDeadline deadline;
    private int idleMillis;
    private ReadTimeout readTimeout;
    private final byte[] buffer = new byte[16 * 1024]; // per connection: keep small, connections are many
    private int position;
    private int limit;

    ConnectionInput(final InputStream stream) {
        this.stream = stream;
    }

    /**
     * Bounds the reads that follow by {@code deadline} as well as by the per-read
     * {@code idleMillis}; {@code null} removes the bound. A read past the deadline fails with
     * {@link SocketTimeoutException}.
     */
    void deadline(final ReadDeadline deadline, final int idleMillis, final ReadTimeout readTimeout) {
        this.deadline = deadline;
        this.idleMillis = idleMillis;
        this.readTimeout = readTimeout;
    }

    /** True when input is already waiting (pipelined): replies can be held back until it is handled. */
    boolean hasPending() throws IOException {
        return position < limit || stream.available() > 0;
    }

    /** Reads one line ending in LF (a preceding CR is dropped); null at end of stream. */
    Line readLine(final int maxLength) throws IOException {
        final ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        boolean tooLong = false;
        while (true) {
            if (position == limit && !fill()) {
                if (line.size() == 0 && !tooLong) {
                    return null;
                }
                throw new EOFException("connection closed in the middle of a line");
            }
            int i = position;
            while (i < limit && buffer[i] != '\n') {
                i++;
            }
            final boolean found = i < limit;
            if (!tooLong) {
                line.write(buffer, position, i - position);
                if (line.size() + (found ? 1 : 0) > maxLength) {
                    tooLong = true;
                    line.reset();
                }
            }
            position = found ? i + 1 : i;
            if (found) {
                if (tooLong) {
                    return new Line(null, true);
                }
                final byte[] bytes = line.toByteArray();
                final int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new Line(new String(bytes, 0, length, StandardCharsets.UTF_8), false);
            }
        }
    }

    /** Feeds the decoder until the message ended; bytes after the end stay buffered. */
    void readData(final DataDecoder decoder) throws IOException {
        while (!decoder.isDone()) {
            if (position == limit && !fill()) {
                throw new EOFException("connection closed during DATA");
            }
            position += decoder.feed(buffer, position, limit - position);
        }
    }

    /** Drops buffered plaintext and continues on {@code upgraded} (RFC 3207 §4.2, CVE-2011-0411). */
    void switchTo(final InputStream upgraded) {
        position = 0;
        limit = 0;
        stream = upgraded;
    }

    private boolean fill() throws IOException {
        if (deadline != null) {
            final long now = System.nanoTime();
            if (deadline.remainingNanos(now) <= 0) {
                throw new SocketTimeoutException("read deadline passed");
            }
            readTimeout.set(deadline.nextReadTimeoutMillis(now, idleMillis));
        }
        final int n = stream.read(buffer, 0, buffer.length);
        if (deadline != null && n > 0) {
            deadline.received(n);
        }
        if (n <= 0) {
            return false;
        }
        position = 0;
        limit = n;
        return true;
    }
}
