package dev.mailpipe.deliverer;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer thread. Reads mail.outbound and the retry topics, hands each record to a worker
 * (many in flight per partition), and commits per partition up to the highest contiguous record
 * whose outputs Kafka acknowledged, with the completed records above it in the commit's metadata
 * ({@link OffsetTracker}): a crash redelivers only what was in flight.
 *
 * <p>Retry records not yet due: the partition is sought back to that record and paused until
 * its due time; the thread keeps polling (heartbeats, other partitions) with a poll timeout no
 * longer than the time to the next due partition — neither sleeping nor spinning.
 *
 * <p>In-flight limit, exact: a record holds one of {@code maxInFlight} slots from its dispatch
 * until a successful commit covers its completion (so at most {@code maxInFlight} records can be
 * redelivered by a crash). When the slots are taken the partition is sought back to the first
 * record not dispatched and every partition is paused until half the slots are free.
 *
 * <p>A partition that is revoked or lost keeps its tracker in this process; when it comes back,
 * what was delivered (or is still being delivered) here meanwhile is not started again.
 *
 * <p>Lifecycle: {@link #run()} until {@link #stop()}; then it stops fetching, waits up to the
 * grace period for in-flight deliveries, commits what completed and closes the consumer.
 * Unfinished deliveries are handed back (their records are redelivered to the next owner).
 */
final class DeliveryLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryLoop.class);
    private static final Duration MAX_POLL = Duration.ofMillis(100);

    private static final Duration FLOW_PAUSED_POLL = Duration.ofMillis(20);
    private static final Duration COMMITTED_LOOKUP_TIMEOUT = Duration.ofSeconds(15);

    private record Completion(TopicPartition partition, long offset, boolean ok) {
    }

    private final Consumer<String, byte[]> consumer;
    private final List<String> topics;
    private final RecordProcessor processor;
    private final Publisher publisher;
    private final RetryPolicy policy;
    private final ExecutorService workers;
    private final Clock clock;
    private final int maxInFlight;
    private volatile Duration grace;
    private volatile Duration clientTimeout = Duration.ofSeconds(10);

    private final Map<TopicPartition, OffsetTracker> trackers = new HashMap<>();
    /** Trackers of partitions this process no longer owns: reused if they come back. */
    private final Map<TopicPartition, OffsetTracker> retired = new HashMap<>();
    private final Map<TopicPartition, Long> pausedUntil = new HashMap<>();
    private final BlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private boolean flowPaused;
    private volatile boolean running = true;
    private volatile boolean started;

    DeliveryLoop(final Consumer<String, byte[]> consumer, final List<String> topics, final RecordProcessor processor,
            final Publisher publisher, final RetryPolicy policy, final ExecutorService workers, final Clock clock,
            final int maxInFlight, final Duration grace) {
        this.consumer = consumer;
        this.topics = topics;
        this.processor = processor;
        this.publisher = publisher;
        this.policy = policy;
        this.workers = workers;
        this.clock = clock;
        this.maxInFlight = maxInFlight;
        this.grace = grace;
    }

    int inFlight() {
        return inFlight.get();
    }

    /** Records dispatched whose completion no successful commit covers yet (consumer thread). */
    private long unsettled() {
        long n = 0;
        for (final OffsetTracker t : trackers.values()) {
            n += t.unsettled();
        }
        for (final OffsetTracker t : retired.values()) {
            n += t.pending();
        }
        return n;
    }

    boolean running() {
        return running && started;
    }

    /** Asks the loop to finish; returns at once. */
    void stop() {
        running = false;
        consumer.wakeup();
    }

    /**
     * As {@link #stop()}, waiting at most {@code grace} for in-flight deliveries and
     * {@code clientTimeout} for the final commit and the group leave (short during an outage).
     */
    void stop(final Duration grace, final Duration clientTimeout) {
        this.grace = grace;
        this.clientTimeout = clientTimeout;
        stop();
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(topics, new Rebalance());
            started = true;
            while (running) {
                applyCompletions();
                commitAsync();
                final long now = clock.millis();
                resumeDue(now);
                flowControl();
                final ConsumerRecords<String, byte[]> records = consumer.poll(pollTimeout(now));
                dispatch(records);
            }
        } catch (final WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (final RuntimeException e) {
            LOG.error("delivery loop failed; in-flight deliveries will be redelivered", e);
        } finally {
            running = false;
            try {
                consumer.pause(consumer.assignment());
                awaitInFlight(trackers.keySet(), grace);
                commitSync(trackers.keySet());
            } catch (final RuntimeException e) {
                LOG.warn("final commit failed; the next owner redelivers uncommitted records", e);
            } finally {
                // a static member stays in the group on close unless told: leave, so others take over at once
                consumer.close(CloseOptions.timeout(clientTimeout)
                        .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
            }
        }
    }

    private Duration pollTimeout(final long now) {
        long timeout = flowPaused ? FLOW_PAUSED_POLL.toMillis() : MAX_POLL.toMillis();
        for (final long due : pausedUntil.values()) {
            timeout = Math.min(timeout, Math.max(0, due - now));
        }
        return Duration.ofMillis(timeout);
    }

    private void dispatch(final ConsumerRecords<String, byte[]> records) {
        final long now = clock.millis();
        long slotsTaken = unsettled();
        boolean full = false;
        for (final TopicPartition tp : records.partitions()) {
            final boolean retryTopic = policy.stageOf(tp.topic()).isPresent();
            for (final ConsumerRecord<String, byte[]> record : records.records(tp)) {
                if (full || slotsTaken >= maxInFlight) {
                    // every slot is taken: fetch this record again once slots are free
                    consumer.seek(tp, record.offset());
                    if (!full) {
                        full = true;
                        flowPaused = true;
                        consumer.pause(consumer.assignment());
                    }
                    break;
                }
                if (retryTopic) {
                    final long due = dueAt(record);
                    if (due > now) {
                        // not yet: come back to exactly this record when it is due
                        consumer.seek(tp, record.offset());
                        consumer.pause(List.of(tp));
                        pausedUntil.put(tp, due);
                        break;
                    }
                }
                final OffsetTracker tracker = trackers.computeIfAbsent(tp, p -> OffsetTracker.fresh());
                if (!tracker.begin(record.offset())) {
                    continue; // delivered already (commit metadata, or by this process before a rebalance)
                }
                slotsTaken++;
                inFlight.incrementAndGet();
                workers.execute(() -> work(tp, record));
            }
        }
    }

    private long dueAt(final ConsumerRecord<String, byte[]> record) {
        return RetryHeaders.get(record.headers(), RetryHeaders.DUE_AT).orElseGet(() ->
                record.timestamp() + policy.stageOf(record.topic()).orElseThrow().delay().toMillis());
    }

    private void work(final TopicPartition tp, final ConsumerRecord<String, byte[]> record) {
        try {
            publisher.publish(processor.process(record)).whenComplete((ok, e) -> {
                inFlight.decrementAndGet();
                completions.add(new Completion(tp, record.offset(), e == null));
            });
        } catch (final InterruptedException e) {
            inFlight.decrementAndGet();
            completions.add(new Completion(tp, record.offset(), false));
            LOG.info("delivery of {}-{}@{} abandoned at shutdown; it will be redelivered", tp.topic(), tp.partition(),
                    record.offset());
        } catch (final RuntimeException e) {
            inFlight.decrementAndGet();
            completions.add(new Completion(tp, record.offset(), false));
            LOG.error("delivery of {}-{}@{} failed unexpectedly; it will be redelivered after a restart or rebalance",
                    tp.topic(), tp.partition(), record.offset(), e);
        }
    }

    private void applyCompletions() {
        Completion c;
        while ((c = completions.poll()) != null) {
            apply(c);
        }
    }

    private void apply(final Completion c) {
        OffsetTracker tracker = trackers.get(c.partition());
        if (tracker == null) {
            tracker = retired.get(c.partition());
        }
        if (tracker != null) {
            if (c.ok()) {
                tracker.completed(c.offset());
            } else {
                tracker.failed(c.offset());
            }
        }
    }

    private record Marks(Map<TopicPartition, OffsetAndMetadata> offsets, Map<OffsetTracker, Long> marks) {
        void settle() {
            marks.forEach(OffsetTracker::settled);
        }
    }

    private Marks advanced(final Collection<TopicPartition> partitions) {
        final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        final Map<OffsetTracker, Long> marks = new HashMap<>();
        for (final TopicPartition tp : partitions) {
            final OffsetTracker tracker = trackers.get(tp);
            if (tracker != null && tracker.hasNewCommit()) {
                offsets.put(tp, new OffsetAndMetadata(tracker.committable(), tracker.metadata()));
                marks.put(tracker, tracker.markCommitted());
            }
        }
        return new Marks(offsets, marks);
    }

    private void commitAsync() {
        final Marks commit = advanced(trackers.keySet());
        if (!commit.offsets().isEmpty()) {
            consumer.commitAsync(commit.offsets(), (committed, e) -> {
                if (e == null) {
                    commit.settle();
                } else {
                    LOG.warn("offset commit failed (a later commit or the next owner covers it): {}", e.getMessage());
                    commit.marks().keySet().forEach(OffsetTracker::commitFailed);
                }
            });
        }
    }

    private void commitSync(final Collection<TopicPartition> partitions) {
        applyCompletions();
        final Marks commit = advanced(partitions);
        if (!commit.offsets().isEmpty()) {
            try {
                try {
                    consumer.commitSync(commit.offsets(), clientTimeout);
                } catch (final WakeupException pendingStop) {
                    // stop() woke the consumer while it was not polling; the wake-up is spent now
                    consumer.commitSync(commit.offsets(), clientTimeout);
                }
                commit.settle();
            } catch (final RuntimeException e) {
                commit.marks().keySet().forEach(OffsetTracker::commitFailed);
                throw e;
            }
        }
    }

    private void resumeDue(final long now) {
        final List<TopicPartition> due = new ArrayList<>();
        pausedUntil.entrySet().removeIf(e -> {
            if (e.getValue() <= now) {
                due.add(e.getKey());
                return true;
            }
            return false;
        });
        if (!due.isEmpty() && !flowPaused) {
            consumer.resume(due);
        }
    }

    private void flowControl() {
        final long running = unsettled();
        if (!flowPaused && running >= maxInFlight) {
            flowPaused = true;
            consumer.pause(consumer.assignment());
        } else if (flowPaused && running <= maxInFlight / 2) {
            flowPaused = false;
            final Set<TopicPartition> resume = new HashSet<>(consumer.assignment());
            resume.removeAll(pausedUntil.keySet());
            consumer.resume(resume);
        }
    }

    /** Waits (bounded) until the given partitions have nothing in flight, applying completions meanwhile. */
    private void awaitInFlight(final Collection<TopicPartition> partitions, final Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (partitions.stream().map(trackers::get).anyMatch(t -> t != null && t.inFlight() > 0)) {
                final long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.warn("deliveries still in flight after {}; their records will be redelivered", timeout);
                    return;
                }
                final Completion c = completions.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)),
                        TimeUnit.NANOSECONDS);
                if (c != null) {
                    apply(c);
                }
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(final Collection<TopicPartition> partitions) {
            awaitInFlight(partitions, grace);
            try {
                commitSync(partitions);
            } catch (final RuntimeException e) {
                LOG.warn("commit on revocation failed; the next owner redelivers: {}", e.getMessage());
            }
            retire(partitions);
        }

        @Override
        public void onPartitionsLost(final Collection<TopicPartition> partitions) {
            retire(partitions);
        }

        @Override
        public void onPartitionsAssigned(final Collection<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> committed;
            try {
                committed = partitions.isEmpty() ? Map.of()
                        : consumer.committed(new HashSet<>(partitions), COMMITTED_LOOKUP_TIMEOUT);
            } catch (final RuntimeException e) {
                LOG.warn("could not read the committed offsets of {} ({}); completed records above them may be "
                        + "delivered again", partitions, e.getMessage());
                committed = Map.of();
            }
            for (final TopicPartition tp : partitions) {
                final OffsetAndMetadata c = committed.get(tp);
                final long offset = c == null ? -1 : c.offset();
                final String metadata = c == null ? "" : c.metadata();
                final OffsetTracker previous = retired.remove(tp);
                trackers.put(tp, previous != null ? previous.reassigned(offset, metadata)
                        : c == null ? OffsetTracker.fresh() : OffsetTracker.seeded(offset, metadata));
            }
            if (flowPaused) {
                consumer.pause(partitions);
            }
        }

        private void retire(final Collection<TopicPartition> partitions) {
            partitions.forEach(tp -> {
                final OffsetTracker tracker = trackers.remove(tp);
                if (tracker != null) {
                    retired.put(tp, tracker);
                }
                pausedUntil.remove(tp);
            });
        }
    }
}
