package dev.mailpipe.deliverer;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Record headers that carry an email's retry state between attempts (decimal ASCII values), named
 * by the convention of {@link dev.mailpipe.schemas.DeadLetterHeaders}; why a record was given up on
 * is {@code DeadLetterHeaders.REASON}.
 */
public final class RetryHeaders {

    /** The attempt the record is for, 1-based (absent on mail.outbound: 1). */
    public static final String ATTEMPT = "mailpipe.retry.attempt";
    /** Epoch millis of the first attempt. */
    public static final String FIRST_ATTEMPT = "mailpipe.retry.first-attempt";
    /** Epoch millis before which the record must not be attempted. */
    public static final String DUE_AT = "mailpipe.retry.due-at";
    /** The MX host of the attempt that deferred (UTF-8; absent when no host was reached). */
    public static final String MX_HOST = "mailpipe.retry.mx-host";
    /** The reply of the attempt that deferred, e.g. {@code 451 4.7.1 greylisted} (UTF-8). */
    public static final String LAST_ERROR = "mailpipe.retry.last-error";

    /**
     * The names before 0.1 settled on one convention. Records written by an older deliverer may still
     * wait in the retry topics after an upgrade; they are read (never written) under these names.
     */
    static final Map<String, String> LEGACY = Map.of(ATTEMPT, "mailpipe-attempt",
            FIRST_ATTEMPT, "mailpipe-first-attempt", DUE_AT, "mailpipe-due-at");

    private RetryHeaders() {
    }

    /** A decimal header (the current name, else its legacy one); empty when absent or not a number. */
    public static OptionalLong get(final Headers headers, final String name) {
        Header h = headers.lastHeader(name);
        if (h == null && LEGACY.containsKey(name)) {
            h = headers.lastHeader(LEGACY.get(name));
        }
        if (h == null || h.value() == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(new String(h.value(), StandardCharsets.US_ASCII).strip()));
        } catch (final NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** A text header (UTF-8); empty when absent. */
    public static Optional<String> text(final Headers headers, final String name) {
        final Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? Optional.empty()
                : Optional.of(new String(h.value(), StandardCharsets.UTF_8));
    }

    static void put(final Headers headers, final String name, final long value) {
        headers.remove(name);
        headers.add(name, Long.toString(value).getBytes(StandardCharsets.US_ASCII));
    }

    static void put(final Headers headers, final String name, final String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
