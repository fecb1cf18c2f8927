package dev.mailpipe.embedded;

import dev.mailpipe.platform.KafkaDefaults;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads {@code mail.delivery-events} for {@code ./mailpipe events}: all partitions by
 * {@code assign()}, no consumer group, nothing committed, so reading leaves no trace on the cluster.
 * Values are decoded here rather than by the consumer, so one undecodable record becomes an error
 * line on stderr instead of stopping the read.
 */
final class EventReader implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Deserializer<DeliveryEvent> values = Topics.DELIVERY_EVENTS.valueSerde().deserializer();
    private final String topic = Topics.DELIVERY_EVENTS.name();
    private final Duration timeout;

    EventReader(final String bootstrapServers, final Duration timeout) {
        this.timeout = timeout;
        final Properties props = new Properties();
        props.putAll(KafkaDefaults.client(bootstrapServers));
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "mailpipe-events-cli");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // events of an aborted expander transaction never happened; end offsets are then the LSO
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false); // reading must not create the topic
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"); // only when a seek target was deleted
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Prints matching events as JSON lines to {@code out} and undecodable records to {@code err}.
     * Without {@code follow} it stops at the end offsets seen at start; with it, it runs until
     * {@code stopped} says so (or {@code max} lines were printed; {@code max <= 0} = no limit).
     *
     * @return the number of events printed
     * @throws KafkaException when the cluster cannot be reached or the topic does not exist
     */
    long read(final StartPosition start, final EventFilter filter, final boolean follow, final long max,
            final PrintWriter out, final PrintWriter err, final BooleanSupplier stopped) {
        final List<TopicPartition> partitions = partitions();
        consumer.assign(partitions);
        seek(partitions, start);
        final Map<TopicPartition, Long> ends = follow ? Map.of() : consumer.endOffsets(partitions);
        long printed = 0;
        long lastProgress = System.nanoTime();
        while (!stopped.getAsBoolean() && (follow || !reachedEnd(ends))) {
            final var records = consumer.poll(POLL);
            if (!records.isEmpty()) {
                lastProgress = System.nanoTime();
            } else if (!follow && System.nanoTime() - lastProgress > timeout.toNanos()) {
                throw new KafkaException("no progress reading " + topic + " for " + timeout.toSeconds() + " s");
            }
            for (final ConsumerRecord<byte[], byte[]> record : records) {
                final TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                if (!follow && record.offset() >= ends.get(tp)) {
                    continue; // written after we started: not ours without --follow
                }
                final DeliveryEvent event = decode(record, err);
                if (event != null && filter.test(event)) {
                    out.println(EventJson.render(event));
                    if (++printed == max) {
                        out.flush();
                        return printed;
                    }
                }
            }
            out.flush();
            err.flush();
        }
        return printed;
    }

    private List<TopicPartition> partitions() {
        final List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
            throw new KafkaException("topic " + topic + " does not exist");
        }
        return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    }

    private void seek(final List<TopicPartition> partitions, final StartPosition start) {
        switch (start) {
            case StartPosition.Beginning b -> consumer.seekToBeginning(partitions);
            case StartPosition.End e -> consumer.seekToEnd(partitions);
            case StartPosition.Since s -> {
                final Map<TopicPartition, Long> query = new HashMap<>();
                partitions.forEach(tp -> query.put(tp, s.since().toEpochMilli()));
                final Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
                final Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
                for (final TopicPartition tp : partitions) {
                    final OffsetAndTimestamp at = found.get(tp);
                    // no record at or after the instant: nothing to read there yet
                    consumer.seek(tp, at == null ? ends.get(tp) : at.offset());
                }
            }
        }
        partitions.forEach(consumer::position); // resolve lazy seeks now, so "now" means now
    }

    private boolean reachedEnd(final Map<TopicPartition, Long> ends) {
        for (final Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private DeliveryEvent decode(final ConsumerRecord<byte[], byte[]> record, final PrintWriter err) {
        if (record.value() == null) {
            err.println(EventJson.error("empty value (tombstone)", record.partition(), record.offset()));
            return null;
        }
        try {
            return values.deserialize(record.topic(), record.value());
        } catch (final RuntimeException e) { // SerializationException, or Avro's own on a corrupt body
            err.println(EventJson.error(String.valueOf(e.getMessage()), record.partition(), record.offset()));
            return null;
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
