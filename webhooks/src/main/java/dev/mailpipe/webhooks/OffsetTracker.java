package dev.mailpipe.webhooks;

import java.util.Map;
import java.util.TreeMap;

/**
 * Offsets of one partition whose records settle out of order. The committable position only moves
 * past a record once it and every earlier started record settled, so a crash posts unsettled
 * records again and never skips one. Not thread-safe (consumer thread only).
 */
final class OffsetTracker {

    private final TreeMap<Long, Boolean> pending = new TreeMap<>();
    private long committable = -1;
    private long committed = -1;

    void started(final long offset) {
        pending.put(offset, Boolean.FALSE);
    }

    void completed(final long offset) {
        pending.computeIfPresent(offset, (o, done) -> Boolean.TRUE);
        Map.Entry<Long, Boolean> head;
        while ((head = pending.firstEntry()) != null && head.getValue()) {
            committable = head.getKey() + 1;
            pending.pollFirstEntry();
        }
    }

    long committable() {
        return committable;
    }

    boolean hasNewCommit() {
        return committable > committed;
    }

    void markCommitted() {
        committed = committable;
    }

    int inFlight() {
        return pending.size();
    }
}
