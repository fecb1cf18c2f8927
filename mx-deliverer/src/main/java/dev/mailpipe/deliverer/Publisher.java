package dev.mailpipe.deliverer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes an attempt's outputs (event, retry or dead-letter record) and completes once Kafka
 * acknowledged all of them. A failed send is retried with backoff until it succeeds or the
 * publisher closes — the source offset is committed only on success, so nothing is lost.
 */
final class Publisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);
    private static final long MAX_BACKOFF_MS = 30_000;

    private final Producer<String, byte[]> producer;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("mx-publish-retry").unstarted(r));
    private volatile boolean closed;

    Publisher(final Producer<String, byte[]> producer) {
        this.producer = producer;
    }

    CompletableFuture<Void> publish(final List<ProducerRecord<String, byte[]>> records) {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        attempt(records, done, 0);
        return done;
    }

    private void attempt(final List<ProducerRecord<String, byte[]>> records, final CompletableFuture<Void> done,
            final int failures) {
        final List<CompletableFuture<Void>> acks = new ArrayList<>(records.size());
        for (final ProducerRecord<String, byte[]> record : records) {
            final CompletableFuture<Void> ack = new CompletableFuture<>();
            try {
                producer.send(record, (metadata, e) -> {
                    if (e == null) {
                        ack.complete(null);
                    } else {
                        ack.completeExceptionally(e);
                    }
                });
            } catch (final RuntimeException e) {
                ack.completeExceptionally(e);
            }
            acks.add(ack);
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).whenComplete((ok, e) -> {
            if (e == null) {
                done.complete(null);
            } else if (closed) {
                done.completeExceptionally(e);
            } else {
                final long backoff = Math.min(MAX_BACKOFF_MS, 100L << Math.min(failures, 10));
                LOG.warn("writing {} record(s) to Kafka failed ({}); retrying in {} ms", records.size(),
                        e.getMessage(), backoff);
                try {
                    retries.schedule(() -> attempt(records, done, failures + 1), backoff, TimeUnit.MILLISECONDS);
                } catch (final RuntimeException rejected) {
                    done.completeExceptionally(e);
                }
            }
        });
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    /** Stops retrying and closes the producer, giving unsent records up to {@code timeout}. */
    void close(final Duration timeout) {
        closed = true;
        retries.shutdownNow();
        producer.close(timeout);
    }
}
