package dev.mailpipe.deliverer.replay;

import dev.mailpipe.core.suppression.SuppressionKey;
import dev.mailpipe.platform.CompactedTable;
import dev.mailpipe.platform.KafkaDefaults;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.OutboundEmail;
import dev.mailpipe.schemas.Suppression;
import dev.mailpipe.schemas.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Copies selected emails back to {@code mail.outbound} as fresh first attempts. Records are copied
 * byte for byte (key and value) with {@link ReplayHeaders}; only headers change. One consumer
 * (assigned, no group) and one idempotent acks=all producer per replay. An email whose recipient is
 * on the account's suppression list ({@code mail.suppressions}, read once at start) is skipped.
 */
public final class Replayer implements AutoCloseable {

    /**
     * What a replay did. {@code missing}: selected emailIds not found; {@code undecodable}: skipped
     * records; {@code suppressed}: matched but not replayed, the recipient is on the account's suppression list.
     */
    public record Result(long scanned, long matched, long replayed, long missing, long undecodable, long suppressed) {
    }

    private static final Deserializer<OutboundEmail> EMAILS = Topics.OUTBOUND.valueSerde().deserializer();
    private static final Deserializer<DeliveryEvent> EVENTS = Topics.DELIVERY_EVENTS.valueSerde().deserializer();

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final TopicScan scan;
    private final PrintWriter out;
    private final PrintWriter err;
    private final List<Future<RecordMetadata>> sends = new ArrayList<>();
    /** The suppression list as it was when the replay started; null when the topic does not exist yet. */
    private final CompactedTable<Suppression> suppressions;
    private long suppressed;

