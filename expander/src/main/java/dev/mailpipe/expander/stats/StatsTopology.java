package dev.mailpipe.expander.stats;

import dev.mailpipe.platform.stats.StatsCounts;
import dev.mailpipe.platform.stats.StatsKeys;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.DeliveryStats;
import dev.mailpipe.schemas.StatsPeriod;
import dev.mailpipe.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Delivery statistics in the expander's topology: {@code mail.delivery-events}, each event counted
 * once ({@link StatsDeduper}), repartitioned by account, label and recipient domain, aggregated in
 * hourly and daily tumbling windows (UTC) and written on every change to the compacted
 * {@code mail.stats}, all under the expander's exactly-once transactions.
 *
 * <p>An event more than {@link #GRACE} behind the newest one its task has seen falls outside its
 * closed window and is not counted (Streams' dropped-records metric shows it).
 */
public final class StatsTopology {

    public static final String SEEN_STORE = "stats-events-seen";
    public static final String HOURLY_STORE = "stats-hourly";
    public static final String DAILY_STORE = "stats-daily";
    static final Duration GRACE = Duration.ofDays(1);

    private StatsTopology() {
    }

    /** Adds the statistics, reading {@code events} (the topology's one source of the events topic). */
    public static void build(final StreamsBuilder builder, final KStream<String, DeliveryEvent> events,
            final Clock clock) {
        builder.addStateStore(Stores.windowStoreBuilder(Stores.persistentWindowStore(SEEN_STORE,
                StatsDeduper.SEEN_RETENTION, StatsDeduper.DAY, false), Serdes.String(), Serdes.ByteArray()));
        final KGroupedStream<String, StatsIncrement> grouped = events
                .process(() -> new StatsDeduper(SEEN_STORE), Named.as("stats-dedupe"), SEEN_STORE)
                .repartition(Repartitioned.<String, StatsIncrement>as("stats-increments")
                        .withKeySerde(Serdes.String()).withValueSerde(StatsIncrement.SERDE))
                .groupByKey(Grouped.with(Serdes.String(), StatsIncrement.SERDE));
        buckets(grouped, StatsPeriod.hour, Duration.ofHours(1), HOURLY_STORE, clock);
        buckets(grouped, StatsPeriod.day, Duration.ofDays(1), DAILY_STORE, clock);
    }

    private static void buckets(final KGroupedStream<String, StatsIncrement> grouped, final StatsPeriod period,
            final Duration size, final String store, final Clock clock) {
        grouped.windowedBy(TimeWindows.ofSizeAndGrace(size, GRACE))
                .aggregate(() -> StatsCounts.ZERO, (key, increment, counts) -> counts.plus(increment.delta(period)),
                        Named.as("stats-" + period.name()),
                        Materialized.<String, StatsCounts, WindowStore<Bytes, byte[]>>as(store)
                                .withKeySerde(Serdes.String()).withValueSerde(StatsCountsSerde.SERDE)
                                .withRetention(size.plus(GRACE)))
                .toStream(Named.as("stats-" + period.name() + "-changes"))
                .map((window, counts) -> {
                    final StatsKeys.Dimensions d = StatsKeys.parseDimensions(window.key());
                    final DeliveryStats stats = counts.writeTo(DeliveryStats.newBuilder().setPeriod(period)
                            .setStart(window.window().startTime()).setApiUser(d.apiUser()).setLabel(d.label())
                            .setDomain(d.domain()).setUpdatedAt(clock.instant())).build();
                    return KeyValue.pair(StatsKeys.of(period, window.window().startTime(), d.apiUser(), d.label(),
                            d.domain()), stats);
                }, Named.as("stats-" + period.name() + "-records"))
                .to(Topics.STATS.name(), Produced.with(Topics.STATS.keySerde(), Topics.STATS.valueSerde())
                        .withName("stats-" + period.name() + "-sink"));
    }
}
