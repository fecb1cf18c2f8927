package dev.mailpipe.deliverer.replay;

/**
 * Where a running replay is: written by the replay's thread only, read by others (the progress
 * display, a stop condition), hence volatile fields and no locks.
 */
public final class ReplayProgress {

    private volatile String phase = "starting";
    private volatile long scanned;
    private volatile long total;
    private volatile long selected;
    private volatile long sent;

    /** What is being read now, e.g. {@code mail.delivery-events}. */
    public String phase() {
        return phase;
    }

    /** Records read of the current topic scan. */
    public long scanned() {
        return scanned;
    }

    /** Records the current topic scan will read: the offsets between its start and end positions. */
    public long total() {
        return total;
    }

    /** Emails selected to be re-sent. */
    public long selected() {
        return selected;
    }

    /** Records handed to the producer (or, in a dry run, that would have been). */
    public long sent() {
        return sent;
    }

    void startScan(final String topic, final long offsets) {
        phase = topic;
        total = offsets;
        scanned = 0;
    }

    @SuppressWarnings("NonAtomicOperationOnVolatileField") // one writer
    void scannedOne() {
        scanned++;
    }

    void selected(final long n) {
        selected = n;
    }

    @SuppressWarnings("NonAtomicOperationOnVolatileField") // one writer
    void sentOne() {
        sent++;
    }
}
