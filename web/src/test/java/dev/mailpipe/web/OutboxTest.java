package dev.mailpipe.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class OutboxTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void whatFailsIsWrittenAgainWhenKafkaIsBackAndTheBoundHoldsMeanwhile() {
        final MockProducer<String, byte[]> producer = new MockProducer<>(false, null, new StringSerializer(),
                new ByteArraySerializer());
        final Outbox outbox = new Outbox(producer, 2, Duration.ofMillis(10), registry);
        try {
            assertThat(outbox.offer(record("a"))).isTrue();
            assertThat(outbox.offer(record("b"))).isTrue();
            assertThat(outbox.offer(record("c"))).as("full: refused, never blocking").isFalse();
            assertThat(registry.get("mailpipe.web.outbox.dropped").counter().count()).isEqualTo(1);
            assertThat(registry.get("mailpipe.web.outbox.pending").gauge().value()).isEqualTo(2);

            // Kafka away: the writes fail, the records are put back, nothing is lost.
            await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() >= 2);
            while (producer.errorNext(new TimeoutException("Kafka unreachable"))) {
                // fail every write handed over so far
            }
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> registry.get("mailpipe.web.outbox.retried").counter().count() >= 2);
            assertThat(outbox.pending()).isEqualTo(2);

            // Kafka back: the retries are acknowledged, room again.
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                producer.completeNext();
                return registry.get("mailpipe.web.outbox.written").counter().count() >= 2;
            });
            assertThat(outbox.pending()).isZero();
            assertThat(producer.history()).extracting(ProducerRecord::key).contains("a", "b");
            assertThat(outbox.offer(record("d"))).isTrue();
        } finally {
            outbox.close(Duration.ZERO);
        }
    }

    @Test
    void aSendThatThrowsIsPutBackToo() {
        final MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(),
                new ByteArraySerializer());
        producer.sendException = new TimeoutException("metadata not available within max.block.ms");
        final Outbox outbox = new Outbox(producer, 10, Duration.ofMillis(10), registry);
        try {
            outbox.offer(record("a"));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> registry.get("mailpipe.web.outbox.retried").counter().count() >= 2);
            assertThat(outbox.pending()).isEqualTo(1);
            producer.sendException = null;
            await().atMost(Duration.ofSeconds(5)).until(() -> outbox.pending() == 0);
            assertThat(producer.history()).extracting(ProducerRecord::key).containsExactly("a");
        } finally {
            outbox.close(Duration.ZERO);
        }
    }

    private static ProducerRecord<String, byte[]> record(final String key) {
        return new ProducerRecord<>("t", key, new byte[] {1});
    }
}
