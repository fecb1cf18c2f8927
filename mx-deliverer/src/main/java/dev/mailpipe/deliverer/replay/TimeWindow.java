package dev.mailpipe.deliverer.replay;

import dev.mailpipe.platform.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * A half-open window of record timestamps, {@code [since, until)}. Bounds are given as ISO-8601
 * instants ({@code 2026-11-23T08:00:00Z}) or as durations before now ({@code 2h}, {@code 30m}).
 */
public record TimeWindow(Instant since, Instant until) {

    public TimeWindow {
        if (!until.isAfter(since)) {
            throw new IllegalArgumentException("--until (" + until + ") must be after --since (" + since + ")");
        }
    }

    /**
     * Parses the two bounds relative to {@code now}; {@code until} null means now.
     *
     * @throws IllegalArgumentException naming the option when a bound cannot be parsed or the
     *                                  window is empty
     */
    public static TimeWindow parse(final String since, final String until, final Instant clockNow) {
        final Instant now = clockNow.truncatedTo(ChronoUnit.MILLIS); // record timestamps are millis
        final Instant start = bound("--since", since, now);
        final Instant end = until == null ? now : bound("--until", until, now);
        return new TimeWindow(start, end);
    }

    static Instant bound(final String option, final String literal, final Instant now) {
        final String text = literal.strip();
        if (!text.isEmpty() && Character.isDigit(text.charAt(0)) && !text.contains("T")) {
            try {
                return now.minus(Durations.parse(text));
            } catch (final IllegalArgumentException e) {
                throw new IllegalArgumentException(option + ": " + e.getMessage()
                        + " or an ISO-8601 instant like 2026-11-23T08:00:00Z", e);
            }
        }
        try {
            return Instant.parse(text);
        } catch (final DateTimeParseException e) {
            throw new IllegalArgumentException(option + ": not an ISO-8601 instant like 2026-11-23T08:00:00Z"
                    + " or a duration like 30m, 2h or 7d: '" + literal + "'", e);
        }
    }

    /** Whether a record timestamp (epoch millis) lies in the window. */
    public boolean contains(final long timestampMillis) {
        return timestampMillis >= since.toEpochMilli() && timestampMillis < until.toEpochMilli();
    }

    /** The window start moved back by {@code lookback}, as epoch millis, never below 0. */
    public long startMinus(final Duration lookback) {
        return Math.max(0, since.minus(lookback).toEpochMilli());
    }
}
