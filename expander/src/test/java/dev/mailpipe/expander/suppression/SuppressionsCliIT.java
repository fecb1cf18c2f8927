package dev.mailpipe.expander.suppression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailpipe.expander.ExpanderApp;
import dev.mailpipe.expander.ExpanderConfig;
import dev.mailpipe.expander.Submissions;
import dev.mailpipe.platform.KafkaDefaults;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.OutboundEmail;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import dev.mailpipe.testsupport.TopicCollector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./mailpipe suppressions} against a real broker, and the expander obeying what it writes. */
class SuppressionsCliIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private static Run run(final String stdin, final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = SuppressionsCli.run(args, Map.of("KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers()),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void shouldAddListImportAndRemoveAnAccountsSuppressions() throws Exception {
        final Run add = run("", "add", "--account", "acme", "Ann@Example.test", "bob@example.test", "--note", "asked by phone");
        assertThat(add.code()).as(add.toString()).isZero();
        assertThat(add.out()).contains("suppressed ann@example.test (manual)").contains("suppressed bob@example.test (manual)");
        assertThat(run("", "add", "--account", "other", "cid@example.test", "--reason", "spam_report").code()).isZero();

        final Path file = dir.resolve("list.csv");
        Files.writeString(file, "# exported\n dan@example.test \neve@example.test,hard_bounce\nnot-an-address\n"
                + "fay@example.test,bogus\n\n");
        final Run imported = run("", "import", "--account", "acme", file.toString());
        assertThat(imported.code()).as(imported.toString()).isZero();
        assertThat(imported.out()).contains("imported 2 address(es) for acme, skipped 2 bad line(s)");
        assertThat(imported.err()).contains("line 4: not an address: not-an-address").contains("line 5: reason must be");
        assertThat(run("gus@example.test,unsubscribe\n", "import", "-a", "acme", "-").out()).contains("imported 1");

        final Run list = run("", "list", "--account", "acme");
        assertThat(list.code()).as(list.toString()).isZero();
        assertThat(list.out().lines().map(l -> l.split("\t")[0] + " " + l.split("\t")[1]).toList()).containsExactly(
                "ann@example.test manual", "bob@example.test manual", "dan@example.test manual",
                "eve@example.test hard_bounce", "gus@example.test unsubscribe");
        assertThat(list.out()).contains("asked by phone").contains("import of " + file);
        assertThat(run("", "list", "--account", "acme", "--reason", "hard_bounce").out().lines()).hasSize(1);
        assertThat(run("", "list", "--account", "other").out()).startsWith("cid@example.test\tspam_report");

        final Run remove = run("", "remove", "--account", "acme", "ANN@example.test", "nobody@example.test");
        assertThat(remove.code()).isEqualTo(SuppressionsCli.NOT_FOUND);
        assertThat(remove.out()).contains("removed ann@example.test");
        assertThat(remove.err()).contains("not suppressed: nobody@example.test");
        assertThat(run("", "list", "--account", "acme").out()).doesNotContain("ann@example.test");
    }

    @Test
    void shouldRefuseBadArguments() {
        assertThat(run("", "add", "ann@example.test").code()).as("--account is required").isEqualTo(2);
        final Run badAddress = run("", "add", "--account", "acme", "ann");
        assertThat(badAddress.code()).isEqualTo(2);
        assertThat(badAddress.err()).contains("not an address: ann");
        assertThat(run("", "add", "--account", "acme", "--reason", "unknown", "a@b.test").code()).isEqualTo(2);
    }

    @Test
    void shouldMakeTheRunningExpanderDropASuppressedRecipientAndSendAgainOnceRemoved() throws Exception {
        final ExpanderApp app = ExpanderApp.start(new ExpanderConfig(Map.of(
                ExpanderConfig.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers(),
                ExpanderConfig.TOPIC_PARTITIONS, "1",
                ExpanderConfig.STATE_DIR, dir.resolve("state").toString(),
                ExpanderConfig.HTTP_PORT, "-1")), new SimpleMeterRegistry());
        collector = KAFKA.cluster().collector(Topics.DELIVERY_EVENTS.name(), new StringDeserializer(),
                Topics.DELIVERY_EVENTS.valueSerde().deserializer());
        try (app; TopicCollector<String, DeliveryEvent> c = collector; KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                KafkaDefaults.producer(KAFKA.bootstrapServers(), "suppressions-it"),
                new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            assertThat(run("", "add", "--account", "api_user", "--reason", "unsubscribe", "joe@ifaxin.com").code()).isZero();
            // the global table follows the topic asynchronously: send until the drop shows
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                final String id = "drop-" + System.nanoTime() + "-inbound";
                send(producer, id, List.of("joe@ifaxin.com"));
                return events(id, 1).stream().anyMatch(e -> e.getType() == EventType.dropped);
            });
            final String dropped = "dropped-" + System.nanoTime() + "-inbound";
            send(producer, dropped, List.of("ben@ifaxin.com", "Joe@ifaxin.com"));
            assertThat(events(dropped, 2)).extracting(e -> e.getType() + " " + e.getRecipient() + " " + e.getReason())
                    .containsExactlyInAnyOrder("request ben@ifaxin.com null",
                            "dropped Joe@ifaxin.com suppressed: unsubscribe");

            assertThat(run("", "remove", "--account", "api_user", "joe@ifaxin.com").code()).isZero();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                final String id = "again-" + System.nanoTime() + "-inbound";
                send(producer, id, List.of("joe@ifaxin.com"));
                return events(id, 1).stream().anyMatch(e -> e.getType() == EventType.request);
            });
            final List<ConsumerRecord<String, OutboundEmail>> emails = KAFKA.cluster().readAtLeast(Topics.OUTBOUND.name(),
                    1, new StringDeserializer(), Topics.OUTBOUND.valueSerde().deserializer(), Duration.ofSeconds(30));
            assertThat(emails).extracting(r -> r.value().getRecipient()).contains("ben@ifaxin.com", "joe@ifaxin.com");
        }
    }

    private TopicCollector<String, DeliveryEvent> collector;

    private static void send(final KafkaProducer<String, byte[]> producer, final String id, final List<String> to)
            throws Exception {
        producer.send(new ProducerRecord<>(Topics.RAW.name(), id, Topics.RAW.valueSerde().serializer()
                .serialize(Topics.RAW.name(), Submissions.raw(id, to, Submissions.message("Hi\n"))))).get();
    }

    /** The events of one submission, once at least {@code count} arrived. */
    private List<DeliveryEvent> events(final String messageId, final int count) {
        await().atMost(Duration.ofSeconds(30)).until(() -> collector.poll().stream()
                .filter(r -> messageId.equals(r.key())).count() >= count);
        return collector.values().isEmpty() ? List.of() : collector.poll().stream()
                .filter(r -> messageId.equals(r.key())).map(ConsumerRecord::value).toList();
    }
}
