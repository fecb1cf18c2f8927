package dev.mailpipe.deliverer.queue;

import dev.mailpipe.deliverer.RetryHeaders;
import dev.mailpipe.schemas.OutboundEmail;
import dev.mailpipe.schemas.Topics;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A retry record as a {@link DeferredEmail}: the {@code OutboundEmail} value plus the
 * {@code mailpipe.retry.*} headers (first attempt, MX host, last error; the last two only from a
 * deliverer that writes them). Without a first-attempt header the email's submission time stands in.
 * Pure (no I/O).
 */
public final class RetryRecords {

    private static final Deserializer<OutboundEmail> EMAILS = Topics.OUTBOUND.valueSerde().deserializer();

    private RetryRecords() {
    }

    /** @throws RuntimeException when the value is not an {@code OutboundEmail} */
    public static DeferredEmail decode(final ConsumerRecord<?, byte[]> record) {
        final OutboundEmail email = EMAILS.deserialize(record.topic(), record.value());
        if (email == null) {
            throw new IllegalArgumentException("empty record");
        }
        final Instant first = RetryHeaders.get(record.headers(), RetryHeaders.FIRST_ATTEMPT).stream()
                .mapToObj(Instant::ofEpochMilli).findFirst().orElse(email.getSubmittedAt());
        return new DeferredEmail(record.topic(), email.getEmailId(), email.getRecipientDomain(),
                RetryHeaders.text(record.headers(), RetryHeaders.MX_HOST).filter(s -> !s.isBlank()).orElse(null),
                email.getApiUser(), first, Instant.ofEpochMilli(record.timestamp()),
                RetryHeaders.text(record.headers(), RetryHeaders.LAST_ERROR).filter(s -> !s.isBlank()).orElse(null));
    }
}
