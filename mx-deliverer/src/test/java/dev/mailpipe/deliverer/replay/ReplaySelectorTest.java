package dev.mailpipe.deliverer.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.OutboundEmail;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplaySelectorTest {

    private static final TimeWindow WINDOW = new TimeWindow(Instant.parse("2026-11-23T10:00:00Z"),
            Instant.parse("2026-11-23T11:00:00Z"));
    private static final long INSIDE = Instant.parse("2026-11-23T10:30:00Z").toEpochMilli();
    private static final long BEFORE = Instant.parse("2026-11-23T09:59:59.999Z").toEpochMilli();
    private static final long AT_END = Instant.parse("2026-11-23T11:00:00Z").toEpochMilli();

    @Test
    void shouldSelectEmailsInTheWindowOnly() {
        final ReplaySelector all = new ReplaySelector(WINDOW, null, null, Set.of());
        final OutboundEmail email = email("u1", "bob@example.test");

        assertThat(all.selectsEmail(INSIDE, email)).isTrue();
        assertThat(all.selectsEmail(BEFORE, email)).isFalse();
        assertThat(all.selectsEmail(AT_END, email)).isFalse();
    }

    @Test
    void shouldFilterEmailsByApiUserAndDomain() {
        final ReplaySelector selector = new ReplaySelector(WINDOW, "u1", "Example.TEST", Set.of());

        assertThat(selector.selectsEmail(INSIDE, email("u1", "bob@example.test"))).isTrue();
        assertThat(selector.selectsEmail(INSIDE, email("u2", "bob@example.test"))).isFalse();
        assertThat(selector.selectsEmail(INSIDE, email("u1", "bob@other.test"))).isFalse();
    }

    @Test
    void shouldSelectEventsOfTheChosenTypesOnly() {
        final ReplaySelector bouncedOnly = new ReplaySelector(WINDOW, null, null, EnumSet.of(EventType.bounced));
        final ReplaySelector withDeferred = new ReplaySelector(WINDOW, null, null,
                EnumSet.of(EventType.bounced, EventType.deferred));

        assertThat(bouncedOnly.selectsEvent(INSIDE, event(EventType.bounced, "u1", "a@example.test"))).isTrue();
        assertThat(bouncedOnly.selectsEvent(INSIDE, event(EventType.deferred, "u1", "a@example.test"))).isFalse();
        assertThat(bouncedOnly.selectsEvent(INSIDE, event(EventType.delivered, "u1", "a@example.test"))).isFalse();
        assertThat(withDeferred.selectsEvent(INSIDE, event(EventType.deferred, "u1", "a@example.test"))).isTrue();
        assertThat(withDeferred.selectsEvent(BEFORE, event(EventType.bounced, "u1", "a@example.test"))).isFalse();
    }

    @Test
    void shouldFilterEventsByApiUserAndRecipientDomain() {
        final ReplaySelector selector = new ReplaySelector(WINDOW, "u1", "example.test", EnumSet.of(EventType.bounced));

        assertThat(selector.selectsEvent(INSIDE, event(EventType.bounced, "u1", "a@EXAMPLE.test"))).isTrue();
        assertThat(selector.selectsEvent(INSIDE, event(EventType.bounced, "u2", "a@example.test"))).isFalse();
        assertThat(selector.selectsEvent(INSIDE, event(EventType.bounced, "u1", "a@other.test"))).isFalse();
        assertThat(selector.selectsEvent(INSIDE, event(EventType.bounced, "u1", null))).isFalse();
    }

    @Test
    void shouldSkipEventsWithoutEmailId() {
        final ReplaySelector selector = new ReplaySelector(WINDOW, null, null, EnumSet.of(EventType.bounced));
        final DeliveryEvent aboutSubmission = event(EventType.bounced, "u1", "a@example.test");
        aboutSubmission.setEmailId(null);

        assertThat(selector.selectsEvent(INSIDE, aboutSubmission)).isFalse();
    }

    static OutboundEmail email(final String apiUser, final String recipient) {
        final String domain = ReplaySelector.domainOf(recipient);
        return OutboundEmail.newBuilder().setEmailId("m1" + 0 + "$" + recipient).setMessageId("m1").setIndex(0)
                .setApiUser(apiUser).setMailFrom("sender@mailpipe.test").setRecipient(recipient)
                .setRecipientDomain(domain).setSubmittedAt(Instant.now())
                .setContent(ByteBuffer.wrap("Subject: x\r\n\r\nhi\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
                .build();
    }

    static DeliveryEvent event(final EventType type, final String apiUser, final String recipient) {
        return DeliveryEvent.newBuilder().setType(type).setMessageId("m1").setEmailId("m10$" + recipient)
                .setApiUser(apiUser).setRecipient(recipient).setTimestamp(Instant.now()).build();
    }
}
