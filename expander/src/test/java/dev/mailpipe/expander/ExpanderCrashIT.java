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
             CommittedReader emails = new CommittedReader(Topics.OUTBOUND.name());
             CommittedReader events = new CommittedReader(Topics.DELIVERY_EVENTS.name())) {

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
        final String java = ProcessHandle.current().info().command().orElse("java");
        final Path log = temp.resolve("child.log");
        final ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dorg.slf4j.simpleLogger.log.dev.mailpipe=info",
                "-cp", System.getProperty("java.class.path"), ExpanderApp.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        final Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("MAILPIPE_") || name.equals("KAFKA_BOOTSTRAP_SERVERS"));
        env.put("KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers());
        env.put("MAILPIPE_HTTP_PORT", "-1");
        env.put("MAILPIPE_EXPANDER_APPLICATION_ID", APP_ID);
        env.put("MAILPIPE_HOSTNAME", "expander.mailpipe.test"); // a service refuses a host name that is not a FQDN
        env.put("MAILPIPE_EXPANDER_STATE_DIR", temp.resolve("first").toString());
        // so the survivor need not wait the defaults (45 s session, 10 s transaction) to take over
        env.put("MAILPIPE_EXPANDER_STREAMS_CONSUMER_SESSION_TIMEOUT_MS", "6000");
        env.put("MAILPIPE_EXPANDER_STREAMS_PRODUCER_TRANSACTION_TIMEOUT_MS", "5000");
        final Process process = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        process.onExit().thenRun(() -> {
            try {
                LOG.info("first expander exited ({}); its log:\n{}", process.exitValue(), Files.readString(log));
            } catch (final IOException e) {
                LOG.warn("cannot read the first expander's log", e);
            }
        });
        return process;
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

    /** A read_committed consumer that keeps what it has read across several waits. */
    private static final class CommittedReader implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final List<byte[]> values = new ArrayList<>();

        CommittedReader(final String topic) {
            consumer = new KafkaConsumer<>(KAFKA.cluster().consumerProperties(), new StringDeserializer(),
                    new ByteArrayDeserializer());
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
}
