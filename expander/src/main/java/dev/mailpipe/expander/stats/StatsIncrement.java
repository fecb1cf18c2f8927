package dev.mailpipe.expander.stats;

import dev.mailpipe.platform.stats.StatsCounts;
import dev.mailpipe.schemas.BounceClass;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.StatsPeriod;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What one (first-seen) event adds to its buckets: its type, a bounce's class, and whether it is
 * the email's first open or click of the hour and of the day (the unique counts).
 */
record StatsIncrement(EventType type, BounceClass bounceClass, boolean uniqueInHour, boolean uniqueInDay) {

    /** A small text form for the repartition topic: {@code type,class,h,d}. */
    static final Serde<StatsIncrement> SERDE = Serdes.serdeFrom(
            (Serializer<StatsIncrement>) (topic, inc) -> inc == null ? null : inc.encode(),
            (Deserializer<StatsIncrement>) (topic, bytes) -> bytes == null ? null : decode(bytes));

    /** The counts this event adds to a bucket of {@code period}. */
    StatsCounts delta(final StatsPeriod period) {
        return StatsCounts.ofEvent(type, bounceClass, period == StatsPeriod.hour ? uniqueInHour : uniqueInDay);
    }

    private byte[] encode() {
        return (type.name() + ',' + (bounceClass == null ? "" : bounceClass.name()) + ',' + (uniqueInHour ? 1 : 0)
                + ',' + (uniqueInDay ? 1 : 0)).getBytes(StandardCharsets.UTF_8);
    }

    private static StatsIncrement decode(final byte[] bytes) {
        final String[] p = new String(bytes, StandardCharsets.UTF_8).split(",", -1);
        if (p.length != 4) {
            throw new IllegalArgumentException("not a statistics increment: " + new String(bytes, StandardCharsets.UTF_8));
        }
        EventType type;
        try {
            type = EventType.valueOf(p[0]);
        } catch (final IllegalArgumentException e) {
            type = EventType.unknown;
        }
        BounceClass bounceClass = null;
        if (!p[1].isEmpty()) {
            try {
                bounceClass = BounceClass.valueOf(p[1]);
            } catch (final IllegalArgumentException e) {
                bounceClass = BounceClass.unknown;
            }
        }
        return new StatsIncrement(type, bounceClass, "1".equals(p[2]), "1".equals(p[3]));
    }
}
