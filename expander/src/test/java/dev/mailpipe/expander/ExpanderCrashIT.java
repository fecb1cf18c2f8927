package dev.mailpipe.expander;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.platform.KafkaDefaults;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.OutboundEmail;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once across a crash: an expander in its own JVM is killed (SIGKILL, no shutdown hook,
 * a transaction open) while submissions keep arriving; a second instance takes over. Committed
 * output must hold every email of every submission exactly once.
 */
class ExpanderCrashIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final Logger LOG = LoggerFactory.getLogger(ExpanderCrashIT.class);
    private static final int SUBMISSIONS = 2000;
    private static final List<String> RECIPIENTS = List.of("ben@ifaxin.com", "joe@example.test");
    private static final String APP_ID = "crash-test-expander";

    @TempDir
    Path temp;

    private Process child;

    @AfterEach
    void killChild() {
        if (child != null) {
            child.destroyForcibly();
        }
    }

    @Test
    void shouldNeitherLoseNorDuplicateAnEmailWhenAnInstanceIsKilledMidStream() throws Exception {
        KAFKA.cluster().createTopics(3, Topics.RAW.name(), Topics.OUTBOUND.name(), Topics.DELIVERY_EVENTS.name(),
                Topics.RAW_DLT.name());
        child = startChildExpander();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                KafkaDefaults.producer(KAFKA.bootstrapServers(), "crash-it"),
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer());
             CommittedReader emails = new CommittedReader(KAFKA.cluster().consumerProperties(), Topics.OUTBOUND.name());
             CommittedReader events = new CommittedReader(KAFKA.cluster().consumerProperties(), Topics.DELIVERY_EVENTS.name())) {

            send(producer, 0); // warm-up: the child is running once this one is expanded
            emails.awaitAtLeast(RECIPIENTS.size(), Duration.ofSeconds(90));

            final AtomicInteger sent = new AtomicInteger(1);
            final CompletableFuture<Void> feeding = CompletableFuture.runAsync(() -> {
                for (int i = 1; i < SUBMISSIONS; i++) {
                    send(producer, i);
                    sent.incrementAndGet();
                }
            });
            emails.awaitAtLeast(RECIPIENTS.size() * 20, Duration.ofSeconds(60));
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            final int sentAtKill = sent.get();
            final int committedAtKill = emails.count();
            LOG.info("killed the first expander after {} submissions sent, {} emails committed", sentAtKill,
                    committedAtKill);
            assertThat(sentAtKill).as("the kill must come while input is still arriving").isLessThan(SUBMISSIONS);

            final Map<String, Object> second = new HashMap<>(Map.of(
                    ExpanderConfig.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers(),
                    ExpanderConfig.APPLICATION_ID, APP_ID,
                    ExpanderConfig.STATE_DIR, temp.resolve("second").toString(),
                    ExpanderConfig.HTTP_PORT, "-1"));
            try (ExpanderApp survivor = ExpanderApp.start(new ExpanderConfig(second), new SimpleMeterRegistry())) {
                feeding.get(120, TimeUnit.SECONDS);
                final int expected = SUBMISSIONS * RECIPIENTS.size();
                emails.awaitAtLeast(expected, Duration.ofSeconds(150));
                events.awaitAtLeast(expected, Duration.ofSeconds(60));
                emails.drainFor(Duration.ofSeconds(3));
                events.drainFor(Duration.ofSeconds(1));

                final List<String> emailIds = emails.values().stream()
                        .map(bytes -> Topics.OUTBOUND.valueSerde().deserializer().deserialize("t", bytes))
                        .map(OutboundEmail::getEmailId).toList();
                assertThat(emailIds).hasSize(expected).doesNotHaveDuplicates();
                assertThat(new HashSet<>(emailIds)).isEqualTo(expectedEmailIds());
                final List<String> requested = events.values().stream()
                        .map(bytes -> Topics.DELIVERY_EVENTS.valueSerde().deserializer().deserialize("t", bytes))
                        .filter(event -> event.getType() == EventType.request)
                        .map(DeliveryEvent::getEmailId).toList();
                assertThat(requested).hasSize(expected).doesNotHaveDuplicates();
                assertThat(survivor.isReady()).isTrue();
                LOG.info("outbound offsets beyond the committed emails (aborted records and transaction markers): {}",
                        uncommittedCount(Topics.OUTBOUND.name()) - expected);
            }
        }
    }

    private Process startChildExpander() throws IOException {
        return ChildExpander.start(KAFKA.bootstrapServers(), APP_ID, temp, Map.of());
    }

    private static void send(final KafkaProducer<String, byte[]> producer, final int i) {
        final String messageId = messageId(i);
        final byte[] value = Topics.RAW.valueSerde().serializer().serialize(Topics.RAW.name(),
                Submissions.raw(messageId, RECIPIENTS, Submissions.message("Hello number " + i + "\n")));
        try {
            producer.send(new ProducerRecord<>(Topics.RAW.name(), messageId, value)).get();
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String messageId(final int i) {
        return "1764000000000_" + i + "_1_1.crash-it-inbound";
    }

    private static Set<String> expectedEmailIds() {
        final Set<String> ids = new HashSet<>();
        for (int i = 0; i < SUBMISSIONS; i++) {
            for (int r = 0; r < RECIPIENTS.size(); r++) {
                ids.add(messageId(i) + r + "$" + RECIPIENTS.get(r));
            }
        }
        return ids;
    }

    private static int uncommittedCount(final String topic) {
        final Properties props = KAFKA.cluster().consumerProperties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            final var partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            return consumer.endOffsets(partitions).values().stream().mapToInt(Long::intValue).sum();
        }
    }
}
