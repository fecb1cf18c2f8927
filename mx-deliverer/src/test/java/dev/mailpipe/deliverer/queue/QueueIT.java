package dev.mailpipe.deliverer.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.deliverer.RetryHeaders;
import dev.mailpipe.platform.KafkaDefaults;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.OutboundEmail;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code ./mailpipe queue} against a real broker: retry records on both sides of the deliverer
 * group's committed offsets (one marked done in the commit's metadata, one partition never
 * committed), one record from an older deliverer without the MX and error headers whose error comes
 * from its deferred event, an undecodable record, and a second group's lag on mail.outbound.
 */
class QueueIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final String R5 = "mail.outbound.retry-5m";
    private static final String R30 = "mail.outbound.retry-30m";
    private static final String GROUP = "it-deliverer";

    @BeforeAll
    static void write() throws Exception {
        KAFKA.cluster().createTopics(2, R5);
        KAFKA.cluster().createTopics(1, R30, Topics.OUTBOUND.name(), Topics.DELIVERY_EVENTS.name());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                KafkaDefaults.producer(KAFKA.bootstrapServers(), "queue-it"), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            // retry-5m partition 0: offset 0 is before the commit, offset 2 done according to its metadata
            retry(producer, R5, 0, email("e0", "a.test", "u1"), ago(40), headers(ago(60), "mx1.a.test", "451 old"));
            retry(producer, R5, 0, email("e1", "a.test", "u1"), ago(30), headers(ago(120), "mx1.a.test", "451 4.7.1 greylisted"));
            retry(producer, R5, 0, email("e2", "a.test", "u1"), ago(29), headers(ago(500), "mx1.a.test", "451 done"));
            retry(producer, R5, 0, email("e3", "b.test", "u2"), ago(8), headers(ago(10), null, "451 4.4.3 DNS timeout"));
            // retry-5m partition 1, never committed: written by an older deliverer (legacy name, no MX, no error)
            final RecordHeaders legacy = new RecordHeaders();
            legacy.add("mailpipe-first-attempt", ascii(ago(20).toEpochMilli()));
            retry(producer, R5, 1, email("e4", "c.test", "u1"), ago(5), legacy);
            producer.send(new ProducerRecord<>(Topics.DELIVERY_EVENTS.name(), 0, ago(5).toEpochMilli(),
                    ascii("m"), Topics.DELIVERY_EVENTS.valueSerde().serializer().serialize("t", DeliveryEvent.newBuilder()
                            .setType(EventType.deferred).setMessageId("m").setEmailId("e4").setApiUser("u1")
                            .setTimestamp(ago(5)).setAttempt(1).setMxHost("mx.c.test")
                            .setReason("421 4.7.0 try again later").build()))).get();
            // retry-30m: the latest deferral of a.test, then bytes that are no email
            retry(producer, R30, 0, email("e5", "a.test", "u2"), ago(1), headers(ago(180), "mx2.a.test", "452 4.2.2 mailbox full"));
            producer.send(new ProducerRecord<>(R30, 0, ago(1).toEpochMilli(), ascii("x.test"), ascii("garbage"))).get();
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(Topics.OUTBOUND.name(), 0, NOW.toEpochMilli(), ascii("a.test"),
                        Topics.OUTBOUND.valueSerde().serializer().serialize("t", email("o" + i, "a.test", "u1")))).get();
            }
        }
        try (Admin admin = KAFKA.cluster().admin()) {
            admin.alterConsumerGroupOffsets(GROUP, Map.of(new TopicPartition(R5, 0), new OffsetAndMetadata(1, "mp1:1")))
                    .all().get();
            admin.alterConsumerGroupOffsets("it-expander", Map.of(new TopicPartition(Topics.OUTBOUND.name(), 0),
                    new OffsetAndMetadata(1))).all().get();
        }
    }

    @Test
    void shouldShowWhatIsDeferredPerDomainAndEveryGroupsLag() {
        final Run run = run("--by", "domain");

        assertThat(run.code).isZero();
        assertThat(run.out).startsWith("deferred now: 4 email(s) in 2 retry topic(s) beyond group it-deliverer, at " + NOW)
                .contains("(1 undecodable record(s) in the retry topics, not counted)")
                .contains("""
                        DOMAIN  DEFERRED  5m  30m  OLDEST  LAST ERROR
                        a.test         2   1    1  3h00m   452 4.2.2 mailbox full
                        b.test         1   1    0  10m00s  451 4.4.3 DNS timeout
                        c.test         1   1    0  20m00s  421 4.7.0 try again later
                        """)
                .containsPattern("it-deliverer +mail.outbound.retry-5m +1 +3\n")
                .containsPattern("it-expander +mail.outbound +1 +2\n");
    }

    @Test
    void shouldGroupByMxHostAndByStage() {
        assertThat(run("--by", "mx").out).containsPattern("mx1.a.test +1 +1 +0 +2h00m +451 4.7.1 greylisted\n")
                .containsPattern("mx2.a.test +1 +0 +1 +3h00m +452 4.2.2 mailbox full\n")
                .containsPattern("mx.c.test +1 +1 +0 +20m00s +421 4.7.0 try again later\n")
                .containsPattern("\\(b.test\\) +1 +1 +0 +10m00s +451 4.4.3 DNS timeout\n");
        assertThat(run("--by", "STAGE").out).contains("""
                STAGE  DEFERRED  OLDEST  LAST ERROR
                5m            3  2h00m   421 4.7.0 try again later
                30m           1  3h00m   452 4.2.2 mailbox full
                """);
        assertThat(run("--by", "account").out).containsPattern("u1 +2 +2 +0 +2h00m +421 4.7.0 try again later\n")
                .containsPattern("u2 +2 +1 +1 +3h00m +452 4.2.2 mailbox full\n");
    }

    @Test
    void shouldPrintAgainUntilTheWatchStops() {
        final AtomicInteger pauses = new AtomicInteger();
        final Run run = run(interval -> pauses.incrementAndGet() < 3, "--watch", "--interval", "1s");

        assertThat(run.code).isZero();
        assertThat(run.out.split("deferred now: ", -1)).hasSize(4);
        assertThat(run.out).contains("(every 1s; Ctrl-C to stop)");
    }

    @Test
    void shouldRefuseAnUnknownKeyAndSayWhatWorks() {
        final Run run = run("--by", "host");

        assertThat(run.code).isEqualTo(2);
        assertThat(run.err).contains("--by").contains("expected domain, mx, account or stage, not 'host'");
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(final String... args) {
        return run(interval -> false, args);
    }

    private static Run run(final QueueCli.Pause pause, final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final String[] all = new String[args.length + 4];
        System.arraycopy(new String[] {"-b", KAFKA.bootstrapServers(), "--group", GROUP}, 0, all, 0, 4);
        System.arraycopy(args, 0, all, 4, args.length);
        final int code = QueueCli.run(all, Map.of(), Clock.fixed(NOW, ZoneOffset.UTC), pause, false,
                new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString().replace(System.lineSeparator(), "\n"), err.toString());
    }

    private static Instant ago(final int minutes) {
        return NOW.minus(Duration.ofMinutes(minutes));
    }

    private static RecordHeaders headers(final Instant first, final String mx, final String error) {
        final RecordHeaders h = new RecordHeaders();
        h.add(RetryHeaders.ATTEMPT, ascii(2));
        h.add(RetryHeaders.FIRST_ATTEMPT, ascii(first.toEpochMilli()));
        if (mx != null) {
            h.add(RetryHeaders.MX_HOST, mx.getBytes(StandardCharsets.UTF_8));
        }
        h.add(RetryHeaders.LAST_ERROR, error.getBytes(StandardCharsets.UTF_8));
        return h;
    }

    private static void retry(final KafkaProducer<byte[], byte[]> producer, final String topic, final int partition,
            final OutboundEmail email, final Instant at, final RecordHeaders headers) throws Exception {
        producer.send(new ProducerRecord<>(topic, partition, at.toEpochMilli(), ascii(email.getRecipientDomain()),
                Topics.OUTBOUND.valueSerde().serializer().serialize(topic, email), headers)).get();
    }

    private static OutboundEmail email(final String emailId, final String domain, final String account) {
        return OutboundEmail.newBuilder().setEmailId(emailId).setMessageId("m").setIndex(0).setApiUser(account)
                .setMailFrom("s@sender.test").setRecipient("r@" + domain).setRecipientDomain(domain)
                .setSubmittedAt(NOW.minus(Duration.ofDays(1)))
                .setContent(ByteBuffer.wrap("Subject: x\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII))).build();
    }

    private static byte[] ascii(final Object value) {
        return String.valueOf(value).getBytes(StandardCharsets.US_ASCII);
    }
}
