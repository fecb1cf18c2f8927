package dev.mailpipe.web.api;

import dev.mailpipe.core.lists.ListKeys;
import dev.mailpipe.platform.CompactedTable;
import dev.mailpipe.platform.KafkaDefaults;
import dev.mailpipe.schemas.AddressList;
import dev.mailpipe.schemas.AddressMember;
import dev.mailpipe.schemas.ListTask;
import dev.mailpipe.schemas.ListTaskCounts;
import dev.mailpipe.schemas.ListTaskProgress;
import dev.mailpipe.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The address lists of the Web API, in Kafka: lists in the compacted {@code mail.address-lists}
 * (followed in memory: lists are few), members in the compacted {@code mail.address-members}, every
 * member of a list in its list's partition ({@link ListKeys#partition}), sends in
 * {@code mail.list-tasks} in that same partition, progress and event counts read from
 * {@code mail.list-tasks.progress} and {@code mail.list-tasks.counts}.
 * Members are never all held: the expander iterates them from its state store; paging through a
 * list here scans the list's partition and keeps that list's current members only while it answers.
 */
public final class AddressBook implements AutoCloseable {

    private static final Duration ACK = Duration.ofSeconds(30);

    private final String bootstrap;
    private final CompactedTable<AddressList> lists;
    private final CompactedTable<ListTaskProgress> progress;
    private final CompactedTable<ListTaskCounts> counts;
    private final KafkaProducer<String, byte[]> producer;
    private final int partitions;

    private AddressBook(final String bootstrap, final CompactedTable<AddressList> lists,
            final CompactedTable<ListTaskProgress> progress, final CompactedTable<ListTaskCounts> counts,
            final KafkaProducer<String, byte[]> producer, final int partitions) {
        this.bootstrap = bootstrap;
        this.lists = lists;
        this.progress = progress;
        this.counts = counts;
        this.producer = producer;
        this.partitions = partitions;
    }

