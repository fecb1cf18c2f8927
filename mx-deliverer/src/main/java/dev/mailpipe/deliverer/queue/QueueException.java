package dev.mailpipe.deliverer.queue;

/** Kafka could not be read for {@code ./mailpipe queue}; the message says why. */
public final class QueueException extends RuntimeException {

    public QueueException(final String message) {
        super(message);
    }

    public QueueException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
