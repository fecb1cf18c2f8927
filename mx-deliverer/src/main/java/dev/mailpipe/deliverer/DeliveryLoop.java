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
 * (many in flight per partition), and commits per partition only up to the highest contiguous
 * record whose outputs Kafka acknowledged.
 *
 * <p>Retry records not yet due: the partition is sought back to that record and paused until
 * its due time; the thread keeps polling (heartbeats, other partitions) with a poll timeout no
 * longer than the time to the next due partition — neither sleeping nor spinning. When
 * {@code maxInFlight} deliveries are running, every partition is paused until half drained.
 *
 * <p>Lifecycle: {@link #run()} until {@link #stop()}; then it stops fetching, waits up to the
 * grace period for in-flight deliveries, commits what completed and closes the consumer.
 * Unfinished deliveries are handed back (their records are redelivered to the next owner).
 */
final class DeliveryLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryLoop.class);
    private static final Duration MAX_POLL = Duration.ofMillis(100);

    private record Completion(TopicPartition partition, long offset) {
    }

    private final Consumer<String, byte[]> consumer;
    private final List<String> topics;
    private final RecordProcessor processor;
    private final Publisher publisher;
    private final RetryPolicy policy;
    private final ExecutorService workers;
    private final Clock clock;
    private final int maxInFlight;
    private final Duration grace;

    private final Map<TopicPartition, OffsetTracker> trackers = new HashMap<>();
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

    boolean running() {
        return running && started;
    }

    /** Asks the loop to finish; returns at once. */
    void stop() {
        running = false;
        consumer.wakeup();
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
                consumer.close(Duration.ofSeconds(10));
            }
        }
    }

    private Duration pollTimeout(final long now) {
        long timeout = MAX_POLL.toMillis();
        for (final long due : pausedUntil.values()) {
            timeout = Math.min(timeout, Math.max(0, due - now));
        }
        return Duration.ofMillis(timeout);
    }

    private void dispatch(final ConsumerRecords<String, byte[]> records) {
        final long now = clock.millis();
        for (final TopicPartition tp : records.partitions()) {
            final boolean retryTopic = policy.stageOf(tp.topic()).isPresent();
            for (final ConsumerRecord<String, byte[]> record : records.records(tp)) {
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
                final OffsetTracker tracker = trackers.computeIfAbsent(tp, p -> new OffsetTracker());
                tracker.started(record.offset());
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
                if (e == null) {
                    completions.add(new Completion(tp, record.offset()));
                }
            });
        } catch (final InterruptedException e) {
            inFlight.decrementAndGet();
            LOG.info("delivery of {}-{}@{} abandoned at shutdown; it will be redelivered", tp.topic(), tp.partition(),
                    record.offset());
        } catch (final RuntimeException e) {
            inFlight.decrementAndGet();
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
        final OffsetTracker tracker = trackers.get(c.partition());
        if (tracker != null) {
            tracker.completed(c.offset());
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> advanced(final Collection<TopicPartition> partitions) {
        final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (final TopicPartition tp : partitions) {
            final OffsetTracker tracker = trackers.get(tp);
            if (tracker != null && tracker.hasNewCommit()) {
                offsets.put(tp, new OffsetAndMetadata(tracker.committable()));
                tracker.markCommitted();
            }
        }
        return offsets;
    }

    private void commitAsync() {
        final Map<TopicPartition, OffsetAndMetadata> offsets = advanced(trackers.keySet());
        if (!offsets.isEmpty()) {
            consumer.commitAsync(offsets, (committed, e) -> {
                if (e != null) {
                    LOG.warn("offset commit failed (a later commit or the next owner covers it): {}", e.getMessage());
                }
            });
        }
    }

    private void commitSync(final Collection<TopicPartition> partitions) {
        applyCompletions();
        final Map<TopicPartition, OffsetAndMetadata> offsets = advanced(partitions);
        if (!offsets.isEmpty()) {
            try {
                consumer.commitSync(offsets);
            } catch (final WakeupException pendingStop) {
                // stop() woke the consumer while it was not polling; the wake-up is spent now
                consumer.commitSync(offsets);
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
        final int running = inFlight.get();
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
            forget(partitions);
        }

        @Override
        public void onPartitionsLost(final Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(final Collection<TopicPartition> partitions) {
            if (flowPaused) {
                consumer.pause(partitions);
            }
        }

        private void forget(final Collection<TopicPartition> partitions) {
            partitions.forEach(tp -> {
                trackers.remove(tp);
                pausedUntil.remove(tp);
            });
        }
    }
}
