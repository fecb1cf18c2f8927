package dev.mailpipe.webhooks;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Headers of records on the webhook retry and dead-letter topics (UTF-8 text values). */
final class RetryHeaders {

    /** The endpoint the event is for (also the record key). */
    static final String WEBHOOK_ID = "mailpipe.webhook.id";
    /** The attempt the record waits for (2 = first retry). */
    static final String ATTEMPT = "mailpipe.webhook.attempt";
    /** Epoch millis from which it may be posted. */
    static final String DUE_AT = "mailpipe.webhook.due-at";
    /** Why the previous attempt failed. */
    static final String ERROR = "mailpipe.webhook.error";

    private RetryHeaders() {
    }

    static Optional<String> text(final Headers headers, final String name) {
        final Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? Optional.empty()
                : Optional.of(new String(h.value(), StandardCharsets.UTF_8));
    }

    static Optional<Long> number(final Headers headers, final String name) {
        try {
            return text(headers, name).map(String::strip).map(Long::parseLong);
        } catch (final NumberFormatException e) {
            return Optional.empty();
        }
    }

    static byte[] bytes(final Object value) {
        return String.valueOf(value).getBytes(StandardCharsets.UTF_8);
    }
}
