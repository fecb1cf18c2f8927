package dev.mailpipe.platform;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A compacted topic (string key, value decoded by a {@link Serde}, tombstone = removed) mirrored
 * into memory, so every replica of every service sees the same state: accounts, sender domains,
 * suppressions, webhook endpoints.
 *
 * <p>Lifecycle: {@link #start} reads the whole topic and returns only once it is caught up with the
 * end offsets it saw at start (so a replica never serves from a partial view), then a daemon thread
 * follows new records until {@link #close}. {@link #put} and {@link #remove} wait for the broker's
 * acknowledgement and apply the change locally at once. A record that cannot be decoded is logged
 * and skipped (it never stops the follower). Reads are lock-free views of a concurrent map.
 *
 * @param <V> value type
 */
public final class CompactedTable<V> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CompactedTable.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** How long a topic that does not show in the metadata yet is waited for (just created elsewhere). */
    private static final Duration TOPIC_METADATA_WAIT = Duration.ofSeconds(10);

    private final String topic;
    private final Serde<V> serde;
    private final Map<String, V> values = new ConcurrentHashMap<>();
    private final KafkaConsumer<String, byte[]> consumer;
    /** Null for a read-only table: a reader (./mailpipe stats as operator-readonly) needs no producer id. */
    private final KafkaProducer<String, byte[]> producer;
    private final Thread follower;
    private final BiConsumer<String, V> listener;
    private volatile boolean closed;

    private CompactedTable(final String bootstrap, final String clientId, final String topic, final Serde<V> serde,
            final BiConsumer<String, V> listener, final boolean writable) {
        this.topic = topic;
        this.serde = serde;
        this.listener = listener;
        final Map<String, Object> consumerProps = KafkaDefaults.client(bootstrap);
        consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-" + topic);
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
        if (writable) {
            final Map<String, Object> producerProps = KafkaDefaults.client(bootstrap);
            producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-" + topic);
            producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
            producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
        } else {
            this.producer = null;
        }
        this.follower = new Thread(this::follow, "mailpipe-table-" + topic);
        this.follower.setDaemon(true);
    }

    /** The spec of a table topic: one partition (small, ordered), compacted. */
    public static TopicProvisioner.TopicSpec topicSpec(final String topic) {
        return new TopicProvisioner.TopicSpec(topic, 1, Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "0"));
    }

    /** Starts following {@code topic}; returns once everything already in it was read. */
    public static <V> CompactedTable<V> start(final String bootstrap, final String clientId, final String topic,
            final Serde<V> serde) {
        return start(bootstrap, clientId, topic, serde, (key, value) -> { });
    }

    /**
     * As {@link #start(String, String, String, Serde)}, calling {@code listener} with every key read
     * or written (value {@code null} for a removal), on the thread that applied it.
     */
    public static <V> CompactedTable<V> start(final String bootstrap, final String clientId, final String topic,
            final Serde<V> serde, final BiConsumer<String, V> listener) {
        return start(new CompactedTable<>(bootstrap, clientId, topic, serde, listener, true));
    }

    /**
     * As {@link #start(String, String, String, Serde)} for a reader only: no producer, so it needs
     * nothing but READ on the topic; {@link #put} and {@link #remove} throw.
     */
    public static <V> CompactedTable<V> readOnly(final String bootstrap, final String clientId, final String topic,
            final Serde<V> serde) {
        return start(new CompactedTable<>(bootstrap, clientId, topic, serde, (key, value) -> { }, false));
    }

    private static <V> CompactedTable<V> start(final CompactedTable<V> table) {
        final String topic = table.topic;
        try {
            table.catchUp();
        } catch (final RuntimeException e) {
            table.consumer.close();
            if (table.producer != null) {
                table.producer.close(Duration.ZERO);
            }
            throw e;
        }
        table.follower.start();
        LOG.info("{} entries loaded from {}", table.values.size(), topic);
        return table;
    }

    private void catchUp() {
        List<TopicPartition> partitions = partitionsOf(topic);
        // A topic created a moment ago (TopicProvisioner at start) may not be in the metadata yet.
        final long metadataDeadline = System.nanoTime() + TOPIC_METADATA_WAIT.toNanos();
        while (partitions.isEmpty() && System.nanoTime() < metadataDeadline) {
            try {
                Thread.sleep(100);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            partitions = partitionsOf(topic);
        }
        if (partitions.isEmpty()) {
            // Following nothing would leave this replica blind to every later change.
            throw new IllegalStateException("topic " + topic + " does not exist; create it first");
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        final Map<TopicPartition, Long> end = consumer.endOffsets(partitions, START_TIMEOUT);
        final long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!caughtUp(end)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read topic " + topic + " within " + START_TIMEOUT.toSeconds() + " s");
            }
            apply(consumer.poll(Duration.ofMillis(200)));
        }
    }

    private List<TopicPartition> partitionsOf(final String name) {
        return consumer.partitionsFor(name, START_TIMEOUT).stream()
                .map(p -> new TopicPartition(name, p.partition())).toList();
    }

    private boolean caughtUp(final Map<TopicPartition, Long> end) {
        for (final Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void follow() {
        try {
            while (!closed) {
                apply(consumer.poll(Duration.ofMillis(500)));
            }
        } catch (final WakeupException e) {
            // closing
        } catch (final RuntimeException e) {
            LOG.error("stopped following {}: this replica no longer sees its changes", topic, e);
        } finally {
            consumer.close();
        }
    }

    private void apply(final Iterable<ConsumerRecord<String, byte[]>> records) {
        for (final ConsumerRecord<String, byte[]> r : records) {
            if (r.key() == null) {
                continue;
            }
            if (r.value() == null) {
                values.remove(r.key());
                listener.accept(r.key(), null);
                continue;
            }
            try {
                final V value = serde.deserializer().deserialize(topic, r.value());
                values.put(r.key(), value);
                listener.accept(r.key(), value);
            } catch (final RuntimeException e) {
                LOG.warn("ignoring unreadable record {} of {} at offset {}: {}", r.key(), topic, r.offset(), e.getMessage());
            }
        }
    }

    public Optional<V> get(final String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** A read-only live view of every entry. */
    public Map<String, V> all() {
        return java.util.Collections.unmodifiableMap(values);
    }

    /** Writes {@code value} under {@code key} and waits for the acknowledgement; this replica sees it at once. */
    public void put(final String key, final V value) {
        send(key, serde.serializer().serialize(topic, value));
        values.put(key, value);
        listener.accept(key, value);
    }

    /** Writes a tombstone for {@code key} and waits for the acknowledgement. */
    public void remove(final String key) {
        send(key, null);
        values.remove(key);
        listener.accept(key, null);
    }

    private void send(final String key, final byte[] bytes) {
        if (producer == null) {
            throw new IllegalStateException("the table of " + topic + " is read-only here");
        }
        try {
            producer.send(new ProducerRecord<>(topic, key, bytes)).get(30, TimeUnit.SECONDS);
        } catch (final ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot write " + key + " to " + topic + ": " + e.getMessage(), e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted writing " + key + " to " + topic, e);
        }
    }

    /** True while the topic is being followed (changes by other replicas arrive). */
    public boolean isFollowing() {
        return !closed && follower.isAlive();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        consumer.wakeup();
        try {
            follower.join(5_000);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
