package dev.mailpipe.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded in-memory buffer between the request handlers and Kafka, so a Kafka outage never
 * slows down or breaks a redirect: {@link #offer} never blocks; one writer thread hands records to
 * the producer and puts back what failed, to try again after a pause, until Kafka is back.
 *
 * <p>The bound covers everything not yet acknowledged by Kafka — queued, in the producer's buffer
 * or in flight — so memory stays bounded however long the outage. When it is full a new record
 * is refused and counted ({@code mailpipe.web.outbox.dropped}); the request still answers.
 * Records are written at least once: a retry after a lost acknowledgement writes a duplicate with
 * the same event id. What is buffered is lost when the process dies (see DESIGN.md).
 */
final class Outbox implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

    private final Producer<String, byte[]> producer;
    private final int capacity;
    private final Semaphore room;
    private final LinkedBlockingDeque<ProducerRecord<String, byte[]>> queue = new LinkedBlockingDeque<>();
    private final Duration retryBackoff;
    private final Thread writer;
    private final Counter written;
    private final Counter dropped;
    private final Counter retried;
    private volatile boolean closing;
    private volatile long pausedUntilNanos;

    Outbox(final Producer<String, byte[]> producer, final int capacity, final Duration retryBackoff,
            final MeterRegistry registry) {
        this.producer = producer;
        this.capacity = capacity;
        this.room = new Semaphore(capacity);
        this.retryBackoff = retryBackoff;
        this.written = Counter.builder("mailpipe.web.outbox.written")
                .description("Tracking records Kafka acknowledged").register(registry);
        this.dropped = Counter.builder("mailpipe.web.outbox.dropped")
                .description("Tracking records refused because the outbox was full (Kafka unreachable too long)")
                .register(registry);
        this.retried = Counter.builder("mailpipe.web.outbox.retried")
                .description("Tracking records put back after a failed write, to be written again").register(registry);
        Gauge.builder("mailpipe.web.outbox.pending", this, Outbox::pending)
                .description("Tracking records not yet acknowledged by Kafka (queued or in flight)").register(registry);
        Gauge.builder("mailpipe.web.outbox.capacity", this, o -> o.capacity)
                .description("Most tracking records the outbox holds before it refuses new ones").register(registry);
        this.writer = Thread.ofPlatform().name("web-outbox").daemon().unstarted(this::run);
        writer.start();
    }

    /** Queues a record without blocking; false (and counted) when the outbox is full or closed. */
    boolean offer(final ProducerRecord<String, byte[]> record) {
        if (closing || !room.tryAcquire()) {
            dropped.increment();
            return false;
        }
        queue.offerLast(record);
        return true;
    }

    /** Records accepted and not yet acknowledged. */
    int pending() {
        return capacity - room.availablePermits();
    }

    private void run() {
        while (true) {
            final ProducerRecord<String, byte[]> record;
            try {
                final long pause = pausedUntilNanos - System.nanoTime();
                if (pause > 0) {
                    TimeUnit.NANOSECONDS.sleep(pause);
                }
                record = queue.pollFirst(100, TimeUnit.MILLISECONDS);
            } catch (final InterruptedException e) {
                return;
            }
            if (record == null) {
                if (closing) {
                    return;
                }
                continue;
            }
            try {
                producer.send(record, (metadata, error) -> {
                    if (error == null) {
                        room.release();
                        written.increment();
                    } else {
                        putBack(record, error);
                    }
                });
            } catch (final RuntimeException e) {
                // Metadata not available within max.block.ms (Kafka unreachable), or the producer is closing.
                putBack(record, e);
            }
        }
    }

    private void putBack(final ProducerRecord<String, byte[]> record, final Exception error) {
        retried.increment();
        if (pending() == 1 || retried.count() % 1000 == 1) {
            LOG.warn("cannot write tracking records to Kafka ({} pending), retrying: {}", pending(), error.toString());
        }
        queue.offerFirst(record);
        pausedUntilNanos = System.nanoTime() + retryBackoff.toNanos();
    }

    /**
     * Stops taking records, gives what is pending up to {@code grace} to be written, then closes the
     * producer; what is still pending after that is lost and logged.
     */
    void close(final Duration grace) {
        closing = true;
        final long end = System.nanoTime() + grace.toNanos();
        while (pending() > 0 && System.nanoTime() < end) {
            try {
                Thread.sleep(20);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        writer.interrupt();
        try {
            writer.join(1000);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        final int lost = pending();
        producer.close(Duration.ofSeconds(1));
        if (lost > 0) {
            LOG.warn("stopped with {} tracking records not written to Kafka; they are lost", lost);
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
