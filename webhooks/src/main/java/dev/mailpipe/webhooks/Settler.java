package dev.mailpipe.webhooks;

import dev.mailpipe.schemas.DeadLetterHeaders;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.schemas.Webhook;
import java.time.Clock;
import java.util.Optional;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes each delivery's outcome durable and then settles it: a failed post waits in the retry
 * stage of its attempt (or, after the last, goes to {@code mail.webhooks.dlt}); the delivery is
 * settled only when Kafka acknowledged that record, so its source record is committed only then.
 */
final class Settler {

    private static final Logger LOG = LoggerFactory.getLogger(Settler.class);

    private final Producer<String, byte[]> producer;
    private final RetrySchedule schedule;
    private final WebhookMetrics metrics;
    private final Clock clock;

    Settler(final Producer<String, byte[]> producer, final RetrySchedule schedule, final WebhookMetrics metrics,
            final Clock clock) {
        this.producer = producer;
        this.schedule = schedule;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The receiver took it. */
    void posted(final Delivery d) {
        d.settled().complete(null);
    }

    /** Nothing to do: the endpoint was removed or no longer wants this event. */
    void dropped(final Delivery d) {
        d.settled().complete(null);
    }

    /** Attempt {@code d.attempt()} failed: retry on schedule, or dead-letter after the last. */
    void failed(final Delivery d, final Webhook hook, final String reason) {
        final Optional<RetrySchedule.Stage> stage = schedule.afterFailed(d.attempt());
        if (stage.isPresent()) {
            waitIn(stage.get(), d, hook, d.attempt() + 1, reason);
        } else {
            dead(d, hook, "gave up after " + d.attempt() + " attempt(s); last: " + reason);
        }
    }

    /** The URL resolves to a refused network: never posted, straight to the dead-letter topic. */
    void refused(final Delivery d, final Webhook hook, final String reason) {
        LOG.warn("webhook {} of {}: {}", hook.getId(), hook.getApiUser(), reason);
        dead(d, hook, reason);
    }

    /**
     * The endpoint has too much waiting already: the event waits one stage without using up an
     * attempt (the first stage for a fresh event, its own stage for a retried one).
     */
    void overflow(final Delivery d, final Webhook hook) {
        final RetrySchedule.Stage stage = schedule.stages().get(Math.min(Math.max(0, d.attempt() - 2),
                schedule.stages().size() - 1));
        waitIn(stage, d, hook, d.attempt(), "endpoint queue full");
    }

    private void waitIn(final RetrySchedule.Stage stage, final Delivery d, final Webhook hook, final int attempt,
            final String reason) {
        final ProducerRecord<String, byte[]> record = record(stage.topic(), d, reason);
        record.headers().add(RetryHeaders.ATTEMPT, RetryHeaders.bytes(attempt));
        record.headers().add(RetryHeaders.DUE_AT, RetryHeaders.bytes(clock.millis() + stage.delay().toMillis()));
        send(record, d, () -> metrics.retrying(hook));
    }

    private void dead(final Delivery d, final Webhook hook, final String reason) {
        final ProducerRecord<String, byte[]> record = record(Topics.WEBHOOKS_DLT.name(), d, reason);
        record.headers().add(RetryHeaders.ATTEMPT, RetryHeaders.bytes(d.attempt()));
        record.headers().add(DeadLetterHeaders.REASON, RetryHeaders.bytes(reason));
        send(record, d, () -> metrics.dead(hook));
    }

    private static ProducerRecord<String, byte[]> record(final String topic, final Delivery d, final String reason) {
        final ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, d.webhookId(), d.raw());
        record.headers().add(RetryHeaders.WEBHOOK_ID, RetryHeaders.bytes(d.webhookId()));
        record.headers().add(RetryHeaders.ERROR, RetryHeaders.bytes(reason));
        return record;
    }

    private void send(final ProducerRecord<String, byte[]> record, final Delivery d, final Runnable onAck) {
        try {
            producer.send(record, (meta, e) -> {
                if (e == null) {
                    onAck.run();
                    d.settled().complete(null);
                } else {
                    LOG.error("cannot write webhook {} event {} to {}; its record is not committed: {}",
                            d.webhookId(), d.event().getEventId(), record.topic(), e.getMessage());
                    d.settled().completeExceptionally(e);
                }
            });
        } catch (final RuntimeException e) {
            d.settled().completeExceptionally(e);
        }
    }
}
