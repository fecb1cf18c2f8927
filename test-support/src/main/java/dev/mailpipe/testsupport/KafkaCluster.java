package dev.mailpipe.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.awaitility.Awaitility;

/**
 * A real single-node KRaft cluster inside the test JVM, from Kafka's own test kit. Start it once
 * per test class (about 5 s); close it at the end.
 */
public final class KafkaCluster implements AutoCloseable {

    private final KafkaClusterTestKit kit;

    private KafkaCluster(final KafkaClusterTestKit kit) {
        this.kit = kit;
    }

    /** Formats and starts a combined broker+controller node and waits until it serves. */
    public static KafkaCluster start() {
        try {
            final TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build();
            final KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(nodes)
                    // Without replication factor 1 for the internal topics, consumers silently get nothing.
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "4")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("transaction.state.log.num.partitions", "4")
                    .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                    .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("message.max.bytes", String.valueOf(64 * 1024 * 1024))
                    .build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            return new KafkaCluster(kit);
        } catch (final Exception e) {
            throw new IllegalStateException("cannot start the in-JVM Kafka cluster", e);
        }
    }

    public String bootstrapServers() {
        return kit.bootstrapServers();
    }

    public Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", bootstrapServers()));
    }

    /** Creates topics with the given partition count (replication factor 1); existing ones are kept. */
    public void createTopics(final int partitions, final String... names) {
        try (Admin admin = admin()) {
            final Collection<String> existing = admin.listTopics().names().get();
            final List<NewTopic> topics = new ArrayList<>();
            for (final String name : names) {
                if (!existing.contains(name)) {
                    topics.add(new NewTopic(name, partitions, (short) 1));
                }
            }
            admin.createTopics(topics).all().get();
        } catch (final Exception e) {
            throw new IllegalStateException("cannot create topics", e);
        }
    }

    /** Consumer properties for a fresh group reading from the beginning, committed reads only. */
    public Properties consumerProperties() {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return props;
    }

    /**
     * Reads {@code topic} from the beginning until {@code count} records arrived, polling (no sleeps)
     * for at most {@code timeout}, and returns exactly what was read (it may be more than count).
     */
    public <K, V> List<ConsumerRecord<K, V>> readAtLeast(final String topic, final int count,
            final Deserializer<K> keys, final Deserializer<V> values, final Duration timeout) {
        final List<ConsumerRecord<K, V>> records = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(consumerProperties(), keys, values)) {
            consumer.subscribe(List.of(topic));
            Awaitility.await().atMost(timeout).pollInterval(Duration.ZERO).pollDelay(Duration.ZERO).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= count;
            });
        }
        return records;
    }

    /** A collector reading {@code topic} from the beginning; close it after the test. */
    public <K, V> TopicCollector<K, V> collector(final String topic, final Deserializer<K> keys,
            final Deserializer<V> values) {
        return new TopicCollector<>(consumerProperties(), topic, keys, values);
    }

    /** Everything on {@code topic} that can be read within {@code window}, as raw bytes. */
    public List<ConsumerRecord<byte[], byte[]>> readAll(final String topic, final Duration window) {
        final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            final long end = System.nanoTime() + window.toNanos();
            while (System.nanoTime() < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    @Override
    public void close() {
        try {
            kit.close();
        } catch (final Exception e) {
            throw new IllegalStateException("cannot stop the in-JVM Kafka cluster", e);
        }
    }
}
