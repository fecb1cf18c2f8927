package dev.mailpipe.ingest.smtp;

import java.util.Arrays;

/**
 * Reads the DATA stream of one message, byte by byte, without I/O: ends only at CRLF.CRLF,
 * removes dot-stuffing (RFC 5321 §4.5.2), and notes a bare CR or bare LF (SMTP smuggling,
 * CVE-2023-51764 class), a line over the length limit, or content over the size limit. A stream
 * over the size limit is still read to its end (so the session stays in sync) but no longer kept.
 *
 * <p>Call {@link #feed} with what arrived until {@link #isDone()}, then {@link #outcome()}.
 */
public final class DataDecoder {

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte DOT = '.';

    private enum State { LINE_START, DOT_AT_START, DOT_CR, IN_LINE, CR_IN_LINE, DONE }

    private final long maxBytes;
    private final int maxLineLength;
    private byte[] buffer = new byte[8192];
    private int size;
    private long total;
    private int lineLength;
    private boolean bareLineEnding;
    private boolean lineTooLong;
    private State state = State.LINE_START;

    /**
     * @param maxBytes      largest message content kept (after unstuffing)
     * @param maxLineLength longest line on the wire, CRLF included
     */
    public DataDecoder(final long maxBytes, final int maxLineLength) {
        this.maxBytes = maxBytes;
        this.maxLineLength = maxLineLength;
    }

    /**
     * Consumes bytes up to and including the terminating CRLF.CRLF.
     *
     * @return how many bytes of {@code data[offset..offset+length)} belong to the message; bytes
     *         after that are the client's next commands (pipelining)
     */
    public int feed(final byte[] data, final int offset, final int length) {
        int i = offset;
        final int end = offset + length;
        while (i < end && state != State.DONE) {
            step(data[i++]);
        }
        return i - offset;
    }

    public boolean isDone() {
        return state == State.DONE;
    }

    /** Bytes of content seen so far (after unstuffing), kept or not. */
    public long contentBytes() {
        return total;
    }

    public DataOutcome outcome() {
        if (state != State.DONE) {
            throw new IllegalStateException("DATA not finished");
        }
        if (bareLineEnding) {
            return new DataOutcome.BareLineEnding();
        }
        if (total > maxBytes) {
            return new DataOutcome.TooLarge(total);
        }
        if (lineTooLong) {
            return new DataOutcome.LineTooLong();
        }
        return new DataOutcome.Complete(Arrays.copyOf(buffer, size));
    }

    private void step(final byte b) {
        if (state != State.DONE && ++lineLength > maxLineLength) {
            lineTooLong = true;
        }
        switch (state) {
            case LINE_START -> {
                if (b == DOT) {
                    state = State.DOT_AT_START;
                } else {
                    inLine(b);
                }
            }
            case DOT_AT_START -> {
                if (b == CR) {
                    state = State.DOT_CR;
                } else {
                    inLine(b); // the stuffed dot is dropped
                }
            }
            case DOT_CR -> {
                if (b == LF) {
                    state = State.DONE;
                } else {
                    bareLineEnding = true;
                    write(CR);
                    inLine(b);
                }
            }
            case IN_LINE -> inLine(b);
            case CR_IN_LINE -> {
                if (b == LF) {
                    write(CR);
                    write(LF);
                    lineLength = 0;
                    state = State.LINE_START;
                } else {
                    bareLineEnding = true;
                    write(CR);
                    inLine(b);
                }
            }
            case DONE -> throw new IllegalStateException("DATA already finished");
        }
    }

    private void inLine(final byte b) {
        if (b == CR) {
            state = State.CR_IN_LINE;
            return;
        }
        if (b == LF) {
            // A bare LF never starts a new line: only CRLF.CRLF ends the message.
            bareLineEnding = true;
        }
        write(b);
        state = State.IN_LINE;
    }

    private void write(final byte b) {
        total++;
        if (total > maxBytes) {
            buffer = null; // over the limit: stop keeping, keep counting
            return;
        }
        if (size == buffer.length) {
            buffer = Arrays.copyOf(buffer, (int) Math.min(Math.max(maxBytes, 1), (long) buffer.length * 2));
        }
        buffer[size++] = b;
    }
}