    /**
     * Follows the lists and the tasks' progress; the topics must exist with members and tasks of
     * the same partition count (they share partitions), else this fails naming both.
     */
    public static AddressBook start(final String bootstrap, final String clientId) {
        final KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                KafkaDefaults.producer(bootstrap, clientId + "-lists"), new StringSerializer(), new ByteArraySerializer());
        CompactedTable<AddressList> lists = null;
        CompactedTable<ListTaskProgress> progress = null;
        try {
            final int members = producer.partitionsFor(Topics.ADDRESS_MEMBERS.name()).size();
            final int tasks = producer.partitionsFor(Topics.LIST_TASKS.name()).size();
            if (members != tasks) {
                throw new IllegalStateException(Topics.ADDRESS_MEMBERS.name() + " has " + members + " partitions and "
                        + Topics.LIST_TASKS.name() + " " + tasks + ": a list's members and its sends must share a "
                        + "partition, give both topics the same partition count");
            }
            lists = CompactedTable.start(bootstrap, clientId + "-lists", Topics.ADDRESS_LISTS.name(),
                    Topics.ADDRESS_LISTS.valueSerde());
            progress = CompactedTable.start(bootstrap, clientId + "-tasks",
                    Topics.LIST_TASK_PROGRESS.name(), Topics.LIST_TASK_PROGRESS.valueSerde());
            final CompactedTable<ListTaskCounts> counts = CompactedTable.start(bootstrap, clientId + "-counts",
                    Topics.LIST_TASK_COUNTS.name(), Topics.LIST_TASK_COUNTS.valueSerde());
            return new AddressBook(bootstrap, lists, progress, counts, producer, members);
        } catch (final RuntimeException e) {
            if (lists != null) {
                lists.close();
            }
            if (progress != null) {
                progress.close();
            }
            producer.close(Duration.ZERO);
            throw e;
        }
    }

    public Optional<AddressList> list(final String apiUser, final String address) {
        return lists.get(ListKeys.list(apiUser, address));
    }

    /** The account's lists, by address. */
    public List<AddressList> lists(final String apiUser) {
        final String prefix = apiUser + ListKeys.SEPARATOR;
        return lists.all().entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).map(Map.Entry::getValue)
                .sorted(Comparator.comparing(AddressList::getAddress)).toList();
    }

    public void putList(final AddressList list) {
        lists.put(ListKeys.list(list.getApiUser(), list.getAddress()), list);
    }

    /** Deletes a list and every one of its members. */
    public int deleteList(final String apiUser, final String address) {
        final java.util.Set<String> keys = new java.util.LinkedHashSet<>();
        scan(apiUser, address, (key, member) -> keys.add(key));
        final List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (final String key : keys) {
            acks.add(producer.send(new ProducerRecord<>(Topics.ADDRESS_MEMBERS.name(), partition(apiUser, address), key,
                    null)));
        }
        await(acks);
        lists.remove(ListKeys.list(apiUser, address));
        return keys.size();
    }

    /** Writes members (new or changed) and waits for every acknowledgement. */
    public void putMembers(final List<AddressMember> members) {
        final List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (final AddressMember m : members) {
            acks.add(producer.send(new ProducerRecord<>(Topics.ADDRESS_MEMBERS.name(),
                    partition(m.getApiUser(), m.getList()), ListKeys.member(m.getApiUser(), m.getList(), m.getMember()),
                    Topics.ADDRESS_MEMBERS.valueSerde().serializer().serialize(Topics.ADDRESS_MEMBERS.name(), m))));
        }
        await(acks);
    }

    /** Removes members (tombstones) and waits for the acknowledgements. */
    public void removeMembers(final String apiUser, final String list, final List<String> members) {
        final List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (final String m : members) {
            acks.add(producer.send(new ProducerRecord<>(Topics.ADDRESS_MEMBERS.name(), partition(apiUser, list),
                    ListKeys.member(apiUser, list, m), null)));
        }
        await(acks);
    }

    /** A page of a list's current members in key order, and how many there are in all. */
    public record Page(long total, List<AddressMember> members) {
    }

    public Page members(final String apiUser, final String list, final int start, final int limit) {
        final TreeMap<String, AddressMember> current = new TreeMap<>();
        scan(apiUser, list, (key, member) -> {
            if (member == null) {
                current.remove(key);
            } else {
                current.put(key, member);
            }
        });
        return new Page(current.size(), current.values().stream().skip(start).limit(limit).toList());
    }

    /** Queues a send to a list and waits for the acknowledgement. */
    public void submit(final ListTask task) {
        await(List.of(producer.send(new ProducerRecord<>(Topics.LIST_TASKS.name(),
                partition(task.getApiUser(), task.getList()), task.getTaskId(),
                Topics.LIST_TASKS.valueSerde().serializer().serialize(Topics.LIST_TASKS.name(), task)))));
    }

    public Optional<ListTaskProgress> progress(final String taskId) {
        return progress.get(taskId);
    }

    /** The task's emails per event type, as the expander counted them (empty before its first event). */
    public Optional<ListTaskCounts> counts(final String taskId) {
        return counts.get(taskId);
    }

    private int partition(final String apiUser, final String list) {
        return ListKeys.partition(apiUser, list, partitions);
    }

    /** Reads the list's partition from the beginning to its current end, calling back with every record of the list. */
    private void scan(final String apiUser, final String list,
            final java.util.function.BiConsumer<String, AddressMember> each) {
        final String prefix = ListKeys.memberPrefix(apiUser, list);
        final Map<String, Object> props = KafkaDefaults.client(bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            final TopicPartition tp = new TopicPartition(Topics.ADDRESS_MEMBERS.name(), partition(apiUser, list));
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            final long end = consumer.endOffsets(List.of(tp), ACK).get(tp);
            final long deadline = System.nanoTime() + ACK.toNanos();
            while (consumer.position(tp, ACK) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + tp + " within " + ACK.toSeconds() + " s");
                }
                for (final ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && r.key().startsWith(prefix)) {
                        each.accept(r.key(), r.value() == null ? null : Topics.ADDRESS_MEMBERS.valueSerde()
                                .deserializer().deserialize(Topics.ADDRESS_MEMBERS.name(), r.value()));
                    }
                }
            }
        }
    }

    private static void await(final List<Future<RecordMetadata>> acks) {
        try {
            for (final Future<RecordMetadata> ack : acks) {
                ack.get(ACK.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (final ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka did not acknowledge: " + e.getMessage(), e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for Kafka", e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        lists.close();
        progress.close();
        counts.close();
    }
}
