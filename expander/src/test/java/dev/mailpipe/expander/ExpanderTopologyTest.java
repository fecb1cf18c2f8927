package dev.mailpipe.expander;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.core.suppression.SuppressionKey;
import dev.mailpipe.expander.core.Expander;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.OutboundEmail;
import dev.mailpipe.schemas.RawMessage;
import dev.mailpipe.schemas.Suppression;
import dev.mailpipe.schemas.SuppressionReason;
import dev.mailpipe.schemas.DeadLetterHeaders;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.schemas.TrackingFilters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ExpanderTopologyTest {

    private static final Instant NOW = Instant.parse("2026-11-23T16:00:00Z");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, RawMessage> raw;
    private TestInputTopic<String, byte[]> rawBytes;
    private TestOutputTopic<String, OutboundEmail> outbound;
    private TestOutputTopic<String, DeliveryEvent> events;
    private TestOutputTopic<String, byte[]> deadLetters;
    private TestInputTopic<String, Suppression> suppressions;
    private TestInputTopic<String, byte[]> suppressionBytes;

    @BeforeEach
    void startDriver() {
        final StreamsBuilder builder = new StreamsBuilder();
        ExpanderTopology.build(builder, new Expander(""), new ExpanderMetrics(registry),
                Clock.fixed(NOW, ZoneOffset.UTC));
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "expander-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(builder.build(), props);
        raw = driver.createInputTopic(Topics.RAW.name(), Topics.RAW.keySerde().serializer(),
                Topics.RAW.valueSerde().serializer());
        rawBytes = driver.createInputTopic(Topics.RAW.name(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        outbound = driver.createOutputTopic(Topics.OUTBOUND.name(), Topics.OUTBOUND.keySerde().deserializer(),
                Topics.OUTBOUND.valueSerde().deserializer());
        events = driver.createOutputTopic(Topics.DELIVERY_EVENTS.name(),
                Topics.DELIVERY_EVENTS.keySerde().deserializer(), Topics.DELIVERY_EVENTS.valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(Topics.RAW_DLT.name(), Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer());
        suppressions = driver.createInputTopic(Topics.SUPPRESSIONS.name(), Topics.SUPPRESSIONS.keySerde().serializer(),
                Topics.SUPPRESSIONS.valueSerde().serializer());
        suppressionBytes = driver.createInputTopic(Topics.SUPPRESSIONS.name(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
    }

    private void suppress(final String apiUser, final String address, final SuppressionReason reason) {
        suppressions.pipeInput(SuppressionKey.of(apiUser, address), Suppression.newBuilder().setApiUser(apiUser)
                .setAddress(SuppressionKey.normalise(address)).setReason(reason).setCreatedAt(NOW)
                .setSource("m-earlier0$" + address).build());
    }

    @Test
    void shouldDropASuppressedRecipientWithADroppedEventInsteadOfAnEmail() {
        suppress("api_user", "joe@ifaxin.com", SuppressionReason.unsubscribe);

        raw.pipeInput(Submissions.MESSAGE_ID, Submissions.raw(Submissions.MESSAGE_ID,
                List.of("ben@ifaxin.com", "Joe@IFaxin.com", "bida@example.test"),
                Submissions.message("Hi\n", "SC-Custom-order: 42")));

        assertThat(outbound.readValuesToList()).extracting(OutboundEmail::getRecipient)
                .containsExactly("ben@ifaxin.com", "bida@example.test");
        final List<DeliveryEvent> all = events.readValuesToList();
        assertThat(all).filteredOn(e -> e.getType() == EventType.request).extracting(DeliveryEvent::getRecipient)
                .containsExactly("ben@ifaxin.com", "bida@example.test");
        final List<DeliveryEvent> dropped = all.stream().filter(e -> e.getType() == EventType.dropped).toList();
        assertThat(dropped).hasSize(1);
        assertThat(dropped.get(0).getEmailId()).isEqualTo(Submissions.MESSAGE_ID + "1$Joe@IFaxin.com");
        assertThat(dropped.get(0).getRecipient()).isEqualTo("Joe@IFaxin.com");
        assertThat(dropped.get(0).getReason()).isEqualTo("suppressed: unsubscribe (m-earlier0$joe@ifaxin.com)");
        assertThat(dropped.get(0).getApiUser()).isEqualTo("api_user");
        assertThat(dropped.get(0).getCustomHeaders()).containsEntry("SC-Custom-order", "42");
        assertThat(dropped.get(0).getEventId()).isNotEmpty();
        assertThat(registry.get("mailpipe.expander.emails.dropped").counter().count()).isEqualTo(1.0);
    }

    @Test
    void shouldScopeSuppressionsPerAccount() {
        suppress("another_account", "ben@ifaxin.com", SuppressionReason.hard_bounce);

        raw.pipeInput(Submissions.MESSAGE_ID, Submissions.raw(Submissions.MESSAGE_ID, List.of("ben@ifaxin.com"),
                Submissions.message("Hi\n")));

        assertThat(outbound.readValuesToList()).extracting(OutboundEmail::getRecipient).containsExactly("ben@ifaxin.com");
        assertThat(events.readValuesToList()).extracting(DeliveryEvent::getType).containsExactly(EventType.request);
    }

    @Test
    void shouldSendAgainOnceASuppressionIsRemoved() {
        suppress("api_user", "ben@ifaxin.com", SuppressionReason.manual);
        raw.pipeInput("m-1", Submissions.raw("m-1", List.of("ben@ifaxin.com"), Submissions.message("Hi\n")));
        assertThat(outbound.isEmpty()).isTrue();
        assertThat(events.readValuesToList()).extracting(DeliveryEvent::getReason)
                .containsExactly("suppressed: manual (m-earlier0$ben@ifaxin.com)");

        suppressions.pipeInput(SuppressionKey.of("api_user", "ben@ifaxin.com"), (Suppression) null);
        raw.pipeInput("m-2", Submissions.raw("m-2", List.of("ben@ifaxin.com"), Submissions.message("Hi\n")));

        assertThat(outbound.readValuesToList()).extracting(OutboundEmail::getMessageId).containsExactly("m-2");
    }

    @Test
    void shouldTreatAnUnreadableSuppressionRecordAsSuppressedAndKeepGoing() {
        suppressionBytes.pipeInput(SuppressionKey.of("api_user", "ben@ifaxin.com"), new byte[] {1, 2, 3});

        raw.pipeInput(Submissions.MESSAGE_ID, Submissions.raw(Submissions.MESSAGE_ID,
                List.of("ben@ifaxin.com", "joe@ifaxin.com"), Submissions.message("Hi\n")));

        assertThat(outbound.readValuesToList()).extracting(OutboundEmail::getRecipient).containsExactly("joe@ifaxin.com");
        assertThat(events.readValuesToList()).filteredOn(e -> e.getType() == EventType.dropped)
                .extracting(DeliveryEvent::getReason)
                .containsExactly("suppressed: unknown (unreadable suppression record)");
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void shouldWriteOneEmailPerEnvelopeRecipientKeyedByLowerCaseDomain() {
        raw.pipeInput(Submissions.MESSAGE_ID, Submissions.raw(Submissions.MESSAGE_ID,
                List.of("ben@ifaxin.com", "joe@IFaxin.COM", "bida@example.test"), Submissions.message("Hi\n")));

        final List<TestRecord<String, OutboundEmail>> emails = outbound.readRecordsToList();
        assertThat(emails).extracting(TestRecord::key).containsExactly("ifaxin.com", "ifaxin.com", "example.test");
        assertThat(emails).extracting(r -> r.value().getEmailId()).containsExactly(
                Submissions.MESSAGE_ID + "0$ben@ifaxin.com",
                Submissions.MESSAGE_ID + "1$joe@IFaxin.COM",
                Submissions.MESSAGE_ID + "2$bida@example.test");
        assertThat(emails).extracting(r -> r.value().getIndex()).containsExactly(0, 1, 2);
        assertThat(emails.get(1).value().getRecipientDomain()).isEqualTo("ifaxin.com");
        assertThat(emails.get(0).value().getApiUser()).isEqualTo("api_user");
        assertThat(emails.get(0).value().getLabel()).isEqualTo("7");
        assertThat(emails.get(0).value().getMailFrom()).isEqualTo("support@ifaxin.com");
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void shouldEmitOneRequestEventPerEmailKeyedByMessageId() {
        raw.pipeInput(Submissions.MESSAGE_ID, Submissions.raw(Submissions.MESSAGE_ID,
                List.of("ben@ifaxin.com", "joe@ifaxin.com"), Submissions.message("Hi\n", "SC-Custom-test_key1: value1")));

        final List<TestRecord<String, DeliveryEvent>> requests = events.readRecordsToList();
        assertThat(requests).extracting(TestRecord::key).containsOnly(Submissions.MESSAGE_ID);
        assertThat(requests).extracting(r -> r.value().getType()).containsOnly(EventType.request);
        assertThat(requests).extracting(r -> r.value().getEmailId()).containsExactly(
                Submissions.MESSAGE_ID + "0$ben@ifaxin.com", Submissions.MESSAGE_ID + "1$joe@ifaxin.com");
        assertThat(requests).extracting(r -> r.value().getRecipient())
                .containsExactly("ben@ifaxin.com", "joe@ifaxin.com");
        // stable across a rewrite of the same submission: named by type and emailId, never by time
        assertThat(requests).extracting(r -> r.value().getEventId()).containsExactly(
                dev.mailpipe.core.events.EventIds.of("request", Submissions.MESSAGE_ID + "0$ben@ifaxin.com", 0),
                dev.mailpipe.core.events.EventIds.of("request", Submissions.MESSAGE_ID + "1$joe@ifaxin.com", 0));
        assertThat(requests.get(0).value().getTimestamp()).isEqualTo(NOW);
        assertThat(requests.get(0).value().getLabel()).isEqualTo("7");
        assertThat(requests.get(0).value().getCustomHeaders()).containsEntry("SC-Custom-test_key1", "value1");
        assertThat(registry.get("mailpipe.expander.emails.expanded").counter().count()).isEqualTo(2.0);
    }

    @Test
    void shouldMergeXSmtpApiFiltersOverTheAccountFiltersCarriedOnTheRawRecord() {
        raw.pipeInput(Submissions.MESSAGE_ID, RawMessage.newBuilder(Submissions.raw(Submissions.MESSAGE_ID,
                List.of("ben@ifaxin.com", "joe@example.test"), Submissions.message("Hi\n", Submissions.xsmtpapi(
                        "{\"filters\": {\"click_tracking\": {\"settings\": {\"enable\": \"1\"}}}}"))))
                .setAccountFilters(new TrackingFilters(false, true, false))
                .build());

        assertThat(outbound.readValuesToList()).extracting(OutboundEmail::getFilters)
                .containsExactly(new TrackingFilters(false, true, true), new TrackingFilters(false, true, true));
    }

    @Test
    void shouldExpandXSmtpApiRecipientsAndSubstitutionsThroughTheTopology() {
        raw.pipeInput(Submissions.MESSAGE_ID, Submissions.raw(Submissions.MESSAGE_ID, List.of("envelope@ifaxin.com"),
                Submissions.message("Hi %name%\n", Submissions.xsmtpapi("{\"to\": [\"ben@ifaxin.com\", "
                        + "\"joe@example.test\"], \"sub\": {\"%name%\": [\"Ben\", \"Joe\"]}}"))));

        final List<TestRecord<String, OutboundEmail>> emails = outbound.readRecordsToList();
        assertThat(emails).extracting(TestRecord::key).containsExactly("ifaxin.com", "example.test");
        assertThat(emails).extracting(r -> new String(dev.mailpipe.expander.mime.Mime.bytes(r.value()),
                StandardCharsets.UTF_8)).satisfiesExactly(
                        ben -> assertThat(ben).endsWith("\r\n\r\nHi Ben\r\n").doesNotContain("X-SMTPAPI"),
                        joe -> assertThat(joe).endsWith("\r\n\r\nHi Joe\r\n").contains("To: joe@example.test\r\n"));
        assertThat(events.readValuesToList()).extracting(DeliveryEvent::getEmailId).containsExactly(
                Submissions.MESSAGE_ID + "0$ben@ifaxin.com", Submissions.MESSAGE_ID + "1$joe@example.test");
    }

    @Test
    void shouldDeadLetterACorruptRecordWithItsReasonAndKeepGoing() {
        final byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);
        rawBytes.pipeInput("broken-inbound", garbage);
        raw.pipeInput(Submissions.MESSAGE_ID, Submissions.raw(Submissions.MESSAGE_ID,
                List.of("ben@ifaxin.com"), Submissions.message("Hi\n")));

        final TestRecord<String, byte[]> dead = deadLetters.readRecord();
        assertThat(dead.key()).isEqualTo("broken-inbound");
        assertThat(dead.value()).isEqualTo(garbage);
        assertThat(header(dead, DeadLetterHeaders.REASON)).startsWith("corrupt record: ");
        assertThat(header(dead, DeadLetterHeaders.TOPIC)).isEqualTo(Topics.RAW.name());
        assertThat(header(dead, DeadLetterHeaders.OFFSET)).isEqualTo("0");
        assertThat(deadLetters.isEmpty()).isTrue();

        final List<DeliveryEvent> all = events.readValuesToList();
        assertThat(all).hasSize(2);
        assertThat(all.get(0).getType()).isEqualTo(EventType.invalid);
        assertThat(all.get(0).getMessageId()).isEqualTo("broken-inbound");
        assertThat(all.get(0).getEmailId()).isNull();
        assertThat(all.get(0).getReason()).startsWith("corrupt record: ");
        assertThat(all.get(1).getType()).isEqualTo(EventType.request);
        assertThat(outbound.readValuesToList()).hasSize(1);
        assertThat(registry.get("mailpipe.expander.submissions").tag("outcome", "invalid").counter().count())
                .isEqualTo(1.0);
    }

    @Test
    void shouldDeadLetterARecordWithoutAValue() {
        rawBytes.pipeInput("tombstone-inbound", (byte[]) null);

        final TestRecord<String, byte[]> dead = deadLetters.readRecord();
        assertThat(dead.key()).isEqualTo("tombstone-inbound");
        assertThat(dead.value()).isNull();
        assertThat(header(dead, DeadLetterHeaders.REASON)).isEqualTo("empty record (no value)");
        assertThat(events.readValue().getMessageId()).isEqualTo("tombstone-inbound");
    }

    @Test
    void shouldDeadLetterABadXSmtpApiWithAnInvalidEventForItsMessageId() {
        final RawMessage submission = Submissions.raw(Submissions.MESSAGE_ID, List.of("ben@ifaxin.com"),
                Submissions.message("Hi %name%\n", "SC-Custom-order: 42", "X-SMTPAPI: !!!not base64!!!"));
        raw.pipeInput(Submissions.MESSAGE_ID, submission);

        final TestRecord<String, byte[]> dead = deadLetters.readRecord();
        assertThat(dead.value()).isEqualTo(Topics.RAW.valueSerde().serializer().serialize("t", submission));
        assertThat(header(dead, DeadLetterHeaders.REASON)).startsWith("xsmtpapi error: X-SMTPAPI is not valid base64");
        final DeliveryEvent invalid = events.readValue();
        assertThat(invalid.getType()).isEqualTo(EventType.invalid);
        assertThat(invalid.getMessageId()).isEqualTo(Submissions.MESSAGE_ID);
        assertThat(invalid.getApiUser()).isEqualTo("api_user");
        assertThat(invalid.getReason()).startsWith("xsmtpapi error: ");
        assertThat(invalid.getCustomHeaders()).containsEntry("SC-Custom-order", "42");
        assertThat(outbound.isEmpty()).isTrue();
        assertThat(events.isEmpty()).isTrue();
    }

    @Test
    void shouldDeadLetterASubArrayShorterThanTheRecipients() {
        raw.pipeInput(Submissions.MESSAGE_ID, Submissions.raw(Submissions.MESSAGE_ID, List.of("x@ifaxin.com"),
                Submissions.message("Hi %name%\n", Submissions.xsmtpapi(
                        "{\"to\":[\"ben@ifaxin.com\",\"joe@ifaxin.com\"],\"sub\":{\"%name%\":[\"Ben\"]}}"))));

        assertThat(header(deadLetters.readRecord(), DeadLetterHeaders.REASON))
                .isEqualTo("xsmtpapi error: \"sub\" %name% has 1 values for 2 recipients");
        assertThat(outbound.isEmpty()).isTrue();
    }

    @Test
    void shouldNameEveryOperator() {
        final StreamsBuilder builder = new StreamsBuilder();
        ExpanderTopology.build(builder, new Expander(""), ExpanderMetrics.discarding(),
                Clock.systemUTC());
        final TopologyDescription description = builder.build().describe();
        assertThat(description.toString()).doesNotContain("KSTREAM-");
        assertThat(description.subtopologies()).hasSize(1);
    }

    private static String header(final TestRecord<String, byte[]> record, final String name) {
        final Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
