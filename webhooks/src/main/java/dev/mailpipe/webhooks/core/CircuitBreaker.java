package dev.mailpipe.webhooks.core;

/**
 * One endpoint's circuit: after {@code failures} failed posts in a row it opens and refuses posts
 * for {@code openMillis}; then one trial post is let through (half-open): success closes it, failure
 * opens it again. Thread-safe; the clock is passed in, so it is tested without waiting.
 */
public final class CircuitBreaker {

    /** closed: posts go out; open: refused until the cool-down ends; half-open: one trial is out. */
    public enum State { CLOSED, OPEN, HALF_OPEN }

    private final int failures;
    private final long openMillis;
    private int consecutiveFailures;
    private State state = State.CLOSED;
    private long openUntil;

    public CircuitBreaker(final int failures, final long openMillis) {
        this.failures = failures;
        this.openMillis = openMillis;
    }

    /** May a post go out at {@code now}? In half-open state only the first caller gets true. */
    public synchronized boolean tryAcquire(final long now) {
        return switch (state) {
            case CLOSED -> true;
            case HALF_OPEN -> false;
            case OPEN -> {
                if (now < openUntil) {
                    yield false;
                }
                state = State.HALF_OPEN;
                yield true;
            }
        };
    }

    public synchronized void succeeded() {
        consecutiveFailures = 0;
        state = State.CLOSED;
    }

    public synchronized void failed(final long now) {
        consecutiveFailures++;
        if (state == State.HALF_OPEN || consecutiveFailures >= failures) {
            state = State.OPEN;
            openUntil = now + openMillis;
        }
    }

    public synchronized State state() {
        return state;
    }
}
