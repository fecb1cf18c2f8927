package dev.mailpipe.deliverer.queue;

import java.time.Instant;
import java.util.List;

/**
 * What {@link QueueSource} read at {@code readAt}: the retry topics (stage order), the emails
 * deferred now (beyond the deliverer group's committed offsets) counted into their {@code shape},
 * and the lag of every consumer group. {@code undecodable} counts retry records that are not an
 * {@code OutboundEmail}.
 */
public record QueueSnapshot(Instant readAt, String delivererGroup, List<String> retryTopics,
        QueueShape shape, long undecodable, List<GroupLag> lags) {

    public QueueSnapshot {
        retryTopics = List.copyOf(retryTopics);
        lags = List.copyOf(lags);
    }

    /** A snapshot of a few emails listed one by one. */
    public QueueSnapshot(final Instant readAt, final String delivererGroup, final List<String> retryTopics,
            final List<DeferredEmail> deferred, final long undecodable, final List<GroupLag> lags) {
        this(readAt, delivererGroup, retryTopics, QueueShape.of(retryTopics, deferred), undecodable, lags);
    }
}
