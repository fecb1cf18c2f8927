package dev.mailpipe.expander;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;

/** A read_committed consumer that keeps what it has read across several waits. */
final class CommittedReader implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<byte[]> values = new ArrayList<>();

    CommittedReader(final Properties consumerProperties, final String topic) {
        consumer = new KafkaConsumer<>(consumerProperties, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
    }

    void awaitAtLeast(final int count, final Duration timeout) {
        Awaitility.await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ZERO).until(() -> {
            poll();
            return values.size() >= count;
        });
    }

    void drainFor(final Duration window) {
        final long end = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < end) {
            poll();
        }
    }

    private void poll() {
        consumer.poll(Duration.ofMillis(100)).forEach(record -> values.add(record.value()));
    }

    int count() {
        return values.size();
    }

    List<byte[]> values() {
        return values;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
