package dev.mailpipe.deliverer.replay;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The emails a replay considers, without holding their ids (pure, no I/O): an open-addressing
 * table of 128-bit fingerprints (MD5 of the emailId) in two {@code long[]}, with the email's
 * {@link LatestOutcome}, a "sent" flag and a small int (the index of its reason) beside them.
 * About 21 bytes a slot at a load of at most 3/4, so 1,000,000 emails take 22–44 MB instead of the
 * ~150 MB of a {@code HashSet<String>}. Two different emailIds share a fingerprint with a
 * probability of about n²/2¹²⁹ (10⁻²⁶ for a million), so the table is exact for any real replay.
 * It refuses to grow past {@code maxEntries}: the replay then fails before sending anything.
 */
final class SelectedEmails {

    private static final int SENT = 0x80;
    private static final int OUTCOME = 0x0f;

    private final int maxEntries;
    private final MessageDigest md5;
    private long[] hi;
    private long[] lo;
    /** 0 = empty slot; else the outcome's ordinal, plus {@link #SENT}. */
    private byte[] state;
    private int[] info;
    private int size;
    // the fingerprint of the last id looked up, so put/mark after a lookup hash only once
    private long lastHi;
    private long lastLo;

    SelectedEmails(final int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1: " + maxEntries);
        }
        this.maxEntries = maxEntries;
        try {
            this.md5 = MessageDigest.getInstance("MD5"); // a fingerprint, not a security boundary
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has MD5", e);
        }
        allocate(1024);
    }

    /** Emails in the table. */
    int size() {
        return size;
    }

    int maxEntries() {
        return maxEntries;
    }

    /** The outcome of {@code emailId}, {@link LatestOutcome#NONE} when it is not in the table. */
    LatestOutcome outcome(final String emailId) {
        final int slot = find(emailId);
        return slot < 0 ? LatestOutcome.NONE : LatestOutcome.ofOrdinal(state[slot] & OUTCOME);
    }

    boolean contains(final String emailId) {
        return find(emailId) >= 0;
    }

    boolean sent(final String emailId) {
        final int slot = find(emailId);
        return slot >= 0 && (state[slot] & SENT) != 0;
    }

    int info(final String emailId) {
        final int slot = find(emailId);
        return slot < 0 ? -1 : info[slot];
    }

    /**
     * Adds {@code emailId} or replaces its outcome and info (the sent flag stays).
     *
     * @throws TooManyException when it is new and the table already holds {@code maxEntries}
     */
    void put(final String emailId, final LatestOutcome outcome, final int infoValue) {
        if (outcome == LatestOutcome.NONE) {
            throw new IllegalArgumentException("NONE marks empty slots");
        }
        int slot = find(emailId);
        if (slot < 0) {
            if (size == maxEntries) {
                throw new TooManyException(maxEntries);
            }
            if (size + 1 > hi.length / 4 * 3) {
                grow();
            }
            slot = insertionSlot(lastLo);
            hi[slot] = lastHi;
            lo[slot] = lastLo;
            size++;
        }
        state[slot] = (byte) ((state[slot] & SENT) | outcome.ordinal());
        info[slot] = infoValue;
    }

    /** Adds an id, using the table as a plain set ({@code --ids-file}); see {@link #contains}. */
    void add(final String id) {
        put(id, LatestOutcome.SUCCESS, 0);
    }

    /**
     * Folds a later outcome into an email already in the table ({@code infoValue} below 0 keeps
     * its info); false (nothing changed) when it is not.
     */
    boolean update(final String emailId, final LatestOutcome outcome, final int infoValue) {
        final int slot = find(emailId);
        if (slot < 0) {
            return false;
        }
        state[slot] = (byte) ((state[slot] & SENT) | outcome.ordinal());
        if (infoValue >= 0) {
            info[slot] = infoValue;
        }
        return true;
    }

    /** Marks an email in the table as sent; false when it is not in the table or was already marked. */
    boolean markSent(final String emailId) {
        final int slot = find(emailId);
        if (slot < 0 || (state[slot] & SENT) != 0) {
            return false;
        }
        state[slot] |= (byte) SENT;
        return true;
    }

    /** Emails whose outcome is replayable and that are not marked sent. */
    long countUnsent(final boolean includeRetrying) {
        long n = 0;
        for (final byte s : state) {
            if (s != 0 && (s & SENT) == 0 && LatestOutcome.ofOrdinal(s & OUTCOME).replayable(includeRetrying)) {
                n++;
            }
        }
        return n;
    }

    /** Emails per outcome, indexed by ordinal. */
    long[] countByOutcome() {
        final long[] counts = new long[LatestOutcome.values().length];
        for (final byte s : state) {
            if (s != 0) {
                counts[s & OUTCOME]++;
            }
        }
        return counts;
    }

    private int find(final String emailId) {
        fingerprint(emailId);
        final int mask = hi.length - 1;
        for (int slot = (int) lastLo & mask; ; slot = (slot + 1) & mask) {
            if (state[slot] == 0) {
                return -1;
            }
            if (hi[slot] == lastHi && lo[slot] == lastLo) {
                return slot;
            }
        }
    }

    private int insertionSlot(final long l) {
        final int mask = hi.length - 1;
        int slot = (int) l & mask;
        while (state[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private void fingerprint(final String emailId) {
        final byte[] d = md5.digest(emailId.getBytes(StandardCharsets.UTF_8));
        long h = 0;
        long l = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (d[i] & 0xff);
            l = (l << 8) | (d[i + 8] & 0xff);
        }
        lastHi = h;
        lastLo = l;
    }

    private void allocate(final int capacity) {
        hi = new long[capacity];
        lo = new long[capacity];
        state = new byte[capacity];
        info = new int[capacity];
    }

    private void grow() {
        final long[] oldHi = hi;
        final long[] oldLo = lo;
        final byte[] oldState = state;
        final int[] oldInfo = info;
        final long keepHi = lastHi;
        final long keepLo = lastLo;
        allocate(oldHi.length * 2);
        for (int i = 0; i < oldHi.length; i++) {
            if (oldState[i] != 0) {
                final int slot = insertionSlot(oldLo[i]);
                hi[slot] = oldHi[i];
                lo[slot] = oldLo[i];
                state[slot] = oldState[i];
                info[slot] = oldInfo[i];
            }
        }
        lastHi = keepHi;
        lastLo = keepLo;
    }

    @Override
    public String toString() {
        return "SelectedEmails[size=" + size + ", capacity=" + hi.length + ", outcomes="
                + Arrays.toString(countByOutcome()) + "]";
    }

    /** More emails than {@code --max-selected} would be needed. */
    static final class TooManyException extends RuntimeException {
        TooManyException(final int max) {
            super("more than " + max + " emails match (--max-selected " + max
                    + "); nothing was sent. Narrow the window or the filters, or raise --max-selected"
                    + " (about 44 bytes of heap per email)");
        }
    }
}
