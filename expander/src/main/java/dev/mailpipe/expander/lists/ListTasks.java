package dev.mailpipe.expander.lists;

import dev.mailpipe.platform.TopicProvisioner.TopicSpec;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.ListTaskProgress;
import dev.mailpipe.schemas.RawMessage;
import dev.mailpipe.schemas.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Sends to address lists, expanded in the background: the expander keeps every list's members in
 * a state store (from {@code mail.address-members}); a {@code mail.list-tasks} record starts a
 * {@link ListTaskProcessor}, which queues the members in submissions of 100 on {@code mail.raw}
 * — from there they are expanded like any submission (suppressed members dropped, tracking,
 * events carrying the task id) — and its progress on {@code mail.list-tasks.progress}.
 */
public final class ListTasks {

    public static final String MEMBERS_STORE = "address-members";
    public static final String TASKS_STORE = "list-tasks";
    public static final String PROGRESS_STORE = "list-task-progress";
    public static final String SEEN_STORE = "list-task-events-seen";
    public static final String COUNTS_STORE = "list-task-counts";

    /** What the processor emits: a submission or a progress report. */
    record Output(RawMessage raw, ListTaskProgress progress) {
    }

    private ListTasks() {
    }

    /** The topics of list sends (see platform's {@code ListTopics}). */
    public static List<TopicSpec> topics(final int partitions, final Map<String, String> topicConfig) {
        return dev.mailpipe.platform.lists.ListTopics.sends(partitions, topicConfig);
    }

    /**
     * Adds list expansion to the expander's topology.
     *
     * @param perSecond submissions (of up to 100 members) per second and partition
     */
    public static void build(final StreamsBuilder builder, final java.time.Clock clock, final int perSecond,
            final KStream<String, DeliveryEvent> events) {
        build(builder, clock, ListTaskProcessor.Pace.perSecond(perSecond), events);
    }

    static void build(final StreamsBuilder builder, final java.time.Clock clock, final ListTaskProcessor.Pace pace,
            final KStream<String, DeliveryEvent> events) {
        builder.table(Topics.ADDRESS_MEMBERS.name(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("members-source"),
                Materialized.<String, byte[], KeyValueStore<Bytes, byte[]>>as(MEMBERS_STORE)
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.ByteArray()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TASKS_STORE),
                Serdes.String(), Serdes.ByteArray()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PROGRESS_STORE),
                Serdes.String(), Serdes.ByteArray()));
        builder.stream(Topics.LIST_TASKS.name(), Consumed.with(Serdes.String(), Serdes.ByteArray())
                        .withName("list-tasks-source"))
                .process(() -> new ListTaskProcessor(clock, pace), Named.as("list-tasks"),
                        MEMBERS_STORE, TASKS_STORE, PROGRESS_STORE)
                .split(Named.as("list-output-"))
                .branch((key, out) -> out.raw() != null, Branched.withConsumer(raw -> raw
                        .mapValues(Output::raw, Named.as("list-submissions"))
                        .to(Topics.RAW.name(), Produced.with(Topics.RAW.keySerde(), Topics.RAW.valueSerde())
                                .withName("list-submissions-sink")), "raw"))
                .defaultBranch(Branched.withConsumer(progress -> progress
                        .mapValues(Output::progress, Named.as("list-progress"))
                        .to(Topics.LIST_TASK_PROGRESS.name(), Produced.with(Topics.LIST_TASK_PROGRESS.keySerde(),
                                Topics.LIST_TASK_PROGRESS.valueSerde()).withName("list-progress-sink")), "progress"));
        counts(builder, clock, events);
    }

    /** The events of list sends, counted per task onto {@code mail.list-tasks.counts}. */
    private static void counts(final StreamsBuilder builder, final java.time.Clock clock,
            final KStream<String, DeliveryEvent> events) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SEEN_STORE),
                Serdes.String(), Serdes.ByteArray()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(COUNTS_STORE),
                Serdes.String(), Serdes.ByteArray()));
        events.flatMap((key, event) -> event.getMailListTaskId() == null ? List.<KeyValue<String, DeliveryEvent>>of()
                        : List.of(KeyValue.pair(event.getMailListTaskId(), event)), Named.as("list-events"))
                .repartition(Repartitioned.<String, DeliveryEvent>as("list-task-events")
                        .withKeySerde(Serdes.String()).withValueSerde(Topics.DELIVERY_EVENTS.valueSerde()))
                .process(() -> new ListTaskCounter(clock), Named.as("list-task-counter"), SEEN_STORE, COUNTS_STORE)
                .to(Topics.LIST_TASK_COUNTS.name(), Produced.with(Topics.LIST_TASK_COUNTS.keySerde(),
                        Topics.LIST_TASK_COUNTS.valueSerde()).withName("list-counts-sink"));
    }

}
