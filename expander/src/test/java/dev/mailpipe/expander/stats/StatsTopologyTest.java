package dev.mailpipe.expander.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.expander.DeliveryEventsSource;
import dev.mailpipe.platform.stats.StatsKeys;
import dev.mailpipe.schemas.BounceClass;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.DeliveryStats;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.StatsPeriod;
import dev.mailpipe.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Statistics in the topology: hourly and daily buckets per account, label and domain, each event once. */
class StatsTopologyTest {

    private static final Instant T10 = Instant.parse("2026-12-03T10:15:00Z");
    private static final Instant T11 = Instant.parse("2026-12-03T11:05:00Z");
    private static final Instant DAY = Instant.parse("2026-12-03T00:00:00Z");

    private final AtomicInteger ids = new AtomicInteger();
    private TopologyTestDriver driver;
    private TestInputTopic<String, DeliveryEvent> events;
    private TestOutputTopic<String, DeliveryStats> stats;

    @BeforeEach
    void start() {
        final StreamsBuilder builder = new StreamsBuilder();
        StatsTopology.build(builder, DeliveryEventsSource.stream(builder), Clock.fixed(T11, ZoneOffset.UTC));
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "expander-stats-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(builder.build(), props);
        events = driver.createInputTopic(Topics.DELIVERY_EVENTS.name(), Topics.DELIVERY_EVENTS.keySerde().serializer(),
                Topics.DELIVERY_EVENTS.valueSerde().serializer());
        stats = driver.createOutputTopic(Topics.STATS.name(), Topics.STATS.keySerde().deserializer(),
                Topics.STATS.valueSerde().deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private DeliveryEvent event(final String email, final EventType type, final Instant at, final String label) {
        return DeliveryEvent.newBuilder().setType(type).setMessageId("m-" + email.charAt(0)).setEmailId(email)
                .setApiUser("shop").setLabel(label).setRecipient(email.substring(email.indexOf('$') + 1))
                .setTimestamp(at).setEventId("ev-" + ids.incrementAndGet())
                .setBounceClass(type == EventType.bounced ? BounceClass.hard : null).build();
    }

    private void send(final DeliveryEvent event) {
        events.pipeInput(event.getMessageId(), event, event.getTimestamp());
    }

    /** The last value of each bucket written, by key. */
    private Map<String, DeliveryStats> latest() {
        return stats.readKeyValuesToMap();
    }

    @Test
    void shouldCountEventsPerHourAndPerDayForEachAccountLabelAndDomain() {
        send(event("a$ann@x.example", EventType.request, T10, "7"));
        send(event("a$ann@x.example", EventType.delivered, T10, "7"));
        send(event("b$bob@y.example", EventType.request, T10, "7"));
        send(event("b$bob@y.example", EventType.bounced, T11, "7"));
        send(event("c$cid@x.example", EventType.request, T11, null));

        final Map<String, DeliveryStats> out = latest();

        final DeliveryStats hour10x = out.get(StatsKeys.of(StatsPeriod.hour, Instant.parse("2026-12-03T10:00:00Z"),
                "shop", "7", "x.example"));
        assertThat(hour10x.getRequest()).isEqualTo(1);
        assertThat(hour10x.getDelivered()).isEqualTo(1);
        final DeliveryStats hour11y = out.get(StatsKeys.of(StatsPeriod.hour, Instant.parse("2026-12-03T11:00:00Z"),
                "shop", "7", "y.example"));
        assertThat(hour11y.getBounced()).isEqualTo(1);
        assertThat(hour11y.getHardBounced()).isEqualTo(1);
        assertThat(hour11y.getRequest()).isZero();
        final DeliveryStats dayY = out.get(StatsKeys.of(StatsPeriod.day, DAY, "shop", "7", "y.example"));
        assertThat(dayY.getRequest()).isEqualTo(1);
        assertThat(dayY.getBounced()).isEqualTo(1);
        final DeliveryStats dayUnlabelled = out.get(StatsKeys.of(StatsPeriod.day, DAY, "shop", "", "x.example"));
        assertThat(dayUnlabelled.getRequest()).isEqualTo(1);
        assertThat(dayUnlabelled.getStart()).isEqualTo(DAY);
        assertThat(dayUnlabelled.getPeriod()).isEqualTo(StatsPeriod.day);
        assertThat(out).as("4 hourly and 3 daily buckets").hasSize(7);
    }

    @Test
    void shouldCountAnEventWrittenTwiceOnce() {
        final DeliveryEvent delivered = event("a$ann@x.example", EventType.delivered, T10, null);
        send(delivered);
        send(delivered);
        send(event("a$ann@x.example", EventType.open, T10, null));

        final DeliveryStats day = latest().get(StatsKeys.of(StatsPeriod.day, DAY, "shop", "", "x.example"));
        assertThat(day.getDelivered()).isEqualTo(1);
        assertThat(day.getOpen()).isEqualTo(1);
    }

    @Test
    void shouldCountEveryOpenButEachEmailOnceAsAUniqueOpenPerBucket() {
        send(event("a$ann@x.example", EventType.open, T10, null));
        send(event("a$ann@x.example", EventType.open, T10.plusSeconds(60), null));
        send(event("a$ann@x.example", EventType.open, T11, null));
        send(event("b$bob@x.example", EventType.open, T11, null));
        send(event("a$ann@x.example", EventType.click, T11, null));
        send(event("a$ann@x.example", EventType.click, T11, null));

        final Map<String, DeliveryStats> out = latest();
        final DeliveryStats day = out.get(StatsKeys.of(StatsPeriod.day, DAY, "shop", "", "x.example"));
        assertThat(day.getOpen()).isEqualTo(4);
        assertThat(day.getUniqueOpen()).isEqualTo(2);
        assertThat(day.getClick()).isEqualTo(2);
        assertThat(day.getUniqueClick()).isEqualTo(1);
        final DeliveryStats hour10 = out.get(StatsKeys.of(StatsPeriod.hour, Instant.parse("2026-12-03T10:00:00Z"),
                "shop", "", "x.example"));
        assertThat(hour10.getOpen()).isEqualTo(2);
        assertThat(hour10.getUniqueOpen()).isEqualTo(1);
        final DeliveryStats hour11 = out.get(StatsKeys.of(StatsPeriod.hour, Instant.parse("2026-12-03T11:00:00Z"),
                "shop", "", "x.example"));
        // ann opened again in the next hour: unique in that hour too, not again in the day
        assertThat(hour11.getUniqueOpen()).isEqualTo(2);
    }

    @Test
    void shouldCountAnInvalidSubmissionWithoutRecipientUnderAnEmptyDomain() {
        send(DeliveryEvent.newBuilder().setType(EventType.invalid).setMessageId("m-z").setApiUser("shop")
                .setTimestamp(T10).setEventId("ev-invalid").setReason("xsmtpapi error").build());

        assertThat(latest().get(StatsKeys.of(StatsPeriod.day, DAY, "shop", "", "")).getInvalid()).isEqualTo(1);
    }

    @Test
    void shouldNotCountAnEventFarBehindItsClosedWindow() {
        send(event("a$ann@x.example", EventType.request, T10, null));
        send(event("b$bob@x.example", EventType.request, T10.plus(Duration.ofDays(3)), null));
        stats.readKeyValuesToMap();

        send(event("c$cid@x.example", EventType.request, T10, null));

        assertThat(stats.isEmpty()).as("the day of T10 closed two days ago").isTrue();
    }

    @Test
    void shouldSkipAnUnreadableEvent() {
        final var raw = driver.createInputTopic(Topics.DELIVERY_EVENTS.name(),
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer());
        raw.pipeInput("m-x", new byte[] {1, 2, 3});
        send(event("a$ann@x.example", EventType.request, T10, null));

        assertThat(latest().get(StatsKeys.of(StatsPeriod.day, DAY, "shop", "", "x.example")).getRequest()).isEqualTo(1);
    }
}
