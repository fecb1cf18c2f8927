package dev.mailpipe.ingest.limits;

import java.time.Duration;

/**
 * How long the rest of one read phase may take, as opposed to a socket timeout, which only bounds
 * each single read: one byte every few seconds ("slowloris") never trips a per-read timeout.
 *
 * <ul>
 *   <li>A command line must be complete within a fixed time from when the server starts waiting
 *       for it ({@link #forLine}).</li>
 *   <li>DATA must end within a base time plus the time the bytes received so far would take at the
 *       minimum rate ({@link #forData}): a large message sent at a reasonable rate always fits, a
 *       trickle does not.</li>
 * </ul>
 * Pure: times are {@link System#nanoTime()} values passed in. Not thread-safe (one connection).
 */
public final class ReadDeadline {

    private final long start;
    private final long baseNanos;
    private final long minBytesPerSecond;
    private long received;

    private ReadDeadline(final long start, final Duration base, final long minBytesPerSecond) {
        this.start = start;
        this.baseNanos = base.toNanos();
        this.minBytesPerSecond = minBytesPerSecond;
    }

    /** The whole line within {@code limit} of {@code now}. */
    public static ReadDeadline forLine(final long now, final Duration limit) {
        return new ReadDeadline(now, limit, 0);
    }

    /** DATA within {@code base} plus received bytes / {@code minBytesPerSecond} (0: no allowance for size). */
    public static ReadDeadline forData(final long now, final Duration base, final long minBytesPerSecond) {
        return new ReadDeadline(now, base, minBytesPerSecond);
    }

    /** {@code bytes} more arrived. */
    public void received(final long bytes) {
        received += bytes;
    }

    /** Nanoseconds left at {@code now}; zero or less: the deadline has passed. */
    public long remainingNanos(final long now) {
        long allowed = baseNanos;
        if (minBytesPerSecond > 0) {
            allowed += (long) ((double) received / minBytesPerSecond * 1_000_000_000L);
        }
        return start + allowed - now;
    }

    /**
     * The socket timeout for the next read: the smaller of the per-read {@code idleMillis} and what
     * is left (at least 1 ms; check {@link #remainingNanos} first).
     */
    public int nextReadTimeoutMillis(final long now, final int idleMillis) {
        final long leftMillis = Math.max(1, remainingNanos(now) / 1_000_000L);
        return (int) Math.min(idleMillis, leftMillis);
    }
}
