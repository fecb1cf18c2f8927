package dev.mailpipe.deliverer;

import java.util.Map;
import java.util.TreeMap;

/**
 * Offsets of one partition whose records are processed out of order. The committable position
 * only moves past a record once it and every earlier started record are complete, so a crash
 * redelivers unfinished records and never skips one. Not thread-safe (consumer thread only).
 */
final class OffsetTracker {

    private final TreeMap<Long, Boolean> pending = new TreeMap<>();
    private long committable = -1;
    private long committed = -1;

    /** A record at {@code offset} was handed to a worker. Offsets must be started in increasing order. */
    void started(final long offset) {
        pending.put(offset, Boolean.FALSE);
    }

    /** A worker finished {@code offset} and its outputs are acknowledged; unknown offsets are ignored. */
    void completed(final long offset) {
        pending.computeIfPresent(offset, (o, done) -> Boolean.TRUE);
        Map.Entry<Long, Boolean> head;
        while ((head = pending.firstEntry()) != null && head.getValue()) {
            committable = head.getKey() + 1;
            pending.pollFirstEntry();
        }
    }

    /** The next offset to commit (one past the highest contiguous completed record), or -1 if none yet. */
    long committable() {
        return committable;
    }

    /** True when {@link #committable()} moved since {@link #markCommitted()}. */
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
