package dev.mailpipe.expander.stats;

import dev.mailpipe.platform.stats.StatsCounts;
import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** The counters of a bucket in the windowed stores: big-endian longs in {@link StatsCounts} order. */
final class StatsCountsSerde {

    static final Serde<StatsCounts> SERDE = Serdes.serdeFrom(
            (Serializer<StatsCounts>) (topic, counts) -> counts == null ? null : encode(counts),
            (Deserializer<StatsCounts>) (topic, bytes) -> bytes == null ? null : decode(bytes));

    private StatsCountsSerde() {
    }

    static byte[] encode(final StatsCounts counts) {
        final long[] values = counts.toArray();
        final ByteBuffer buffer = ByteBuffer.allocate(values.length * Long.BYTES);
        for (final long v : values) {
            buffer.putLong(v);
        }
        return buffer.array();
    }

    /** Reads as many counters as there are; an encoding with fewer (older) leaves the rest 0. */
    static StatsCounts decode(final byte[] bytes) {
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        final long[] values = new long[bytes.length / Long.BYTES];
        for (int i = 0; i < values.length; i++) {
            values[i] = buffer.getLong();
        }
        return StatsCounts.fromArray(values);
    }
}
