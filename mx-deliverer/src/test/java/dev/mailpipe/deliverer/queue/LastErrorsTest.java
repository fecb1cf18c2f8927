package dev.mailpipe.deliverer.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.deliverer.RetryHeaders;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.OutboundEmail;
import dev.mailpipe.schemas.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class LastErrorsTest {

    private static final Instant T = Instant.parse("2026-12-03T10:00:00Z");

    @Test
    void shouldFillOnlySilentRecordsFromTheirLatestDeferredEvent() {
        final DeferredEmail silent = new DeferredEmail("mail.outbound.retry-5m", "e1", "a.test", null, "u", T, T, null);
        final DeferredEmail told = new DeferredEmail("mail.outbound.retry-5m", "e2", "a.test", "mx.a.test", "u", T, T,
                "451 from the header");
        final LastErrors errors = new LastErrors(List.of(silent, told));
        errors.offer(event("e1", EventType.deferred, 2, "mx2.a.test", "451 second"));
        errors.offer(event("e1", EventType.deferred, 1, "mx1.a.test", "451 first"));
        errors.offer(event("e1", EventType.delivered, 3, "mx3.a.test", "250 ok"));
        errors.offer(event("e2", EventType.deferred, 9, "mx9.a.test", "451 from an event"));

        assertThat(errors.needed()).isTrue();
        assertThat(errors.fill(List.of(silent, told))).containsExactly(
                silent.orFrom("mx2.a.test", "451 second"), told);
    }

    @Test
    void shouldNotNeedEventsWhenEveryRecordCarriesItsError() {
        assertThat(new LastErrors(List.of(new DeferredEmail("t", "e", "d", null, "u", T, T, "451 x"))).needed()).isFalse();
    }

    @Test
    void shouldDecodeARetryRecordWithItsHeaders() {
        final OutboundEmail email = OutboundEmail.newBuilder().setEmailId("m1$0$ann@a.test").setMessageId("m1")
                .setIndex(0).setApiUser("acme").setMailFrom("s@x.test").setRecipient("ann@a.test")
                .setRecipientDomain("a.test").setSubmittedAt(T.minusSeconds(600))
                .setContent(ByteBuffer.wrap("Subject: x\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII))).build();
        final RecordHeaders headers = new RecordHeaders();
        headers.add(RetryHeaders.FIRST_ATTEMPT, Long.toString(T.minusSeconds(300).toEpochMilli()).getBytes(StandardCharsets.US_ASCII));
        headers.add(RetryHeaders.MX_HOST, "mx.a.test".getBytes(StandardCharsets.UTF_8));
        headers.add(RetryHeaders.LAST_ERROR, "451 4.7.1 greylisted".getBytes(StandardCharsets.UTF_8));
        final byte[] value = Topics.OUTBOUND.valueSerde().serializer().serialize("t", email);

        final DeferredEmail decoded = RetryRecords.decode(new ConsumerRecord<>("mail.outbound.retry-5m", 0, 7L,
                T.toEpochMilli(), TimestampType.CREATE_TIME, 0, value.length, "a.test", value, headers,
                java.util.Optional.empty()));

        assertThat(decoded).isEqualTo(new DeferredEmail("mail.outbound.retry-5m", "m1$0$ann@a.test", "a.test",
                "mx.a.test", "acme", T.minusSeconds(300), T, "451 4.7.1 greylisted"));
        headers.remove(RetryHeaders.FIRST_ATTEMPT);
        headers.remove(RetryHeaders.MX_HOST);
        headers.remove(RetryHeaders.LAST_ERROR);
        final DeferredEmail bare = RetryRecords.decode(new ConsumerRecord<>("mail.outbound.retry-5m", 0, 7L,
                T.toEpochMilli(), TimestampType.CREATE_TIME, 0, value.length, "a.test", value, headers,
                java.util.Optional.empty()));
        assertThat(bare.firstAttempt()).as("the submission time stands in").isEqualTo(T.minusSeconds(600));
        assertThat(bare.mxHost()).isNull();
        assertThat(bare.lastError()).isNull();
    }

    private static DeliveryEvent event(final String emailId, final EventType type, final int attempt, final String mx,
            final String reason) {
        return DeliveryEvent.newBuilder().setType(type).setMessageId("m").setEmailId(emailId).setApiUser("u")
                .setTimestamp(T).setAttempt(attempt).setMxHost(mx).setReason(reason).build();
    }
}
