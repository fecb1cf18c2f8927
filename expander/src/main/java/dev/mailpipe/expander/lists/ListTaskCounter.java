package dev.mailpipe.expander.lists;

import dev.mailpipe.schemas.BounceClass;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.ListTaskCounts;
import dev.mailpipe.schemas.Topics;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Counts the events of list sends per task (records keyed by task id, after a repartition): each
 * email at most once per event type, so an event written twice (a deliverer retry after a crash,
 * an open fetched again) does not count twice. Emits the task's counts after every change.
 */
final class ListTaskCounter implements Processor<String, DeliveryEvent, String, ListTaskCounts> {

    private static final Serde<ListTaskCounts> COUNTS = Topics.LIST_TASK_COUNTS.valueSerde();
    private static final byte[] SEEN = new byte[0];

    private final Clock clock;
    private ProcessorContext<String, ListTaskCounts> context;
    private KeyValueStore<String, byte[]> seen;
    private KeyValueStore<String, byte[]> counts;

    ListTaskCounter(final Clock clock) {
        this.clock = clock;
    }

    @Override
    public void init(final ProcessorContext<String, ListTaskCounts> context) {
        this.context = context;
        this.seen = context.getStateStore(ListTasks.SEEN_STORE);
        this.counts = context.getStateStore(ListTasks.COUNTS_STORE);
    }

    @Override
    public void process(final Record<String, DeliveryEvent> record) {
        final DeliveryEvent event = record.value();
        final String once = record.key() + '|' + event.getEmailId() + '|' + event.getType();
        if (event.getType() == EventType.unknown || seen.get(once) != null) {
            return;
        }
        seen.put(once, SEEN);
        final byte[] old = counts.get(record.key());
        final ListTaskCounts current = old == null ? null
                : COUNTS.deserializer().deserialize(Topics.LIST_TASK_COUNTS.name(), old);
        final Map<String, Long> byType = new HashMap<>(current == null ? Map.of() : current.getCounts());
        byType.merge(event.getType().name(), 1L, Long::sum);
        final long hard = (current == null ? 0 : current.getHardBounced())
                + (event.getType() == EventType.bounced && event.getBounceClass() == BounceClass.hard ? 1 : 0);
        final ListTaskCounts next = ListTaskCounts.newBuilder().setTaskId(record.key()).setCounts(byType)
                .setHardBounced(hard).setUpdatedAt(clock.instant()).build();
        counts.put(record.key(), COUNTS.serializer().serialize(Topics.LIST_TASK_COUNTS.name(), next));
        context.forward(new Record<>(record.key(), next, record.timestamp()));
    }
}
