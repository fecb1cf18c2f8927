package dev.mailpipe.platform.queue;

import dev.mailpipe.core.accounts.TrackingDefaults;
import dev.mailpipe.platform.KafkaDefaults;
import dev.mailpipe.schemas.RawMessage;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.schemas.TrackingFilters;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each submission as a {@link RawMessage} to {@code mail.raw} (key = messageId) with an
 * idempotent acks=all producer and waits for the acknowledgement. The producer's own delivery
 * timeout is the queue timeout, so "false" means Kafka gave up too (no later surprise ack).
 */
public final class KafkaSubmitter implements Submitter {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSubmitter.class);

    private final KafkaProducer<String, RawMessage> producer;
    private final Duration timeout;

    public KafkaSubmitter(final String bootstrapServers, final String clientId, final Duration timeout) {
        this.timeout = timeout;
        final long ms = timeout.toMillis();
        final Map<String, Object> props = KafkaDefaults.with(KafkaDefaults.producer(bootstrapServers, clientId), Map.of(
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) ms,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(500, ms / 3),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, ms / 2));
        this.producer = new KafkaProducer<>(props, Topics.RAW.keySerde().serializer(), Topics.RAW.valueSerde().serializer());
    }

    public static RawMessage toRecord(final Submission s) {
        return RawMessage.newBuilder()
                .setMessageId(s.messageId())
                .setApiUser(s.apiUser())
                .setLabel(s.label())
                .setMailFrom(s.mailFrom())
                .setRecipients(s.recipients())
                .setReceivedAt(s.receivedAt())
                .setClientAddress(s.clientAddress())
                .setClientHelo(s.clientHelo() == null ? "" : s.clientHelo())
                .setTlsCipher(s.tlsCipher())
                .setContent(ByteBuffer.wrap(s.content()))
                .setAccountFilters(toFilters(s.accountFilters()))
                .setSmtputf8(s.smtputf8())
                .setSource(s.source())
                .setAccountFooterText(s.accountFilters() == null ? null : s.accountFilters().unsubscribeFooterText())
                .build();
    }

    private static TrackingFilters toFilters(final TrackingDefaults d) {
        return d == null ? null : new TrackingFilters(d.subscriptionTracking(), d.openTracking(), d.clickTracking());
    }

    @Override
    public boolean submit(final Submission submission) {
        try {
            producer.send(new ProducerRecord<>(Topics.RAW.name(), submission.messageId(), toRecord(submission)))
                    .get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            return true;
        } catch (final ExecutionException | KafkaException e) {
            LOG.warn("could not queue {}: {}", submission.messageId(), e.getMessage());
            return false;
        } catch (final TimeoutException e) {
            LOG.warn("no Kafka acknowledgement for {} within {}", submission.messageId(), timeout);
            return false;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        // bounded: during a Kafka outage unsent records are given up (their clients got or get 451)
        producer.close(Duration.ofSeconds(3));
    }
}
