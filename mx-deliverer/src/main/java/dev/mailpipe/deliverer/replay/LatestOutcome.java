package dev.mailpipe.deliverer.replay;

import dev.mailpipe.schemas.EventType;

/**
 * What is known of an email after the events seen so far (pure). A replay keeps one per candidate
 * email and folds every later event of that email into it; only the final value decides whether
 * the email is re-sent.
 */
public enum LatestOutcome {
    /** Not a candidate (the table's empty slot). */
    NONE,
    /** It reached the recipient: delivered, or an engagement event that implies it (open, click, ...). */
    SUCCESS,
    /** The last attempt deferred: the deliverer still retries it. */
    RETRYING,
    BOUNCED,
    EXPIRED,
    /** Not sent: the recipient is suppressed. */
    DROPPED;

    private static final LatestOutcome[] VALUES = values();

    /**
     * The outcome after {@code type}. Success is final: an open or click arrives from the web
     * service, possibly on another partition than the deliverer's events, so its order against a
     * later bounce is not known — and once the recipient has the email, sending it again is the
     * one mistake a replay must not make. Types that say nothing about delivery keep the outcome.
     */
    public LatestOutcome after(final EventType type) {
        if (this == SUCCESS) {
            return SUCCESS;
        }
        return switch (type) {
            case delivered, open, click, unsubscribe, spam_report -> SUCCESS;
            case deferred -> RETRYING;
            case bounced -> BOUNCED;
            case expired -> EXPIRED;
            case dropped -> DROPPED;
            case request, invalid, unknown -> this;
        };
    }

    /** Whether an email ending here is re-sent; a retrying one only when asked ({@code --include-retrying}). */
    public boolean replayable(final boolean includeRetrying) {
        return this == BOUNCED || this == EXPIRED || (this == RETRYING && includeRetrying);
    }

    static LatestOutcome ofOrdinal(final int ordinal) {
        return VALUES[ordinal];
    }
}
