package dev.mailpipe.expander;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.platform.KafkaDefaults;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.OutboundEmail;
import dev.mailpipe.schemas.RawMessage;
import dev.mailpipe.schemas.DeadLetterHeaders;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The expander app against a real in-JVM KRaft broker. */
class ExpanderIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @TempDir
    Path stateDir;

    @Test
    void shouldCreateItsTopicsExpandSubmissionsAndDeadLetterCorruptOnes() throws Exception {
        final ExpanderConfig config = new ExpanderConfig(Map.of(
                ExpanderConfig.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers(),
                ExpanderConfig.TOPIC_PARTITIONS, "3",
                ExpanderConfig.STATE_DIR, stateDir.toString(),
                ExpanderConfig.HTTP_PORT, "-1"));
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final ExpanderApp app = ExpanderApp.start(config, registry);
        try {
            assertThat(app.isReady()).isTrue();
            try (Admin admin = KAFKA.cluster().admin()) {
                assertThat(admin.listTopics().names().get()).contains(Topics.RAW.name(), Topics.OUTBOUND.name(),
                        Topics.DELIVERY_EVENTS.name(), Topics.RAW_DLT.name());
            }

            final String id = "1426390015358_15_6484_8661.sc-10_10_127_51-inbound";
            final RawMessage submission = Submissions.raw(id, List.of("ben@ifaxin.com", "joe@example.test"),
                    Submissions.message("Hi\n"));
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                    KafkaDefaults.producer(KAFKA.bootstrapServers(), "expander-it"),
                    new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(Topics.RAW.name(), "corrupt-inbound",
                        "garbage".getBytes(StandardCharsets.UTF_8))).get();
                producer.send(new ProducerRecord<>(Topics.RAW.name(), id,
                        Topics.RAW.valueSerde().serializer().serialize(Topics.RAW.name(), submission))).get();
            }

            final List<ConsumerRecord<String, OutboundEmail>> emails = KAFKA.cluster().readAtLeast(
                    Topics.OUTBOUND.name(), 2, new StringDeserializer(), Topics.OUTBOUND.valueSerde().deserializer(),
                    Duration.ofSeconds(60));
            assertThat(emails).extracting(r -> r.key() + " " + r.value().getEmailId()).containsExactlyInAnyOrder(
                    "ifaxin.com " + id + "0$ben@ifaxin.com", "example.test " + id + "1$joe@example.test");

            final List<ConsumerRecord<String, DeliveryEvent>> events = KAFKA.cluster().readAtLeast(
                    Topics.DELIVERY_EVENTS.name(), 3, new StringDeserializer(),
                    Topics.DELIVERY_EVENTS.valueSerde().deserializer(), Duration.ofSeconds(60));
            assertThat(events).extracting(r -> r.value().getType() + " " + r.value().getMessageId())
                    .containsExactlyInAnyOrder("invalid corrupt-inbound", "request " + id, "request " + id);

            final List<ConsumerRecord<String, byte[]>> dead = KAFKA.cluster().readAtLeast(Topics.RAW_DLT.name(), 1,
                    new StringDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                    Duration.ofSeconds(60));
            assertThat(dead).singleElement().satisfies(record -> {
                assertThat(record.key()).isEqualTo("corrupt-inbound");
                assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("garbage");
                assertThat(new String(record.headers().lastHeader(DeadLetterHeaders.REASON).value(),
                        StandardCharsets.UTF_8)).startsWith("corrupt record");
            });
            assertThat(app.isReady()).isTrue();
            assertThat(registry.get("mailpipe.expander.emails.expanded").counter().count()).isEqualTo(2.0);
            assertThat(registry.get("mailpipe.expander.submissions").tag("outcome", "invalid").counter().count())
                    .isEqualTo(1.0);
        } finally {
            app.close();
        }
        assertThat(app.isReady()).isFalse();
        app.close(); // harmless twice
    }
}
