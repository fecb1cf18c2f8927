package dev.mailpipe.embedded;

import dev.mailpipe.platform.Durations;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Where {@code ./mailpipe events} starts reading each partition. */
sealed interface StartPosition {

    /** The first retained record. */
    record Beginning() implements StartPosition {
    }

    /** The end offsets at start: only events written from now on. */
    record End() implements StartPosition {
    }

    /** The first record whose timestamp is at or after {@code since} (Kafka's offsetsForTimes). */
    record Since(Instant since) implements StartPosition {
    }

    /**
     * Parses {@code --since}: an ISO-8601 instant ({@code 2026-11-23T08:00:00Z}) or a duration
     * before {@code now} ({@code 30m}, {@code 1h}, {@code 7d}).
     *
     * @throws IllegalArgumentException with a message for the user
     */
    static Since since(final String literal, final Instant now) {
        final String text = literal.strip();
        if (!text.isEmpty() && Character.isDigit(text.charAt(0)) && !text.contains("T")) {
            return new Since(now.minus(Durations.parse(text)));
        }
        try {
            return new Since(Instant.parse(text));
        } catch (final DateTimeParseException e) {
            throw new IllegalArgumentException("not an ISO-8601 instant like 2026-11-23T08:00:00Z"
                    + " or a duration like 30m, 1h or 7d: '" + literal + "'", e);
        }
    }
}
