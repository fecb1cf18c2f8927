package dev.mailpipe.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads one topic from the beginning (committed records only) and keeps what it read; call
 * {@link #poll()} inside an Awaitility condition. Single-threaded, like the consumer it wraps.
 */
public final class TopicCollector<K, V> implements AutoCloseable {

    private final KafkaConsumer<K, V> consumer;
    private final List<ConsumerRecord<K, V>> records = new ArrayList<>();

    TopicCollector(final Properties props, final String topic, final Deserializer<K> keys, final Deserializer<V> values) {
        this.consumer = new KafkaConsumer<>(props, keys, values);
        consumer.subscribe(List.of(topic));
    }

    /** Polls once (up to 200 ms) and returns everything read so far. */
    public List<ConsumerRecord<K, V>> poll() {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        return List.copyOf(records);
    }

    /** The values read so far, in order. */
    public List<V> values() {
        return records.stream().map(ConsumerRecord::value).toList();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
