package dev.mailpipe.deliverer;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Offsets of one partition whose records are processed out of order.
 *
 * <p>The committed <em>position</em> only moves past a record once it and every earlier fetched
 * record are complete, so nothing is ever skipped. Records completed <em>above</em> the position
 * (a slow delivery holds the position back while later ones finish) are not lost either: they
 * travel in the commit's metadata ({@link #metadata()}, {@code mp1:} + ranges relative to the
 * position) and a new owner seeded with {@link #seeded(long, String)} skips them. So a crash
 * redelivers only what was really in flight, not the whole range above the slowest record.
 *
 * <p>The same tracker survives a lost or revoked partition inside one process: when the
 * partition comes back, records this process already delivered, or is still delivering, are
 * not started again ({@link #begin(long)} answers false) — a broker outage that costs the
 * consumer its assignment does not resend what was delivered meanwhile.
 *
 * <p>Not thread-safe (consumer thread only).
 */
public final class OffsetTracker {

    /** Prefix of the metadata format; anything else in the metadata is ignored. */
    static final String METADATA_PREFIX = "mp1:";
    /** Brokers refuse metadata above offset.metadata.max.bytes (4096 by default); stay well under. */
    static final int MAX_METADATA_CHARS = 3_000;
    /** Metadata naming more offsets than this is not ours: ignored. */
    private static final int MAX_DECODED = 1_000_000;
    private static final long MAX_DISTANCE = 100_000_000L;

    private enum State { PENDING, DONE, FAILED }

    private final TreeMap<Long, State> entries = new TreeMap<>();
    /** Everything below is complete (or not a record). */
    private long position;
    /** One past the highest offset seen from the fetch; the position never passes it. */
    private long seenUpTo;
    private long startedCount;
    private long doneCount;
    private long settledCount;
    private long committedPosition = -1;
    private String committedMetadata = "";

    private OffsetTracker(final long position) {
        this.position = position;
        this.seenUpTo = position;
    }

    /** A tracker for a partition with nothing committed: starts at the first record fetched. */
    static OffsetTracker fresh() {
        return new OffsetTracker(-1);
    }

    /** A tracker starting at a committed offset, skipping the completed offsets its metadata names. */
    static OffsetTracker seeded(final long committed, final String metadata) {
        final OffsetTracker tracker = new OffsetTracker(committed);
        for (final long offset : decode(committed, metadata)) {
            tracker.entries.put(offset, State.DONE);
        }
        tracker.committedPosition = committed;
        tracker.committedMetadata = metadata == null ? "" : metadata;
        return tracker;
    }

    /**
     * Takes over a partition (re)assigned to this process whose group commit is {@code committed}.
     * If someone else got further, their commit wins and this tracker is replaced; otherwise what
     * this process knows is kept (plus what the commit's metadata says) and committed again.
     */
    OffsetTracker reassigned(final long committed, final String metadata) {
        if (committed > position) {
            final OffsetTracker successor = seeded(committed, metadata);
            entries.tailMap(committed, true).forEach((offset, state) -> {
                if (state == State.PENDING) {
                    successor.entries.put(offset, State.PENDING); // still running here: not again
                    successor.startedCount++;
                } else if (state == State.DONE) {
                    successor.entries.putIfAbsent(offset, State.DONE);
                }
            });
            return successor;
        }
        for (final long offset : decode(committed, metadata)) {
            if (offset >= position) {
                entries.putIfAbsent(offset, State.DONE);
            }
        }
        committedPosition = committed;
        committedMetadata = metadata == null ? "" : metadata;
        settledCount = startedCount - pending();
        return this;
    }

    /**
     * The fetch delivered the record at {@code offset}: true if it must be processed (it is now
     * in flight), false if it is already complete or in flight here. Call for every fetched
     * record, in fetch order.
     */
    boolean begin(final long offset) {
        if (position < 0) {
            position = offset;
            seenUpTo = offset;
        }
        seenUpTo = Math.max(seenUpTo, offset + 1);
        if (offset < position) {
            return false;
        }
        final State state = entries.get(offset);
        if (state == State.DONE || state == State.PENDING) {
            advance();
            return false;
        }
        entries.put(offset, State.PENDING);
        startedCount++;
        return true;
    }

    /** A worker finished {@code offset} and its outputs are acknowledged; unknown offsets are ignored. */
    void completed(final long offset) {
        if (entries.replace(offset, State.PENDING, State.DONE)) {
            doneCount++;
            advance();
        }
    }

    /**
     * Processing of {@code offset} failed without a result (shutdown, a bug): it keeps the position
     * where it is and is processed again when the fetch delivers it again (after a rebalance or a
     * restart).
     */
    void failed(final long offset) {
        if (entries.replace(offset, State.PENDING, State.FAILED)) {
            startedCount--;
        }
    }

    private void advance() {
        Map.Entry<Long, State> head;
        while ((head = entries.firstEntry()) != null && head.getKey() < seenUpTo && head.getValue() == State.DONE) {
            entries.pollFirstEntry();
        }
        final long next = head != null && head.getKey() < seenUpTo ? head.getKey() : seenUpTo;
        position = Math.max(position, next);
    }

    /** The next offset to commit (every fetched record below it is complete), or -1 if none yet. */
    long committable() {
        return position;
    }

    /** The completed offsets above {@link #committable()}, encoded for the commit's metadata. */
    String metadata() {
        final StringBuilder out = new StringBuilder(METADATA_PREFIX);
        long runStart = -1;
        long runEnd = -1;
        for (final Map.Entry<Long, State> e : entries.entrySet()) {
            if (e.getValue() != State.DONE || e.getKey() < position) {
                continue;
            }
            final long o = e.getKey();
            if (runStart >= 0 && o == runEnd + 1) {
                runEnd = o;
                continue;
            }
            if (runStart >= 0 && !appendRun(out, runStart, runEnd)) {
                return out.toString();
            }
            runStart = o;
            runEnd = o;
        }
        if (runStart >= 0) {
            appendRun(out, runStart, runEnd);
        }
        return out.toString();
    }

    private boolean appendRun(final StringBuilder out, final long start, final long end) {
        final String run = Long.toString(start - position, Character.MAX_RADIX)
                + (end == start ? "" : "-" + Long.toString(end - start, Character.MAX_RADIX));
        if (out.length() + run.length() + 1 > MAX_METADATA_CHARS) {
            return false; // the rest is redelivered after a crash: correct, only less precise
        }
        if (out.length() > METADATA_PREFIX.length()) {
            out.append(',');
        }
        out.append(run);
        return true;
    }

    /**
     * The completed offsets a commit's metadata names. Each run is {@code a[-b]} in base 36: the
     * offsets {@code base+a .. base+a+b}. Malformed or foreign metadata names none (so redelivers).
     * Also read by {@code ./mailpipe queue}: those records are done, not deferred.
     */
    public static java.util.List<Long> decode(final long base, final String metadata) {
        final java.util.List<Long> offsets = new java.util.ArrayList<>();
        if (metadata == null || !metadata.startsWith(METADATA_PREFIX) || base < 0) {
            return offsets;
        }
        final String body = metadata.substring(METADATA_PREFIX.length());
        if (body.isEmpty()) {
            return offsets;
        }
        try {
            for (final String run : body.split(",")) {
                final int dash = run.indexOf('-');
                final long start = base + Long.parseLong(dash < 0 ? run : run.substring(0, dash), Character.MAX_RADIX);
                final long length = dash < 0 ? 0 : Long.parseLong(run.substring(dash + 1), Character.MAX_RADIX);
                if (start < base || start - base > MAX_DISTANCE || length < 0 || offsets.size() + length > MAX_DECODED) {
                    return new java.util.ArrayList<>();
                }
                for (long o = start; o <= start + length; o++) {
                    offsets.add(o);
                }
            }
        } catch (final NumberFormatException e) {
            return new java.util.ArrayList<>();
        }
        return offsets;
    }

    /** True when position or metadata changed since the last {@link #markCommitted()}. */
    boolean hasNewCommit() {
        return position >= 0 && (position != committedPosition || !metadata().equals(committedMetadata));
    }

    /** Records this commit as sent; returns the settle mark to pass to {@link #settled(long)} once it succeeded. */
    long markCommitted() {
        committedPosition = position;
        committedMetadata = metadata();
        return doneCount;
    }

    /** The commit taken last failed: commit again even if nothing changed. */
    void commitFailed() {
        committedPosition = -2;
        committedMetadata = null;
    }

    /** A commit taken at {@code mark} succeeded: its completed records no longer count as unsettled. */
    void settled(final long mark) {
        settledCount = Math.max(settledCount, mark);
    }

    /** Records started here whose completion is not yet in a successful commit (what a crash would redeliver). */
    long unsettled() {
        return startedCount - settledCount;
    }

    /** Records being processed now. */
    int pending() {
        int n = 0;
        for (final Iterator<State> it = entries.values().iterator(); it.hasNext();) {
            if (it.next() == State.PENDING) {
                n++;
            }
        }
        return n;
    }

    /** Kept for callers that only need the number of records in flight. */
    int inFlight() {
        return pending();
    }
}
