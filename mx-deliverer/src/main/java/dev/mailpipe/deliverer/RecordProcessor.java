package dev.mailpipe.deliverer;

import dev.mailpipe.core.suppression.SuppressionKey;
import dev.mailpipe.deliverer.replay.ReplayHeaders;
import dev.mailpipe.platform.Durations;
import dev.mailpipe.schemas.BounceClass;
import dev.mailpipe.schemas.DeadLetterHeaders;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.OutboundEmail;
import dev.mailpipe.schemas.Suppression;
import dev.mailpipe.schemas.SuppressionReason;
import dev.mailpipe.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one consumed record into the records that make its outcome durable: always an event,
 * plus a retry record (deferred) or a dead-letter record (expired, undecodable).
 */
final class RecordProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(RecordProcessor.class);

    private final MxDeliverer deliverer;
    private final RetryPolicy policy;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Timer attemptTimer;
    private final Deserializer<OutboundEmail> emails = Topics.OUTBOUND.valueSerde().deserializer();
    private final Serializer<OutboundEmail> emailWriter = Topics.OUTBOUND.valueSerde().serializer();
    private final Serializer<DeliveryEvent> eventWriter = Topics.DELIVERY_EVENTS.valueSerde().serializer();
    private final Serializer<Suppression> suppressionWriter = Topics.SUPPRESSIONS.valueSerde().serializer();

    RecordProcessor(final MxDeliverer deliverer, final RetryPolicy policy, final Clock clock,
            final MeterRegistry registry) {
        this.deliverer = deliverer;
        this.policy = policy;
        this.clock = clock;
        this.registry = registry;
        this.attemptTimer = Timer.builder("mailpipe.deliverer.attempt").description("One delivery attempt")
                .register(registry);
    }

    /** Delivers the email in {@code record}; blocks. */
    List<ProducerRecord<String, byte[]>> process(final ConsumerRecord<String, byte[]> record)
            throws InterruptedException {
        final OutboundEmail email;
        try {
            email = emails.deserialize(record.topic(), record.value());
            if (email == null) {
                throw new IllegalArgumentException("empty record");
            }
        } catch (final RuntimeException e) {
            LOG.warn("undecodable record {}-{}@{} goes to {}: {}", record.topic(), record.partition(),
                    record.offset(), Topics.OUTBOUND_DLT.name(), e.getMessage());
            count("undecodable");
            final RecordHeaders headers = new RecordHeaders(record.headers().toArray());
            RetryHeaders.put(headers, DeadLetterHeaders.REASON, "undecodable: " + e.getMessage());
            RetryHeaders.put(headers, DeadLetterHeaders.TOPIC, record.topic());
            RetryHeaders.put(headers, DeadLetterHeaders.PARTITION, record.partition());
            RetryHeaders.put(headers, DeadLetterHeaders.OFFSET, record.offset());
            return List.of(new ProducerRecord<>(Topics.OUTBOUND_DLT.name(), null, record.key(), record.value(), headers));
        }
        final int attempt = (int) RetryHeaders.get(record.headers(), RetryHeaders.ATTEMPT).orElse(1);
        // a replayed email keeps its replay's id through retries and the DLT, and on every event
        final String replayId = RetryHeaders.text(record.headers(), ReplayHeaders.REPLAY_ID).orElse(null);
        final Instant started = clock.instant();
        final Instant firstAttempt = RetryHeaders.get(record.headers(), RetryHeaders.FIRST_ATTEMPT)
                .stream().mapToObj(Instant::ofEpochMilli).findFirst().orElse(started);
        Outcome outcome;
        final long t0 = System.nanoTime();
        try {
            outcome = deliverer.deliver(email.getRecipientDomain(), email.getMailFrom(), email.getRecipient(),
                    bytes(email.getContent()), email.getSmtputf8());
        } catch (final RuntimeException bug) {
            // never let one email block its partition's commits: treat it as a temporary failure
            LOG.error("delivery of {} failed unexpectedly; deferring it", email.getEmailId(), bug);
            outcome = Outcome.localDeferral(null, "4.3.0", "internal error: " + bug);
        } finally {
            attemptTimer.record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
        final Instant now = clock.instant();
        final List<ProducerRecord<String, byte[]>> out = new ArrayList<>(2);
        switch (outcome) {
            case Outcome.Delivered d -> {
                LOG.debug("{} delivered via {}: {}", email.getEmailId(), d.mxHost(), d.reply());
                out.add(event(email, EventType.delivered, outcome, attempt, null, now, replayId));
            }
            case Outcome.Bounced b -> {
                final BounceClass bounceClass = BounceClassifier.classify(b.reply());
                LOG.info("{} bounced (attempt {}, {}): {}", email.getEmailId(), attempt, bounceClass, b.reply());
                final DeliveryEvent bounced = DeliveryEvents.of(email, EventType.bounced, outcome, attempt,
                        DeliveryEvents.reasonOf(b), now, replayId);
                bounced.setBounceClass(bounceClass);
                out.add(event(email, bounced));
                if (bounceClass == BounceClass.hard) {
                    out.add(suppression(email, b, now));
                }
            }
            case Outcome.Deferred d -> {
                switch (policy.afterDeferral(attempt, firstAttempt, now)) {
                    case RetryPolicy.Decision.Retry retry -> {
                        LOG.info("{} deferred (attempt {}), retry at {}: {}", email.getEmailId(), attempt,
                                retry.dueAt(), d.reply());
                        out.add(event(email, EventType.deferred, outcome, attempt, DeliveryEvents.reasonOf(d), now,
                                replayId));
                        final RecordHeaders headers = new RecordHeaders();
                        RetryHeaders.put(headers, RetryHeaders.ATTEMPT, retry.nextAttempt());
                        RetryHeaders.put(headers, RetryHeaders.FIRST_ATTEMPT, firstAttempt.toEpochMilli());
                        RetryHeaders.put(headers, RetryHeaders.DUE_AT, retry.dueAt().toEpochMilli());
                        if (d.mxHost() != null) {
                            RetryHeaders.put(headers, RetryHeaders.MX_HOST, d.mxHost());
                        }
                        RetryHeaders.put(headers, RetryHeaders.LAST_ERROR, DeliveryEvents.reasonOf(d));
                        if (replayId != null) {
                            RetryHeaders.put(headers, ReplayHeaders.REPLAY_ID, replayId);
                        }
                        out.add(new ProducerRecord<>(retry.stage().topic(), null, record.key(),
                                emailWriter.serialize(retry.stage().topic(), email), headers));
                    }
                    case RetryPolicy.Decision.Expire expire -> {
                        final String reason = "expired: no delivery within " + Durations.format(policy.maxAge())
                                + " after " + attempt + " attempt(s); last: " + DeliveryEvents.reasonOf(d);
                        LOG.info("{} {}", email.getEmailId(), reason);
                        out.add(event(email, EventType.expired, outcome, attempt, reason, now, replayId));
                        final RecordHeaders headers = new RecordHeaders();
                        RetryHeaders.put(headers, RetryHeaders.ATTEMPT, attempt);
                        RetryHeaders.put(headers, RetryHeaders.FIRST_ATTEMPT, firstAttempt.toEpochMilli());
                        RetryHeaders.put(headers, DeadLetterHeaders.REASON, reason);
                        if (replayId != null) {
                            RetryHeaders.put(headers, ReplayHeaders.REPLAY_ID, replayId);
                        }
                        out.add(new ProducerRecord<>(Topics.OUTBOUND_DLT.name(), null, record.key(),
                                emailWriter.serialize(Topics.OUTBOUND_DLT.name(), email), headers));
                    }
                }
            }
        }
        return out;
    }

    private ProducerRecord<String, byte[]> event(final OutboundEmail email, final EventType type,
            final Outcome outcome, final int attempt, final String reason, final Instant now, final String replayId) {
        return event(email, DeliveryEvents.of(email, type, outcome, attempt, reason, now, replayId));
    }

    private ProducerRecord<String, byte[]> event(final OutboundEmail email, final DeliveryEvent event) {
        count(event.getType().name());
        return new ProducerRecord<>(Topics.DELIVERY_EVENTS.name(), email.getMessageId(),
                eventWriter.serialize(Topics.DELIVERY_EVENTS.name(), event));
    }

    /**
     * A hard bounce suppresses the address for the sending account (reason hard_bounce), written
     * with the event, so it is durable before the source offset is committed.
     */
    private ProducerRecord<String, byte[]> suppression(final OutboundEmail email, final Outcome.Bounced bounce,
            final Instant now) {
        count("suppressed");
        final Suppression suppression = Suppression.newBuilder()
                .setApiUser(email.getApiUser())
                .setAddress(SuppressionKey.normalise(email.getRecipient()))
                .setReason(SuppressionReason.hard_bounce)
                .setCreatedAt(now)
                .setSource(email.getEmailId() + ": " + bounce.reply())
                .build();
        return new ProducerRecord<>(Topics.SUPPRESSIONS.name(), SuppressionKey.of(email.getApiUser(), email.getRecipient()),
                suppressionWriter.serialize(Topics.SUPPRESSIONS.name(), suppression));
    }

    private static byte[] bytes(final java.nio.ByteBuffer buffer) {
        final java.nio.ByteBuffer view = buffer.duplicate();
        final byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        return bytes;
    }

    private void count(final String outcome) {
        registry.counter("mailpipe.deliverer.outcomes", "outcome", outcome).increment();
    }
}
