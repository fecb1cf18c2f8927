package dev.mailpipe.expander.lists;

import dev.mailpipe.core.lists.ListChunk;
import dev.mailpipe.core.lists.ListKeys;
import dev.mailpipe.core.smtpapi.XSmtpApiException;
import dev.mailpipe.core.smtpapi.XSmtpApiHeader;
import dev.mailpipe.schemas.AddressMember;
import dev.mailpipe.schemas.ListTask;
import dev.mailpipe.schemas.ListTaskProgress;
import dev.mailpipe.schemas.ListTaskStatus;
import dev.mailpipe.schemas.RawMessage;
import dev.mailpipe.schemas.Topics;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the list sends of one partition. A task record is stored ({@code list-tasks}) with its
 * progress ({@code list-task-progress}); a wall-clock punctuation then walks each running task's
 * members in key order, from just after the last member queued (the cursor), and emits one
 * submission per {@link XSmtpApiHeader#MAX_RECIPIENTS} members, at most {@link Pace#chunks} per
 * punctuation. Under exactly-once the submissions, the new cursor and the progress report commit
 * in one transaction, so a crash resumes after the last committed chunk: no member twice, none
 * skipped. Nothing holds a whole list: the members are iterated from the store.
 */
final class ListTaskProcessor implements Processor<String, byte[], String, ListTasks.Output> {

    private static final Logger LOG = LoggerFactory.getLogger(ListTaskProcessor.class);
    private static final Serde<ListTask> TASKS = Topics.LIST_TASKS.valueSerde();
    private static final Serde<ListTaskProgress> PROGRESS = Topics.LIST_TASK_PROGRESS.valueSerde();
    private static final Serde<AddressMember> MEMBERS = Topics.ADDRESS_MEMBERS.valueSerde();

    /**
     * How fast a partition's tasks go out.
     *
     * @param every  punctuation interval
     * @param chunks submissions (of up to 100 members) per punctuation, over all tasks of the partition
     */
    record Pace(Duration every, int chunks) {
        /** Five punctuations a second; below five a second, fewer punctuations of one submission. */
        static Pace perSecond(final int submissions) {
            return submissions >= 5 ? new Pace(Duration.ofMillis(200), submissions / 5)
                    : new Pace(Duration.ofMillis(1000 / submissions), 1);
        }
    }

    private final Clock clock;
    private final Pace pace;
    private ProcessorContext<String, ListTasks.Output> context;
    private KeyValueStore<String, ValueAndTimestamp<byte[]>> members;
    private KeyValueStore<String, byte[]> tasks;
    private KeyValueStore<String, byte[]> progress;

    ListTaskProcessor(final Clock clock, final Pace pace) {
        this.clock = clock;
        this.pace = pace;
    }

    @Override
    public void init(final ProcessorContext<String, ListTasks.Output> context) {
        this.context = context;
        this.members = context.getStateStore(ListTasks.MEMBERS_STORE);
        this.tasks = context.getStateStore(ListTasks.TASKS_STORE);
        this.progress = context.getStateStore(ListTasks.PROGRESS_STORE);
        context.schedule(pace.every(), PunctuationType.WALL_CLOCK_TIME, now -> step());
    }

    @Override
    public void process(final Record<String, byte[]> record) {
        final ListTask task;
        try {
            task = TASKS.deserializer().deserialize(Topics.LIST_TASKS.name(), record.value());
        } catch (final RuntimeException e) {
            LOG.warn("ignoring unreadable list task {}: {}", record.key(), e.getMessage());
            return;
        }
        if (task == null || progress.get(task.getTaskId()) != null) {
            return; // a task runs once, even when its record is read again
        }
        tasks.put(task.getTaskId(), record.value());
        report(ListTaskProgress.newBuilder().setTaskId(task.getTaskId()).setApiUser(task.getApiUser())
                .setList(task.getList()).setStatus(ListTaskStatus.queued).setCreatedAt(clock.instant())
                .setUpdatedAt(clock.instant()).build());
    }

    /** One punctuation: up to {@link Pace#chunks} submissions, spread over the running tasks. */
    private void step() {
        final List<String> ids = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = tasks.all()) {
            all.forEachRemaining(kv -> ids.add(kv.key));
        }
        if (ids.isEmpty()) {
            return;
        }
        final int share = Math.max(1, pace.chunks() / ids.size());
        for (final String id : ids) {
            final ListTask task = TASKS.deserializer().deserialize(Topics.LIST_TASKS.name(), tasks.get(id));
            final ListTaskProgress current = PROGRESS.deserializer().deserialize(
                    Topics.LIST_TASK_PROGRESS.name(), progress.get(id));
            try {
                advance(task, current, share);
            } catch (final XSmtpApiException | RuntimeException e) {
                LOG.warn("list task {} to {} failed: {}", id, task.getList(), e.getMessage());
                finish(ListTaskProgress.newBuilder(current).setStatus(ListTaskStatus.failed)
                        .setReason(e.getMessage()).setUpdatedAt(clock.instant()).build());
            }
        }
    }

    private void advance(final ListTask task, final ListTaskProgress current, final int chunks)
            throws XSmtpApiException {
        ListTaskProgress next = current;
        final String prefix = ListKeys.memberPrefix(task.getApiUser(), task.getList());
        if (current.getStatus() == ListTaskStatus.queued) {
            long count = 0;
            try (KeyValueIterator<String, ValueAndTimestamp<byte[]>> all = members.range(prefix, end(prefix))) {
                while (all.hasNext()) {
                    all.next();
                    count++;
                }
            }
            next = ListTaskProgress.newBuilder(next).setStatus(ListTaskStatus.running).setMembers(count).build();
            LOG.info("list task {}: {} members of {}", task.getTaskId(), count, task.getList());
        }
        final byte[] template = bytes(task.getTemplate().getContent());
        final String from = next.getCursor() == null ? prefix : next.getCursor() + '\0';
        boolean exhausted = false;
        try (KeyValueIterator<String, ValueAndTimestamp<byte[]>> it = members.range(from, end(prefix))) {
            for (int c = 0; c < chunks && !exhausted; c++) {
                final List<ListChunk.Member> chunk = new ArrayList<>(XSmtpApiHeader.MAX_RECIPIENTS);
                String last = null;
                while (chunk.size() < XSmtpApiHeader.MAX_RECIPIENTS && it.hasNext()) {
                    final KeyValue<String, ValueAndTimestamp<byte[]>> kv = it.next();
                    last = kv.key;
                    final AddressMember m = member(kv);
                    if (m != null) {
                        chunk.add(new ListChunk.Member(m.getMember(), m.getName(), m.getVars()));
                    }
                }
                exhausted = !it.hasNext();
                if (last == null) {
                    break;
                }
                if (!chunk.isEmpty()) {
                    emit(task, chunk, next.getSubmissions());
                }
                next = ListTaskProgress.newBuilder(next).setQueued(next.getQueued() + chunk.size())
                        .setSubmissions(next.getSubmissions() + (chunk.isEmpty() ? 0 : 1)).setCursor(last)
                        .setUpdatedAt(clock.instant()).build();
            }
        }
        if (exhausted) {
            finish(ListTaskProgress.newBuilder(next).setStatus(ListTaskStatus.done).setUpdatedAt(clock.instant())
                    .build());
            LOG.info("list task {}: {} members queued", task.getTaskId(), next.getQueued());
        } else if (next != current) {
            report(next);
        }
    }

    private void emit(final ListTask task, final List<ListChunk.Member> chunk, final long index)
            throws XSmtpApiException {
        final RawMessage template = task.getTemplate();
        final RawMessage raw = RawMessage.newBuilder(template)
                .setMessageId(chunkMessageId(task.getTaskId(), index))
                .setRecipients(chunk.stream().map(ListChunk.Member::address).toList())
                .setContent(ByteBuffer.wrap(ListChunk.content(bytes(template.getContent()), chunk)))
                .setMailListTaskId(task.getTaskId())
                .build();
        context.forward(new Record<>(raw.getMessageId(), new ListTasks.Output(raw, null), clock.millis()));
    }

    /** The messageId of a task's n-th submission: unique, and the same if the chunk is ever made again. */
    static String chunkMessageId(final String taskId, final long index) {
        final String base = taskId.endsWith("-inbound") ? taskId.substring(0, taskId.length() - "-inbound".length())
                : taskId;
        return base + "_l" + index + "-inbound";
    }

    private AddressMember member(final KeyValue<String, ValueAndTimestamp<byte[]>> kv) {
        if (kv.value == null || kv.value.value() == null) {
            return null;
        }
        try {
            return MEMBERS.deserializer().deserialize(Topics.ADDRESS_MEMBERS.name(), kv.value.value());
        } catch (final RuntimeException e) {
            LOG.warn("skipping unreadable member {}: {}", kv.key, e.getMessage());
            return null;
        }
    }

    private void finish(final ListTaskProgress last) {
        tasks.delete(last.getTaskId());
        report(last);
    }

    private void report(final ListTaskProgress p) {
        progress.put(p.getTaskId(), PROGRESS.serializer().serialize(Topics.LIST_TASK_PROGRESS.name(), p));
        context.forward(new Record<>(p.getTaskId(), new ListTasks.Output(null, p), clock.millis()));
    }

    /** Just past every key that starts with {@code prefix} (which ends in the separator). */
    private static String end(final String prefix) {
        return prefix.substring(0, prefix.length() - 1) + (char) (ListKeys.SEPARATOR + 1);
    }

    private static byte[] bytes(final ByteBuffer buffer) {
        final ByteBuffer b = buffer.duplicate();
        final byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
