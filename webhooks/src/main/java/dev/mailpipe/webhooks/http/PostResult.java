package dev.mailpipe.webhooks.http;

/** What became of one POST: the receiver's status, or why there was none. */
public sealed interface PostResult {

    /** The receiver answered with {@code status}; only 2xx counts as received. */
    record Answered(int status) implements PostResult {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /** No answer in time, no connection, or a broken response. */
    record Failed(String reason) implements PostResult {
    }

    /** The URL resolves to an address the network policy refuses; nothing was sent. */
    record Refused(String reason) implements PostResult {
    }

    default boolean ok() {
        return this instanceof Answered a && a.ok();
    }

    default String describe() {
        return switch (this) {
            case Answered a -> "HTTP " + a.status();
            case Failed f -> f.reason();
            case Refused r -> r.reason();
        };
    }
}
