package dev.mailpipe.deliverer.queue;

import dev.mailpipe.deliverer.OffsetTracker;
import dev.mailpipe.platform.KafkaDefaults;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads a {@link QueueSnapshot} from Kafka, nothing else: the retry topics ({@code mail.outbound.retry-*},
 * found by name) from the deliverer group's committed offset of each partition (log start when it has
 * none; offsets the commit's {@code mp1:} metadata names as done are skipped) to the read_committed end
 * offset taken at the start; {@code mail.delivery-events} from shortly before the oldest such record, but
 * only when some record lacks the last-error header; every consumer group's committed offsets against the
 * end offsets for the lag. One admin client and one consumer ({@code assign()}, no group, nothing
 * committed) per source.
 */
public final class KafkaQueueSource implements QueueSource {

    private static final Duration POLL = Duration.ofMillis(200);
    /** Events are written with their retry record; this covers clock differences between producers. */
    private static final Duration EVENT_SLACK = Duration.ofMinutes(1);
    /**
     * Retry records without a last error kept until the events are read; a deliverer has written the
     * header on every record since it existed, so only a backlog from before that reaches this.
     */
    static final int SILENT_LIMIT = 100_000;
    private static final Deserializer<DeliveryEvent> EVENTS = Topics.DELIVERY_EVENTS.valueSerde().deserializer();

    private final Admin admin;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String delivererGroup;
    private final Duration timeout;
    private final Clock clock;

    /**
     * @param timeout how long one Kafka request may take, and how long a read may make no progress,
     *                before {@link #read()} fails
     */
    public KafkaQueueSource(final String bootstrapServers, final String delivererGroup, final Duration timeout,
            final Clock clock) {
        final int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        this.admin = Admin.create(KafkaDefaults.with(KafkaDefaults.admin(bootstrapServers),
                Map.of(AdminClientConfig.CLIENT_ID_CONFIG, "mailpipe-queue",
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs,
                        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs)));
        final Map<String, Object> consumerProps = KafkaDefaults.with(KafkaDefaults.consumer(bootstrapServers, "unused"),
                Map.of(ConsumerConfig.CLIENT_ID_CONFIG, "mailpipe-queue",
                        ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                        ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs,
                        ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs));
        consumerProps.remove(ConsumerConfig.GROUP_ID_CONFIG); // assign() only: no group, nothing committed
        this.consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.delivererGroup = delivererGroup;
        this.timeout = timeout;
        this.clock = clock;
    }

    @Override
    public QueueSnapshot read() {
        final Instant readAt = clock.instant();
        final Set<String> names = get(admin.listTopics().names());
        final List<String> retryTopics = RetryStages.ordered(names);
        final List<TopicPartition> partitions = partitionsOf(retryTopics);
        final Map<TopicPartition, OffsetAndMetadata> committed = committedOffsets(delivererGroup);
        final Map<TopicPartition, Long> earliest = offsets(partitions, tp -> OffsetSpec.earliest());
        final Map<TopicPartition, Long> end = offsets(partitions, tp -> OffsetSpec.latest());

        final Map<TopicPartition, Long> start = new HashMap<>();
        final Map<TopicPartition, Set<Long>> done = new HashMap<>();
        for (final TopicPartition tp : partitions) {
            final OffsetAndMetadata c = committed.get(tp);
            final long from = c == null ? earliest.get(tp) : Math.max(c.offset(), earliest.get(tp));
            start.put(tp, from);
            done.put(tp, c == null ? Set.of() : new HashSet<>(OffsetTracker.decode(c.offset(), c.metadata())));
        }
        // counted as read; only records without the last-error header (written by a deliverer before
        // it existed) wait for the events, and at most SILENT_LIMIT of them (the rest count as unknown)
        final QueueShape shape = new QueueShape(retryTopics);
        final List<DeferredEmail> silent = new ArrayList<>();
        final long[] undecodable = {0};
        readRange(start, end, record -> {
            if (done.get(new TopicPartition(record.topic(), record.partition())).contains(record.offset())) {
                return;
            }
            final DeferredEmail email;
            try {
                email = RetryRecords.decode(record);
            } catch (final RuntimeException e) {
                undecodable[0]++;
                return;
            }
            if (email.lastError() == null && silent.size() < SILENT_LIMIT) {
                silent.add(email);
            } else {
                shape.add(email);
            }
        });

        final LastErrors errors = new LastErrors(silent);
        if (errors.needed() && names.contains(Topics.DELIVERY_EVENTS.name())) {
            final long from = silent.stream().map(DeferredEmail::deferredAt)
                    .min(Instant::compareTo).orElse(readAt).minus(EVENT_SLACK).toEpochMilli();
            final List<TopicPartition> eventPartitions = partitionsOf(List.of(Topics.DELIVERY_EVENTS.name()));
            final Map<TopicPartition, Long> eventEnd = offsets(eventPartitions, tp -> OffsetSpec.latest());
            final Map<TopicPartition, Long> eventStart = offsets(eventPartitions, tp -> OffsetSpec.forTimestamp(from));
            eventStart.replaceAll((tp, offset) -> offset < 0 ? eventEnd.get(tp) : offset); // -1: none that late
            readRange(eventStart, eventEnd, record -> {
                try {
                    final DeliveryEvent event = EVENTS.deserialize(record.topic(), record.value());
                    if (event != null) {
                        errors.offer(event);
                    }
                } catch (final RuntimeException e) {
                    // not an event: nothing to learn from it
                }
            });
        }
        errors.fill(silent).forEach(shape::add);
        return new QueueSnapshot(readAt, delivererGroup, retryTopics, shape, undecodable[0], lags());
    }