    /**
     * @param timeout how long one Kafka request (metadata, offsets, send) may block, and how long a
     *                scan may make no progress, before the replay fails
     */
    public Replayer(final String bootstrapServers, final Duration timeout, final PrintWriter out, final PrintWriter err) {
        final int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        final Map<String, Object> consumerProps = KafkaDefaults.with(
                KafkaDefaults.consumer(bootstrapServers, "unused"),
                Map.of(ConsumerConfig.CLIENT_ID_CONFIG, "mailpipe-replay",
                        ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                        ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs,
                        ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs));
        consumerProps.remove(ConsumerConfig.GROUP_ID_CONFIG); // assign() only: no group, nothing committed
        this.consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.producer = new KafkaProducer<>(KafkaDefaults.with(
                KafkaDefaults.producer(bootstrapServers, "mailpipe-replay"),
                Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs)),
                new ByteArraySerializer(), new ByteArraySerializer());
        this.scan = new TopicScan(consumer, timeout);
        this.out = out;
        this.err = err;
        // checked through our own consumer (no auto-creation): following a missing topic would create it uncompacted
        this.suppressions = consumer.partitionsFor(Topics.SUPPRESSIONS.name()).isEmpty() ? null
                : CompactedTable.start(bootstrapServers, "mailpipe-replay", Topics.SUPPRESSIONS.name(),
                        Topics.SUPPRESSIONS.valueSerde());
    }

    /** {@code mail.outbound.dlt} records the selector takes → {@code mail.outbound}. */
    public Result replayDeadLetters(final ReplaySelector selector, final boolean dryRun) {
        final long[] counts = new long[3]; // matched, undecodable, sent
        final String topic = Topics.OUTBOUND_DLT.name();
        final long scanned = scan.scan(topic, selector.window().since().toEpochMilli(), record -> {
            if (!selector.window().contains(record.timestamp())) {
                return; // cheap check first: most of a long DLT is outside the window
            }
            final OutboundEmail email = decode(EMAILS, record);
            if (email == null) {
                counts[1]++;
            } else if (selector.selectsEmail(record.timestamp(), email)) {
                counts[0]++;
                replay(record, email, dryRun);
            }
        });
        final long replayed = awaitSends();
        return new Result(scanned, counts[0], replayed, 0, counts[1], suppressed);
    }

    /**
     * Finds the events the selector takes on {@code mail.delivery-events}, then their emails on
     * {@code mail.outbound} from {@code lookback} before the window, and re-produces each once.
     */
    public Result replayFromEvents(final ReplaySelector selector, final Duration lookback, final boolean dryRun) {
        final Set<String> wanted = new LinkedHashSet<>();
        final long[] undecodable = new long[1];
        final long eventsScanned = scan.scan(Topics.DELIVERY_EVENTS.name(), selector.window().since().toEpochMilli(),
                record -> {
                    if (!selector.window().contains(record.timestamp())) {
                        return;
                    }
                    final DeliveryEvent event = decode(EVENTS, record);
                    if (event == null) {
                        undecodable[0]++;
                    } else if (selector.selectsEvent(record.timestamp(), event)) {
                        wanted.add(event.getEmailId());
                    }
                });
        out.printf("%s: scanned %d, selected %d emails%n", Topics.DELIVERY_EVENTS.name(), eventsScanned, wanted.size());
        if (wanted.isEmpty()) {
            return new Result(0, 0, 0, 0, undecodable[0], 0);
        }
        final Set<String> pending = new LinkedHashSet<>(wanted);
        final long[] matched = new long[1];
        final long scanned = scan.scan(Topics.OUTBOUND.name(), selector.window().startMinus(lookback), record -> {
            if (pending.isEmpty()) {
                return;
            }
            final OutboundEmail email = decode(EMAILS, record);
            if (email == null) {
                undecodable[0]++;
            } else if (pending.remove(email.getEmailId())) { // the first copy only (earlier replays add more)
                matched[0]++;
                replay(record, email, dryRun);
            }
        });
        final long replayed = awaitSends();
        for (final String emailId : pending) {
            err.println("missing: " + emailId + " (not on " + Topics.OUTBOUND.name() + " since "
                    + java.time.Instant.ofEpochMilli(selector.window().startMinus(lookback)) + "; try a longer --lookback)");
        }
        return new Result(scanned, matched[0], replayed, pending.size(), undecodable[0], suppressed);
    }

    private void replay(final ConsumerRecord<byte[], byte[]> record, final OutboundEmail email, final boolean dryRun) {
        final String from = record.topic() + "/" + record.partition() + "/" + record.offset();
        final Suppression suppression = suppressions == null ? null
                : suppressions.get(SuppressionKey.of(email.getApiUser(), email.getRecipient())).orElse(null);
        if (suppression != null) {
            suppressed++;
            out.println("skipped " + email.getEmailId() + " from " + from + ": suppressed (" + suppression.getReason() + ")");
            return;
        }
        if (dryRun) {
            out.println("would replay " + email.getEmailId() + " from " + from);
            return;
        }
        sends.add(producer.send(new ProducerRecord<>(Topics.OUTBOUND.name(), null, record.key(), record.value(),
                ReplayHeaders.forReplay(record.headers(), record.topic(), record.partition(), record.offset()))));
    }

    private long awaitSends() {
        producer.flush();
        long acked = 0;
        Exception failure = null;
        for (final Future<RecordMetadata> send : sends) {
            try {
                send.get();
                acked++;
            } catch (final ExecutionException e) {
                failure = e.getCause() instanceof Exception cause ? cause : e;
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ReplayException("interrupted while waiting for Kafka to acknowledge the replayed records", e);
            }
        }
        sends.clear();
        if (failure != null) {
            throw new ReplayException(acked + " records were replayed, but writing to " + Topics.OUTBOUND.name()
                    + " failed: " + failure.getMessage(), failure);
        }
        return acked;
    }

    private <T> T decode(final Deserializer<T> deserializer, final ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            err.println("skipped empty record " + record.topic() + "/" + record.partition() + "/" + record.offset());
            return null;
        }
        try {
            return deserializer.deserialize(record.topic(), record.value());
        } catch (final RuntimeException e) {
            err.println("skipped undecodable record " + record.topic() + "/" + record.partition() + "/"
                    + record.offset() + ": " + e.getMessage());
            return null;
        }
    }

    @Override
    public void close() {
        try {
            consumer.close(Duration.ofSeconds(5));
        } finally {
            producer.close(Duration.ofSeconds(5));
            if (suppressions != null) {
                suppressions.close();
            }
        }
    }
}
