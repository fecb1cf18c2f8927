package dev.mailpipe.ingest.smtp;

/** What the DATA stream of one message turned out to be. */
public sealed interface DataOutcome {

    /** A well-formed message, dot-unstuffed, CRLF line ends. */
    record Complete(byte[] content) implements DataOutcome {
    }

    /** Content over the size limit; it was read to its end and discarded. */
    record TooLarge(long bytes) implements DataOutcome {
    }

    /** A CR or LF not part of a CRLF pair. */
    record BareLineEnding() implements DataOutcome {
    }

    /** A line longer than the limit (RFC 5321 §4.5.3.1.6). */
    record LineTooLong() implements DataOutcome {
    }
}