    /** Every consumer group's lag per topic, over the partitions it committed offsets for. */
    private List<GroupLag> lags() {
        final Collection<GroupListing> groups = get(admin.listGroups(ListGroupsOptions.forConsumerGroups()).all());
        if (groups.isEmpty()) {
            return List.of();
        }
        final Map<String, ListConsumerGroupOffsetsSpec> specs = new TreeMap<>();
        groups.forEach(g -> specs.put(g.groupId(), new ListConsumerGroupOffsetsSpec()));
        final Map<String, Map<TopicPartition, OffsetAndMetadata>> offsets = get(admin.listConsumerGroupOffsets(specs).all());
        final Set<TopicPartition> all = new HashSet<>();
        offsets.values().forEach(m -> m.forEach((tp, o) -> {
            if (o != null) {
                all.add(tp);
            }
        }));
        final Map<TopicPartition, Long> end = offsets(all, tp -> OffsetSpec.latest());
        final List<GroupLag> lags = new ArrayList<>();
        offsets.forEach((group, committed) -> {
            final Map<String, long[]> perTopic = new TreeMap<>(); // [partitions, lag]
            committed.forEach((tp, o) -> {
                if (o != null && end.containsKey(tp)) {
                    final long[] acc = perTopic.computeIfAbsent(tp.topic(), t -> new long[2]);
                    acc[0]++;
                    acc[1] += Math.max(0, end.get(tp) - o.offset());
                }
            });
            perTopic.forEach((topic, acc) -> lags.add(new GroupLag(group, topic, (int) acc[0], acc[1])));
        });
        return lags;
    }

    private Map<TopicPartition, OffsetAndMetadata> committedOffsets(final String group) {
        final Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
        get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()).forEach((tp, o) -> {
            if (o != null) {
                committed.put(tp, o);
            }
        });
        return committed;
    }

    private List<TopicPartition> partitionsOf(final List<String> topics) {
        if (topics.isEmpty()) {
            return List.of();
        }
        final Map<String, TopicDescription> descriptions = get(admin.describeTopics(topics).allTopicNames());
        final List<TopicPartition> partitions = new ArrayList<>();
        for (final String topic : topics) {
            descriptions.get(topic).partitions().forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        return partitions;
    }

    /** read_committed offsets (the end is the last stable offset: open transactions are not counted). */
    private Map<TopicPartition, Long> offsets(final Collection<TopicPartition> partitions,
            final java.util.function.Function<TopicPartition, OffsetSpec> spec) {
        if (partitions.isEmpty()) {
            return new HashMap<>();
        }
        final Map<TopicPartition, OffsetSpec> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, spec.apply(tp)));
        final Map<TopicPartition, Long> result = new HashMap<>();
        get(admin.listOffsets(query, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all())
                .forEach((tp, info) -> result.put(tp, info.offset()));
        return result;
    }

    /** Feeds every record in [start, end) of each partition to {@code visitor}. */
    private void readRange(final Map<TopicPartition, Long> start, final Map<TopicPartition, Long> end,
            final Consumer<ConsumerRecord<byte[], byte[]>> visitor) {
        final Set<TopicPartition> remaining = new HashSet<>();
        start.forEach((tp, from) -> {
            if (from < end.get(tp)) {
                remaining.add(tp);
            }
        });
        consumer.assign(remaining);
        remaining.forEach(tp -> consumer.seek(tp, start.get(tp)));
        long lastProgress = System.nanoTime();
        while (!remaining.isEmpty()) {
            final ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
            for (final TopicPartition tp : records.partitions()) {
                for (final ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
                    if (record.offset() < end.get(tp)) {
                        visitor.accept(record);
                    }
                }
            }
            if (!records.isEmpty()) {
                lastProgress = System.nanoTime();
            }
            final List<TopicPartition> finished = remaining.stream().filter(tp -> consumer.position(tp) >= end.get(tp))
                    .toList();
            if (!finished.isEmpty()) {
                finished.forEach(remaining::remove);
                consumer.pause(finished);
                lastProgress = System.nanoTime();
            }
            if (!remaining.isEmpty() && System.nanoTime() - lastProgress > timeout.toNanos()) {
                throw new QueueException("reading made no progress for " + timeout.toSeconds()
                        + " s; partitions still short of their end offset: " + remaining);
            }
        }
        consumer.assign(List.of());
    }

    private <T> T get(final KafkaFuture<T> future) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueueException("interrupted", e);
        } catch (final ExecutionException e) {
            throw new QueueException(e.getCause().getMessage(), e.getCause());
        } catch (final TimeoutException e) {
            throw new QueueException("no answer within " + timeout.toSeconds() + " s", e);
        }
    }

    @Override
    public void close() {
        consumer.close();
        admin.close();
    }
}
