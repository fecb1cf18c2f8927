package dev.mailpipe.deliverer.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailpipe.schemas.BounceClass;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.OutboundEmail;
import dev.mailpipe.schemas.RemoteReply;
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

    private static ReplaySelector only(final String label, final BounceClass bounceClass, final String status,
            final String reason, final String task, final ReplaySelector.Ids ids) {
        return new ReplaySelector(WINDOW, null, label, null, bounceClass, status, reason, task, ids,
                EnumSet.of(EventType.bounced, EventType.deferred));
    }

    private static DeliveryEvent bounce(final BounceClass bounceClass, final String enhanced, final String reason) {
        final DeliveryEvent e = event(EventType.bounced, "u1", "a@example.test");
        e.setBounceClass(bounceClass);
        e.setReason(reason);
        if (enhanced != null) {
            e.setRemoteReply(RemoteReply.newBuilder().setCode(550).setEnhancedStatus(enhanced).setText(reason).build());
        }
        return e;
    }

    @Test
    void shouldFilterEventsByBounceClassStatusAndReason() {
        final DeliveryEvent unknownUser = bounce(BounceClass.hard, "5.1.1", "550 5.1.1 <a@example.test>: User Unknown");
        final DeliveryEvent nullMx = bounce(BounceClass.hard, null, "null MX: 556 5.1.10 the domain takes no mail");
        final DeliveryEvent policy = bounce(BounceClass.soft, "5.7.1", "550 5.7.1 message refused");

        assertThat(only(null, BounceClass.hard, null, null, null, null).selectsEvent(INSIDE, unknownUser)).isTrue();
        assertThat(only(null, BounceClass.hard, null, null, null, null).selectsEvent(INSIDE, policy)).isFalse();
        assertThat(only(null, BounceClass.soft, null, null, null, null)
                .selectsEvent(INSIDE, event(EventType.deferred, "u1", "a@example.test"))).as("deferred has no class").isFalse();
        assertThat(only(null, null, "5.1.1", null, null, null).selectsEvent(INSIDE, unknownUser)).isTrue();
        assertThat(only(null, null, "5.1.1", null, null, null).selectsEvent(INSIDE, nullMx)).as("5.1.1 is not 5.1.10").isFalse();
        assertThat(only(null, null, "5.1", null, null, null).selectsEvent(INSIDE, nullMx)).as("from the reason").isTrue();
        assertThat(only(null, null, "5", null, null, null).selectsEvent(INSIDE, policy)).isTrue();
        assertThat(only(null, null, "4", null, null, null).selectsEvent(INSIDE, policy)).isFalse();
        assertThat(only(null, null, null, "USER unknown", null, null).selectsEvent(INSIDE, unknownUser)).isTrue();
        assertThat(only(null, null, null, "user unknown", null, null).selectsEvent(INSIDE, policy)).isFalse();
    }

    @Test
    void shouldFilterByLabelTaskAndIds() {
        final DeliveryEvent e = event(EventType.bounced, "u1", "a@example.test");
        e.setLabel("7");
        e.setMailListTaskId("task-9");

        assertThat(only("7", null, null, null, "task-9", null).selectsEvent(INSIDE, e)).isTrue();
        assertThat(only("8", null, null, null, null, null).selectsEvent(INSIDE, e)).isFalse();
        assertThat(only(null, null, null, null, "task-1", null).selectsEvent(INSIDE, e)).isFalse();
        assertThat(only(null, null, null, null, null, Set.of("m1")::contains).selectsEvent(INSIDE, e)).as("messageId").isTrue();
        assertThat(only(null, null, null, null, null, Set.of(e.getEmailId())::contains).selectsEvent(INSIDE, e)).isTrue();
        assertThat(only(null, null, null, null, null, Set.of("m2")::contains).selectsEvent(INSIDE, e)).isFalse();
    }

    @Test
    void shouldMatchDeadLettersByTheReasonHeader() {
        final ReplaySelector greylisted = only(null, null, "4.7", "greylist", null, null);
        final OutboundEmail email = email("u1", "bob@example.test");

        assertThat(greylisted.selectsEmail(INSIDE, email, "expired: no delivery within 5d after 9 attempt(s); last: 451 4.7.1 Greylisted"))
                .isTrue();
        assertThat(greylisted.selectsEmail(INSIDE, email, "expired: … last: 451 4.3.0 try later")).isFalse();
        assertThat(greylisted.selectsEmail(INSIDE, email, null)).isFalse();
    }

    @Test
    void shouldRefuseAStatusThatIsNotACode() {
        assertThatThrownBy(() -> only(null, null, "5.x", null, null, null)).hasMessageContaining("--status");
        assertThatThrownBy(() -> only(null, null, "550", null, null, null)).hasMessageContaining("--status");
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
