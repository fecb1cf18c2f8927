package dev.mailpipe.deliverer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailpipe.core.suppression.SuppressionKey;
import dev.mailpipe.deliverer.replay.ReplayHeaders;
import dev.mailpipe.platform.CompactedTable;
import dev.mailpipe.schemas.BounceClass;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.OutboundEmail;
import dev.mailpipe.schemas.Suppression;
import dev.mailpipe.schemas.SuppressionReason;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.testsupport.Dnsmasq;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import dev.mailpipe.testsupport.TestSmtpServer;
import dev.mailpipe.testsupport.TopicCollector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The deliverer against a real broker, a real DNS server (dnsmasq) and real SMTP servers on
 * 127.0.0.x, all sharing one port (MX records carry no port). One deliverer serves every scenario;
 * each scenario has its own recipient domain.
 */
class MxDelivererIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static TestSmtpServer good;
    private static TestSmtpServer flaky;
    private static TestSmtpServer rejecting;
    private static TestSmtpServer silent;
    private static TestSmtpServer slow;
    private static final AtomicInteger CONCURRENT = new AtomicInteger();
    private static final AtomicInteger MAX_CONCURRENT = new AtomicInteger();
    private static Dnsmasq dns;
    private static MxDelivererApp app;
    private static EventCollector events;
    private static KafkaProducer<String, OutboundEmail> producer;

    @BeforeAll
    static void start() {
        good = TestSmtpServer.on("127.0.0.2").port(0).start();
        final int port = good.port();
        flaky = TestSmtpServer.on("127.0.0.4").port(port)
                .dataReply(n -> n < 2 ? "451 4.3.0 try again later" : "250 2.0.0 ok at last").start();
        rejecting = TestSmtpServer.on("127.0.0.5").port(port).dataReply(n -> "550 5.7.1 message refused").start();
        silent = TestSmtpServer.on("127.0.0.6").port(port).silent().start();
        // 100 ms per DATA, so that concurrent transactions overlap and can be counted
        slow = TestSmtpServer.on("127.0.0.7").port(port).dataReply(n -> {
            MAX_CONCURRENT.accumulateAndGet(CONCURRENT.incrementAndGet(), Math::max);
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            CONCURRENT.decrementAndGet();
            return "250 2.0.0 ok";
        }).start();
        dns = Dnsmasq.builder().localZone("test")
                .mx("example.test", "mx1.example.test", 10).host("mx1.example.test", "127.0.0.2")
                // 127.0.0.3 has no server: connection refused, then the second MX takes it
                .mx("failover.test", "dead.failover.test", 10).host("dead.failover.test", "127.0.0.3")
                .mx("failover.test", "live.failover.test", 20).host("live.failover.test", "127.0.0.2")
                .mx("flaky.test", "mx.flaky.test", 10).host("mx.flaky.test", "127.0.0.4")
                .mx("reject.test", "mx.reject.test", 10).host("mx.reject.test", "127.0.0.5")
                .mx("silent.test", "mx.silent.test", 10).host("mx.silent.test", "127.0.0.6")
                .mx("private.test", "mx.private.test", 10).host("mx.private.test", "10.11.12.13")
                .mx("burst.test", "mx.burst.test", 10).host("mx.burst.test", "127.0.0.7")
                .nullMx("nullmx.test")
                .host("amx.test", "127.0.0.2")
                .start();
        app = MxDelivererApp.start(new MxDelivererConfig(Map.ofEntries(
                Map.entry("bootstrap.servers", KAFKA.bootstrapServers()),
                Map.entry("http.port", "-1"),
                Map.entry("topic.partitions", "3"),
                Map.entry("dns", dns.address()),
                Map.entry("mx.port", String.valueOf(port)),
                Map.entry("mx.allowed.networks", "127.0.0.0/8"),
                Map.entry("hostname", "deliverer.mailpipe.test"),
                Map.entry("mx.timeout.connect.ms", "1000"),
                Map.entry("mx.timeout.greeting.ms", "500"),
                Map.entry("mx.timeout.command.ms", "2000"),
                Map.entry("mx.destination.concurrency", "2"),
                Map.entry("mx.connection.max.messages", "4"),
                Map.entry("retry.delays", "1s,2s"),
                Map.entry("retry.max.age", "8s"),
                Map.entry("deliverer.shutdown.grace.ms", "2000"))), new SimpleMeterRegistry());
        events = new EventCollector(KAFKA.cluster().consumerProperties());
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.bootstrapServers(), "acks", "all"),
                new StringSerializer(), Topics.OUTBOUND.valueSerde().serializer());
    }

    @AfterAll
    static void stop() throws Exception {
        for (final AutoCloseable c : new AutoCloseable[] {producer, events, app, dns, good, flaky, rejecting, silent,
            slow}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static OutboundEmail send(final String messageId, final int index, final String recipient) {
        final OutboundEmail email = Emails.email(messageId, index, recipient);
        producer.send(new ProducerRecord<>(Topics.OUTBOUND.name(), email.getRecipientDomain(), email));
        producer.flush();
        return email;
    }

    private static DeliveryEvent awaitEvent(final OutboundEmail email, final EventType type) {
        await(type + " event for " + email.getEmailId()).atMost(WAIT)
                .until(() -> !events.ofType(email.getEmailId(), type).isEmpty());
        return events.ofType(email.getEmailId(), type).get(0);
    }

    @Test
    void shouldDeliverToTheMxHostAndPublishDeliveredEvents() {
        final List<OutboundEmail> sent = List.of(send("m1.test-inbound", 0, "ben@example.test"),
                send("m1.test-inbound", 1, "joe@example.test"), send("m1.test-inbound", 2, "bida@example.test"));

        for (final OutboundEmail email : sent) {
            final DeliveryEvent event = awaitEvent(email, EventType.delivered);
            assertThat(event.getMessageId()).isEqualTo("m1.test-inbound");
            assertThat(event.getApiUser()).isEqualTo("api_user");
            assertThat(event.getLabel()).isEqualTo("label7");
            assertThat(event.getRecipient()).isEqualTo(email.getRecipient());
            assertThat(event.getCustomHeaders()).containsEntry("SC-Custom-Campaign", "spring");
            assertThat(event.getMxHost()).isEqualTo("mx1.example.test");
            assertThat(event.getAttempt()).isEqualTo(1);
            assertThat(event.getRemoteReply().getCode()).isEqualTo(250);
            assertThat(event.getRemoteReply().getEnhancedStatus()).isEqualTo("2.0.0");
        }
        assertThat(good.received()).filteredOn(r -> r.recipients().contains("joe@example.test")).singleElement()
                .satisfies(r -> {
                    assertThat(r.mailFrom()).isEqualTo("sender@mailpipe.test");
                    assertThat(r.text()).contains("Subject: test 1\r\n").contains("\r\n.leading dot line\r\n");
                });
    }

    @Test
    void shouldFailOverFromADeadFirstMxToTheSecond() {
        final OutboundEmail email = send("m2.test-inbound", 0, "ann@failover.test");

        final DeliveryEvent event = awaitEvent(email, EventType.delivered);

        assertThat(event.getMxHost()).isEqualTo("live.failover.test");
        assertThat(events.forEmail(email.getEmailId())).hasSize(1);
        assertThat(good.received()).anyMatch(r -> r.recipients().contains("ann@failover.test"));
    }

    @Test
    void shouldDeliverOnTheThirdAttemptAfterTwo451Replies() {
        final OutboundEmail email = send("m3.test-inbound", 0, "kim@flaky.test");

        final DeliveryEvent delivered = awaitEvent(email, EventType.delivered);

        assertThat(delivered.getAttempt()).isEqualTo(3);
        final List<DeliveryEvent> deferred = events.ofType(email.getEmailId(), EventType.deferred);
        assertThat(deferred).extracting(DeliveryEvent::getAttempt).containsExactly(1, 2);
        assertThat(deferred.get(0).getRemoteReply().getCode()).isEqualTo(451);
        assertThat(deferred.get(0).getRemoteReply().getEnhancedStatus()).isEqualTo("4.3.0");
        assertThat(flaky.received()).hasSize(1);
        // the retry records say where and why (read by ./mailpipe queue)
        try (TopicCollector<String, OutboundEmail> retries = KAFKA.cluster().collector("mail.outbound.retry-1s",
                new StringDeserializer(), Topics.OUTBOUND.valueSerde().deserializer())) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(retries.poll())
                    .filteredOn(r -> r.value().getEmailId().equals(email.getEmailId())).first()
                    .satisfies(r -> {
                        assertThat(RetryHeaders.text(r.headers(), RetryHeaders.MX_HOST)).hasValue("mx.flaky.test");
                        assertThat(RetryHeaders.text(r.headers(), RetryHeaders.LAST_ERROR)).hasValueSatisfying(
                                e -> assertThat(e).startsWith("451").contains("4.3.0"));
                    }));
        }
    }

    @Test
    void shouldKeepTheReplayIdOnEveryEventAndOnTheRetryAndDeadLetterRecordsOfAReplayedEmail() {
        final OutboundEmail bounced = Emails.email("m12.test-inbound", 0, "rex@nullmx.test");
        final OutboundEmail deferred = Emails.email("m12.test-inbound", 1, "sue@silent.test");
        for (final OutboundEmail email : List.of(bounced, deferred)) {
            final ProducerRecord<String, OutboundEmail> record = new ProducerRecord<>(Topics.OUTBOUND.name(),
                    email.getRecipientDomain(), email);
            record.headers().add(ReplayHeaders.REPLAY_ID, "20261203T120000Z-abc123".getBytes(StandardCharsets.UTF_8));
            producer.send(record);
        }
        producer.flush();

        assertThat(awaitEvent(bounced, EventType.bounced).getReplayId()).isEqualTo("20261203T120000Z-abc123");
        assertThat(awaitEvent(deferred, EventType.deferred).getReplayId()).isEqualTo("20261203T120000Z-abc123");
        assertThat(awaitEvent(deferred, EventType.expired).getReplayId()).isEqualTo("20261203T120000Z-abc123");
        for (final String topic : List.of("mail.outbound.retry-1s", Topics.OUTBOUND_DLT.name())) {
            try (TopicCollector<String, OutboundEmail> records = KAFKA.cluster().collector(topic,
                    new StringDeserializer(), Topics.OUTBOUND.valueSerde().deserializer())) {
                await(topic).atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(records.poll())
                        .filteredOn(r -> r.value().getEmailId().equals(deferred.getEmailId())).first()
                        .satisfies(r -> assertThat(RetryHeaders.text(r.headers(), ReplayHeaders.REPLAY_ID))
                                .hasValue("20261203T120000Z-abc123")));
            }
        }
    }

    @Test
    void shouldBounceA550WithoutRetrying() {
        final OutboundEmail email = send("m4.test-inbound", 0, "lee@reject.test");

        final DeliveryEvent bounced = awaitEvent(email, EventType.bounced);

        assertThat(bounced.getRemoteReply().getCode()).isEqualTo(550);
        assertThat(bounced.getRemoteReply().getEnhancedStatus()).isEqualTo("5.7.1");
        assertThat(bounced.getRemoteReply().getText()).isEqualTo("message refused");
        assertThat(bounced.getBounceClass()).isEqualTo(BounceClass.soft);
        // a later email to the same server proves the first was not retried meanwhile
        final OutboundEmail probe = send("m4b.test-inbound", 0, "probe@reject.test");
        awaitEvent(probe, EventType.bounced);
        assertThat(rejecting.transactions()).isEqualTo(2);
        assertThat(events.forEmail(email.getEmailId())).hasSize(1);
    }

    @Test
    void shouldBounceANullMxDomainWithoutConnecting() {
        final OutboundEmail email = send("m5.test-inbound", 0, "nobody@nullmx.test");

        final DeliveryEvent bounced = awaitEvent(email, EventType.bounced);

        assertThat(bounced.getReason()).contains("null MX");
        assertThat(bounced.getRemoteReply()).isNull();
        assertThat(bounced.getMxHost()).isNull();
        // 5.1.10 says the address cannot take mail: a hard bounce, and the account stops sending to it
        assertThat(bounced.getBounceClass()).isEqualTo(BounceClass.hard);
        try (CompactedTable<Suppression> suppressions = CompactedTable.start(KAFKA.bootstrapServers(), "it",
                Topics.SUPPRESSIONS.name(), Topics.SUPPRESSIONS.valueSerde())) {
            final Suppression suppression = suppressions.get(SuppressionKey.of(email.getApiUser(), "Nobody@nullmx.test"))
                    .orElseThrow();
            assertThat(suppression.getReason()).isEqualTo(SuppressionReason.hard_bounce);
            assertThat(suppression.getAddress()).isEqualTo("nobody@nullmx.test");
            assertThat(suppression.getSource()).startsWith(email.getEmailId());
        }
    }

    @Test
    void shouldBounceANonexistentDomain() {
        final OutboundEmail email = send("m6.test-inbound", 0, "x@nxdomain.test");

        assertThat(awaitEvent(email, EventType.bounced).getReason()).contains("NXDOMAIN");
    }

    @Test
    void shouldUseTheDomainAddressWhenThereIsNoMx() {
        final OutboundEmail email = send("m7.test-inbound", 0, "amy@amx.test");

        assertThat(awaitEvent(email, EventType.delivered).getMxHost()).isEqualTo("amx.test");
        assertThat(good.received()).anyMatch(r -> r.recipients().contains("amy@amx.test"));
    }

    @Test
    void shouldRefuseAPrivateTargetThatIsNotAllowed() {
        final OutboundEmail email = send("m8.test-inbound", 0, "eve@private.test");

        final DeliveryEvent bounced = awaitEvent(email, EventType.bounced);

        assertThat(bounced.getReason()).contains("5.4.4").contains("refused network");
    }

    @Test
    void shouldDeferAHostThatNeverGreetsAndExpireItAfterTheMaximumAge() {
        final OutboundEmail email = send("m9.test-inbound", 0, "sam@silent.test");

        final DeliveryEvent deferred = awaitEvent(email, EventType.deferred);
        assertThat(deferred.getReason()).contains("4.4.2").contains("timed out");
        final DeliveryEvent expired = awaitEvent(email, EventType.expired);

        assertThat(expired.getReason()).startsWith("expired");
        assertThat(expired.getAttempt()).isGreaterThan(1);
        final List<ConsumerRecord<String, OutboundEmail>> dead = KAFKA.cluster().readAtLeast(Topics.OUTBOUND_DLT.name(),
                1, new StringDeserializer(), Topics.OUTBOUND_DLT.valueSerde().deserializer(), WAIT);
        assertThat(dead).extracting(r -> r.value().getEmailId()).contains(email.getEmailId());
    }

    @Test
    void shouldDeliverOnePartitionConcurrentlyWithinTheDestinationLimitOverReusedConnections() {
        final List<OutboundEmail> sent = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            sent.add(send("m10.test-inbound", i, "r" + i + "@burst.test")); // one key: one partition
        }

        sent.forEach(email -> awaitEvent(email, EventType.delivered));

        assertThat(MAX_CONCURRENT.get()).as("concurrent transactions, capped per destination").isEqualTo(2);
        // 12 messages, at most 4 per connection, never more than 2 connections at once
        assertThat(slow.connections()).isBetween(3, 4);
        assertThat(slow.received()).hasSize(12);
    }
}
