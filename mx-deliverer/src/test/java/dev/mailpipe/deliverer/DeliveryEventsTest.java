package dev.mailpipe.deliverer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.core.smtp.SmtpReply;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.OutboundEmail;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeliveryEventsTest {

    private final OutboundEmail email = Emails.email("m1.test-inbound", 0, "ben@example.test");
    private final Outcome delivered = Outcome.ofReply("mx1.example.test", SmtpReply.of(250, List.of("2.0.0 ok")));

    @Test
    void shouldGiveTheSameOutcomeWrittenTwiceTheSameEventId() {
        final DeliveryEvent first = DeliveryEvents.of(email, EventType.delivered, delivered, 1, "ok", Instant.ofEpochMilli(1));
        final DeliveryEvent again = DeliveryEvents.of(email, EventType.delivered, delivered, 1, "ok", Instant.ofEpochMilli(99));

        assertThat(first.getEventId()).isNotEmpty().isEqualTo(again.getEventId());
    }

    @Test
    void shouldGiveEachAttemptAndTypeItsOwnEventId() {
        final String one = DeliveryEvents.of(email, EventType.deferred, delivered, 1, "x", Instant.EPOCH).getEventId();
        final String two = DeliveryEvents.of(email, EventType.deferred, delivered, 2, "x", Instant.EPOCH).getEventId();
        final String bounced = DeliveryEvents.of(email, EventType.bounced, delivered, 2, "x", Instant.EPOCH).getEventId();

        assertThat(List.of(one, two, bounced)).doesNotHaveDuplicates();
    }

    @Test
    void shouldCarryTheReplayIdAndGiveAReplayedOutcomeItsOwnEventId() {
        final DeliveryEvent original = DeliveryEvents.of(email, EventType.bounced, delivered, 1, "x", Instant.EPOCH);
        final DeliveryEvent replayed = DeliveryEvents.of(email, EventType.bounced, delivered, 1, "x", Instant.EPOCH,
                "20261203T120000Z-abc123");

        assertThat(original.getReplayId()).isNull();
        assertThat(replayed.getReplayId()).isEqualTo("20261203T120000Z-abc123");
        assertThat(replayed.getEventId()).as("attempt 1 again, but a new event").isNotEqualTo(original.getEventId());
        assertThat(DeliveryEvents.of(email, EventType.bounced, delivered, 1, "x", Instant.ofEpochMilli(5),
                "20261203T120000Z-abc123").getEventId()).as("stable when written twice").isEqualTo(replayed.getEventId());
    }

    @Test
    void shouldCarryTheAddressListTaskOfTheEmail() {
        final OutboundEmail fromList = OutboundEmail.newBuilder(email).setMailListTaskId("task-7").build();

        assertThat(DeliveryEvents.of(fromList, EventType.delivered, delivered, 1, "ok", Instant.EPOCH)
                .getMailListTaskId()).isEqualTo("task-7");
        assertThat(DeliveryEvents.of(email, EventType.delivered, delivered, 1, "ok", Instant.EPOCH)
                .getMailListTaskId()).isNull();
    }
}
