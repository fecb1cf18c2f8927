package dev.mailpipe.webhooks;

import dev.mailpipe.schemas.Webhook;
import dev.mailpipe.schemas.WebhookFormat;
import dev.mailpipe.webhooks.core.CircuitBreaker;
import dev.mailpipe.webhooks.http.PostResult;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;

/**
 * One lane per endpoint, so endpoints never wait for each other: each lane has its own queue, at
 * most {@code concurrency} posts in progress, a bounded queue (beyond it events wait in the retry
 * topics, see {@link Settler#overflow}) and a {@link CircuitBreaker} (while open its events fail at
 * once, without a connection). Workers are virtual threads started on demand; an idle lane holds
 * no thread.
 */
final class EndpointLanes {

    /** Sends one request to one URL (the HTTP client, or a fake in tests). */
    interface Transport {
        PostResult post(URI url, Requests request);
    }

    /**
     * Settings of every lane. {@code slowPost}: a lane whose posts fail, or take longer than this
     * (on average, or one still running), is unhealthy: beyond {@code maxQueue} its events wait in
     * the retry topics. A healthy lane takes more than {@code maxQueue} and reports itself
     * {@linkplain #saturated saturated}, so the loop paces reading instead of parking events of a
     * fast receiver for minutes.
     */
    record Limits(int concurrency, int maxQueue, int batchSize, int circuitFailures, Duration circuitOpen,
            Duration slowPost) {
    }

    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private final Function<String, Optional<Webhook>> hooks;
    private final Transport transport;
    private final Settler settler;
    private final WebhookMetrics metrics;
    private final ExecutorService workers;
    private final Clock clock;
    private final Limits limits;

    EndpointLanes(final Function<String, Optional<Webhook>> hooks, final Transport transport, final Settler settler,
            final WebhookMetrics metrics, final ExecutorService workers, final Clock clock, final Limits limits) {
        this.hooks = hooks;
        this.transport = transport;
        this.settler = settler;
        this.metrics = metrics;
        this.workers = workers;
        this.clock = clock;
        this.limits = limits;
    }

    /** Queues {@code d} on its endpoint's lane; returns at once. */
    void submit(final Delivery d) {
        lanes.computeIfAbsent(d.webhookId(), id -> new Lane(id,
                new CircuitBreaker(limits.circuitFailures(), limits.circuitOpen().toMillis()))).submit(d);
    }

    /** Events queued or being posted, over all lanes. */
    int pending() {
        return lanes.values().stream().mapToInt(Lane::pending).sum();
    }

    /** True when some lane holds more than {@code fraction} of {@code maxQueue} events. */
    boolean saturated(final double fraction) {
        final int limit = (int) (limits.maxQueue() * fraction);
        return lanes.values().stream().anyMatch(l -> l.queued() >= limit);
    }

    Optional<CircuitBreaker.State> circuit(final String webhookId) {
        return Optional.ofNullable(lanes.get(webhookId)).map(l -> l.breaker.state());
    }

    private final class Lane {
        private final String webhookId;
        private final CircuitBreaker breaker;
        private final ArrayDeque<Delivery> queue = new ArrayDeque<>();
        private int active;
        private int posting;
        private boolean lastOk = true;
        private long averageNanos;
        private long lastCompletion = System.nanoTime();

        Lane(final String webhookId, final CircuitBreaker breaker) {
            this.webhookId = webhookId;
            this.breaker = breaker;
        }

        synchronized int pending() {
            return queue.size() + posting;
        }

        synchronized int queued() {
            return queue.size();
        }

        /** Posts succeed and come back fast (no post hanging): worth waiting for. Call holding the lock. */
        private boolean healthy() {
            final long slow = limits.slowPost().toNanos();
            return lastOk && breaker.state() == CircuitBreaker.State.CLOSED && averageNanos < slow
                    && (posting == 0 || System.nanoTime() - lastCompletion < slow);
        }

        private synchronized void completed(final boolean ok, final long nanos) {
            lastOk = ok;
            averageNanos = averageNanos == 0 ? nanos : (averageNanos * 7 + nanos) / 8;
            lastCompletion = System.nanoTime();
        }

        void submit(final Delivery d) {
            boolean overflow = false;
            boolean start = false;
            synchronized (this) {
                if (queue.size() >= limits.maxQueue() && !healthy()) {
                    overflow = true;
                } else {
                    queue.add(d);
                    if (active < limits.concurrency()) {
                        active++;
                        start = true;
                    }
                }
            }
            if (overflow) {
                final Optional<Webhook> hook = hooks.apply(webhookId);
                if (hook.isPresent()) {
                    settler.overflow(d, hook.get());
                } else {
                    settler.dropped(d);
                }
            } else if (start) {
                try {
                    workers.execute(this::work);
                } catch (final RuntimeException e) {
                    synchronized (this) {
                        active--;
                    }
                    throw e;
                }
            }
        }

        private void work() {
            try {
                while (true) {
                    final Optional<Webhook> hook = hooks.apply(webhookId);
                    final List<Delivery> batch = new ArrayList<>();
                    synchronized (this) {
                        final int max = hook.isPresent() && hook.get().getFormat() == WebhookFormat.json_batch
                                ? limits.batchSize() : 1;
                        while (batch.size() < max && !queue.isEmpty()) {
                            batch.add(queue.poll());
                        }
                        if (batch.isEmpty()) {
                            active--;
                            return;
                        }
                        posting += batch.size();
                    }
                    try {
                        post(hook, batch);
                    } catch (final RuntimeException e) {
                        // never leave a delivery unsettled: its record would never be committed
                        batch.stream().filter(d -> !d.settled().isDone()).forEach(d -> hook.ifPresentOrElse(
                                h -> settler.failed(d, h, "internal error: " + e), () -> settler.dropped(d)));
                    } finally {
                        synchronized (this) {
                            posting -= batch.size();
                        }
                    }
                }
            } catch (final RuntimeException e) {
                synchronized (this) {
                    active--;
                }
                throw e;
            }
        }

        private void post(final Optional<Webhook> found, final List<Delivery> batch) {
            if (found.isEmpty() || found.get().getFormat() == WebhookFormat.unknown) {
                batch.forEach(settler::dropped);
                return;
            }
            final Webhook hook = found.get();
            if (!breaker.tryAcquire(clock.millis())) {
                metrics.failed(hook, batch.size());
                batch.forEach(d -> settler.failed(d, hook, "circuit open after repeated failures"));
                return;
            }
            final Requests request = hook.getFormat() == WebhookFormat.json_batch
                    ? Requests.jsonBatch(hook, batch, clock.millis()) : Requests.form(hook, batch.get(0));
            final long start = System.nanoTime();
            final PostResult result = transport.post(URI.create(hook.getUrl()), request);
            final long elapsed = System.nanoTime() - start;
            completed(result.ok(), elapsed);
            metrics.latency(hook, Duration.ofNanos(elapsed));
            if (result.ok()) {
                breaker.succeeded();
                metrics.sent(hook, batch.size());
                batch.forEach(settler::posted);
            } else if (result instanceof PostResult.Refused refused) {
                metrics.failed(hook, batch.size());
                batch.forEach(d -> settler.refused(d, hook, refused.reason()));
            } else {
                breaker.failed(clock.millis());
                metrics.failed(hook, batch.size());
                batch.forEach(d -> settler.failed(d, hook, result.describe()));
            }
        }
    }
}
