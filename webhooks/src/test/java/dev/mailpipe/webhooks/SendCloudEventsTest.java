package dev.mailpipe.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.schemas.BounceClass;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.webhooks.core.SendCloudEvents;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SendCloudEventsTest {

    private static DeliveryEvent of(final EventType type, final BounceClass bounceClass) {
        return DeliveryEvent.newBuilder().setType(type).setMessageId("m").setTimestamp(Instant.EPOCH)
                .setBounceClass(bounceClass).build();
    }

    @Test
    void shouldUseSendCloudsNames() {
        assertThat(SendCloudEvents.nameOf(of(EventType.request, null))).contains("request");
        assertThat(SendCloudEvents.nameOf(of(EventType.delivered, null))).contains("deliver");
        assertThat(SendCloudEvents.nameOf(of(EventType.spam_report, null))).contains("report_spam");
        assertThat(SendCloudEvents.nameOf(of(EventType.open, null))).contains("open");
        assertThat(SendCloudEvents.nameOf(of(EventType.dropped, null))).contains("dropped");
    }

    @Test
    void shouldPostASoftBounceAsBounceAndAHardOneAsInvalid() {
        assertThat(SendCloudEvents.nameOf(of(EventType.bounced, BounceClass.soft))).contains("bounce");
        assertThat(SendCloudEvents.nameOf(of(EventType.bounced, null))).contains("bounce");
        assertThat(SendCloudEvents.nameOf(of(EventType.bounced, BounceClass.hard))).contains("invalid");
        assertThat(SendCloudEvents.nameOf(of(EventType.invalid, null))).contains("invalid");
    }

    @Test
    void shouldNotPostATypeThisReaderDoesNotKnow() {
        assertThat(SendCloudEvents.nameOf(of(EventType.unknown, null))).isEmpty();
    }
}
