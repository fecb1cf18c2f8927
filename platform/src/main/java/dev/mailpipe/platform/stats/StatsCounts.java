package dev.mailpipe.platform.stats;

import dev.mailpipe.schemas.BounceClass;
import dev.mailpipe.schemas.DeliveryStats;
import dev.mailpipe.schemas.EventType;

/**
 * The counts of one statistics bucket (or of any sum of buckets), as {@link DeliveryStats} carries
 * them. Unique opens and clicks of several buckets add up: each bucket counts an email once.
 */
public record StatsCounts(long request, long delivered, long deferred, long bounced, long hardBounced,
        long softBounced, long expired, long dropped, long invalid, long open, long uniqueOpen, long click,
        long uniqueClick, long unsubscribe, long spamReport) {

    public static final StatsCounts ZERO = new StatsCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** The number of counters, the length of {@link #toArray}. */
    static final int FIELDS = 15;

    public static StatsCounts of(final DeliveryStats s) {
        return new StatsCounts(s.getRequest(), s.getDelivered(), s.getDeferred(), s.getBounced(), s.getHardBounced(),
                s.getSoftBounced(), s.getExpired(), s.getDropped(), s.getInvalid(), s.getOpen(), s.getUniqueOpen(),
                s.getClick(), s.getUniqueClick(), s.getUnsubscribe(), s.getSpamReport());
    }

    /**
     * What one event adds to a bucket: 1 for its type (a bounce also for its class), and 1 unique
     * open or click when {@code firstOfEmail} (the email's first of that type in the bucket).
     */
    public static StatsCounts ofEvent(final EventType type, final BounceClass bounceClass, final boolean firstOfEmail) {
        final long u = firstOfEmail ? 1 : 0;
        return switch (type) {
            case request -> new StatsCounts(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
            case delivered -> new StatsCounts(0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
            case deferred -> new StatsCounts(0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
            case bounced -> new StatsCounts(0, 0, 0, 1, bounceClass == BounceClass.hard ? 1 : 0,
                    bounceClass == BounceClass.soft ? 1 : 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
            case expired -> new StatsCounts(0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0);
            case dropped -> new StatsCounts(0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0);
            case invalid -> new StatsCounts(0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0);
            case open -> new StatsCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, 1, u, 0, 0, 0, 0);
            case click -> new StatsCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, u, 0, 0);
            case unsubscribe -> new StatsCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0);
            case spam_report -> new StatsCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
            // a newer writer's type: counted nowhere
            case unknown -> ZERO;
        };
    }

    public StatsCounts plus(final StatsCounts o) {
        final long[] a = toArray();
        final long[] b = o.toArray();
        for (int i = 0; i < FIELDS; i++) {
            a[i] += b[i];
        }
        return fromArray(a);
    }

    /** Sets every counter of {@code builder}. */
    public DeliveryStats.Builder writeTo(final DeliveryStats.Builder builder) {
        return builder.setRequest(request).setDelivered(delivered).setDeferred(deferred).setBounced(bounced)
                .setHardBounced(hardBounced).setSoftBounced(softBounced).setExpired(expired).setDropped(dropped)
                .setInvalid(invalid).setOpen(open).setUniqueOpen(uniqueOpen).setClick(click).setUniqueClick(uniqueClick)
                .setUnsubscribe(unsubscribe).setSpamReport(spamReport);
    }

    /** The counters in declaration order (a compact encoding for state stores). */
    public long[] toArray() {
        return new long[] {request, delivered, deferred, bounced, hardBounced, softBounced, expired, dropped, invalid,
                open, uniqueOpen, click, uniqueClick, unsubscribe, spamReport};
    }

    /** The inverse of {@link #toArray}; missing trailing counters (an older encoding) are 0. */
    public static StatsCounts fromArray(final long[] a) {
        final long[] v = java.util.Arrays.copyOf(a, FIELDS);
        return new StatsCounts(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13],
                v[14]);
    }

    /**
     * {@code part} as a percentage of {@code whole}, truncated to two decimals as SendCloud reports
     * them (20 of 48 is 41.66); 0 when {@code whole} is 0.
     */
    public static double percent(final long part, final long whole) {
        if (whole <= 0) {
            return 0;
        }
        return java.math.BigDecimal.valueOf(part * 100L).divide(java.math.BigDecimal.valueOf(whole), 2,
                java.math.RoundingMode.DOWN).doubleValue();
    }
}
