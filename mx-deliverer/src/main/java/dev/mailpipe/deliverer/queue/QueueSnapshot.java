package dev.mailpipe.deliverer.queue;

import java.time.Instant;
import java.util.List;

/**
 * What {@link QueueSource} read at {@code readAt}: the retry topics (stage order), the emails
 * deferred now (beyond the deliverer group's committed offsets), and the lag of every consumer group.
 * {@code undecodable} counts retry records that are not an {@code OutboundEmail}.
 */
public record QueueSnapshot(Instant readAt, String delivererGroup, List<String> retryTopics,
        List<DeferredEmail> deferred, long undecodable, List<GroupLag> lags) {

    public QueueSnapshot {
        retryTopics = List.copyOf(retryTopics);
        deferred = List.copyOf(deferred);
        lags = List.copyOf(lags);
    }
}
