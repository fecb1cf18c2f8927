package dev.mailpipe.deliverer.replay;

/** A replay could not read or write Kafka as it needs to (missing topic, stalled scan, failed send). */
public final class ReplayException extends RuntimeException {

    public ReplayException(final String message) {
        super(message);
    }

    public ReplayException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
