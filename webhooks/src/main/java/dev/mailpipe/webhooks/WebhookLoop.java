package dev.mailpipe.webhooks;

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
import java.util.concurrent.CompletableFuture;
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
 * The consumer thread of the webhooks service. Reads {@code mail.delivery-events} and the webhook
 * retry topics, hands each record's deliveries to the endpoint lanes (it never waits for a post),
 * and commits per partition only up to the highest contiguous record whose deliveries all settled
 * (posted, or durably written to a retry or the dead-letter topic): at least once.
 *
 * <p>A retry record not yet due: its partition is sought back to it and paused until its due
 * time, while polling goes on for the others. With {@code maxInFlight} unsettled records, or a
 * healthy endpoint's lane over its queue limit (a fast receiver catching up a backlog), every
 * partition is paused until half of them settled and no lane is more than half full.
 *
 * <p>Lifecycle: {@link #run()} until {@link #stop()}; then it stops fetching, waits up to the grace
 * period for unsettled records, commits what settled and closes the consumer.
 */
final class WebhookLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookLoop.class);
    private static final Duration MAX_POLL = Duration.ofMillis(100);

    private record Completion(TopicPartition partition, long offset) {
    }

    private final Consumer<String, byte[]> consumer;
    private final List<String> topics;
    private final Router router;
    private final EndpointLanes lanes;
    private final RetrySchedule schedule;
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

    WebhookLoop(final Consumer<String, byte[]> consumer, final List<String> topics, final Router router,
            final EndpointLanes lanes, final RetrySchedule schedule, final Clock clock, final int maxInFlight,
            final Duration grace) {
        this.consumer = consumer;
        this.topics = topics;
        this.router = router;
        this.lanes = lanes;
        this.schedule = schedule;
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
                dispatch(consumer.poll(pollTimeout(now)));
            }
        } catch (final WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (final RuntimeException e) {
            LOG.error("webhook loop failed; unsettled events will be posted again", e);
        } finally {
            running = false;
            try {
                consumer.pause(consumer.assignment());
                awaitInFlight(trackers.keySet(), grace);
                commitSync(trackers.keySet());
            } catch (final RuntimeException e) {
                LOG.warn("final commit failed; the next owner posts uncommitted events again", e);
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
            final boolean retryTopic = schedule.stageOf(tp.topic()).isPresent();
            for (final ConsumerRecord<String, byte[]> record : records.records(tp)) {
                if (retryTopic) {
                    final long due = RetryHeaders.number(record.headers(), RetryHeaders.DUE_AT).orElseGet(() ->
                            record.timestamp() + schedule.stageOf(tp.topic()).orElseThrow().delay().toMillis());
                    if (due > now) {
                        consumer.seek(tp, record.offset());
                        consumer.pause(List.of(tp));
                        pausedUntil.put(tp, due);
                        break;
                    }
                }
                final OffsetTracker tracker = trackers.computeIfAbsent(tp, p -> new OffsetTracker());
                tracker.started(record.offset());
                inFlight.incrementAndGet();
                final List<Delivery> deliveries;
                try {
                    deliveries = router.route(record);
                    deliveries.forEach(lanes::submit);
                } catch (final RuntimeException e) {
                    inFlight.decrementAndGet();
                    LOG.error("cannot route {}-{}@{}; it will be read again after a restart or rebalance",
                            tp.topic(), tp.partition(), record.offset(), e);
                    continue;
                }
                CompletableFuture.allOf(deliveries.stream().map(Delivery::settled).toArray(CompletableFuture[]::new))
                        .whenComplete((ok, e) -> {
                            inFlight.decrementAndGet();
                            if (e == null) {
                                completions.add(new Completion(tp, record.offset()));
                            }
                        });
            }
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
        final int unsettled = inFlight.get();
        if (!flowPaused && (unsettled >= maxInFlight || lanes.saturated(1.0))) {
            flowPaused = true;
            consumer.pause(consumer.assignment());
        } else if (flowPaused && unsettled <= maxInFlight / 2 && !lanes.saturated(0.5)) {
            flowPaused = false;
            final Set<TopicPartition> resume = new HashSet<>(consumer.assignment());
            resume.removeAll(pausedUntil.keySet());
            consumer.resume(resume);
        }
    }

    private void awaitInFlight(final Collection<TopicPartition> partitions, final Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (partitions.stream().map(trackers::get).anyMatch(t -> t != null && t.inFlight() > 0)) {
                final long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.warn("events still unsettled after {}; they will be posted again by the next owner", timeout);
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
                LOG.warn("commit on revocation failed; the next owner posts again: {}", e.getMessage());
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
