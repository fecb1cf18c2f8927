package dev.mailpipe.deliverer.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailpipe.platform.KafkaDefaults;
import dev.mailpipe.schemas.DeadLetterHeaders;
import dev.mailpipe.schemas.OutboundEmail;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real stop path: {@code ReplayCli.main} in its own JVM, stopped by a signal while it sends
 * (SIGTERM here, which runs the same shutdown hook as Ctrl-C's SIGINT; a background test JVM may
 * have SIGINT ignored). It must flush, print how to resume, and the resumed replay must send the
 * rest, each email once.
 */
class ReplayStopIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @Test
    void shouldStopOnASignalFlushAndResumeWithoutSendingTwice(@TempDir final Path dir) throws Exception {
        KAFKA.cluster().createTopics(3, Topics.OUTBOUND.name(), Topics.OUTBOUND_DLT.name(), Topics.DELIVERY_EVENTS.name());
        final String msg = "stop-" + System.nanoTime();
        final List<String> ids = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                KafkaDefaults.producer(KAFKA.bootstrapServers(), "stop-it"), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < 20; i++) {
                final String rcpt = "r" + i + "@a.test";
                final OutboundEmail email = OutboundEmail.newBuilder().setEmailId(msg + i + "$" + rcpt).setMessageId(msg)
                        .setIndex(i).setApiUser(msg).setMailFrom("s@mailpipe.test").setRecipient(rcpt)
                        .setRecipientDomain("a.test").setSubmittedAt(Instant.now())
                        .setContent(ByteBuffer.wrap("Subject: x\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII))).build();
                ids.add(email.getEmailId());
                final RecordHeaders headers = new RecordHeaders();
                headers.add(DeadLetterHeaders.REASON, "expired: 451 4.3.0 later".getBytes(StandardCharsets.UTF_8));
                producer.send(new ProducerRecord<>(Topics.OUTBOUND_DLT.name(), null,
                        Instant.now().minusSeconds(600).toEpochMilli(), "a.test".getBytes(StandardCharsets.UTF_8),
                        Topics.OUTBOUND.valueSerde().serializer().serialize(Topics.OUTBOUND_DLT.name(), email), headers))
                        .get();
            }
        }
        final Path stdout = dir.resolve("out.txt");
        final ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ReplayCli.class.getName(),
                "dlt", "--since", "1h", "--account", msg, "--rate", "4/s", "--progress", "none")
                .redirectOutput(stdout.toFile()).redirectError(dir.resolve("err.txt").toFile());
        pb.environment().put("KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers());
        final Process replay = pb.start();
        try {
            // 20 at 4/s take 5 s: stop it once a few are out
            await("first copies").atMost(Duration.ofSeconds(60)).until(() -> copies(msg).size() >= 2);
            replay.destroy();
            assertThat(replay.waitFor(30, TimeUnit.SECONDS)).as("it stops").isTrue();
        } finally {
            replay.destroyForcibly();
        }

        final String out = Files.readString(stdout);
        assertThat(out).as(out + Files.readString(dir.resolve("err.txt"))).contains("stopped: ");
        final List<ConsumerRecord<byte[], byte[]>> before = copies(msg);
        assertThat(before.size()).as("stopped before the end").isBetween(2, 19);
        assertThat(out).contains("stopped: " + before.size() + " sent and acknowledged");
        final String resume = out.lines().filter(l -> l.startsWith("  ./mailpipe replay ")).findFirst().orElseThrow()
                .strip().substring("./mailpipe replay ".length());

        final StringWriter resumedOut = new StringWriter();
        final int code = ReplayCli.run(resume.split(" "), Map.of("KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers()),
                new PrintWriter(resumedOut), new PrintWriter(new StringWriter()));

        assertThat(code).as(resumedOut.toString()).isZero();
        assertThat(resumedOut.toString()).contains(before.size() + " of them already sent by replay");
        assertThat(copies(msg)).extracting(r -> Topics.OUTBOUND.valueSerde().deserializer()
                .deserialize(r.topic(), r.value()).getEmailId()).containsExactlyInAnyOrderElementsOf(ids);
    }

    /** The replay's copies of this test's emails on mail.outbound, read to its current end. */
    private static List<ConsumerRecord<byte[], byte[]>> copies(final String messageId) {
        final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KAFKA.cluster().consumerProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            final List<TopicPartition> partitions = consumer.partitionsFor(Topics.OUTBOUND.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                assertThat(System.nanoTime()).as("read mail.outbound to its end in time").isLessThan(deadline);
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records.stream().filter(r -> Topics.OUTBOUND.valueSerde().deserializer()
                .deserialize(r.topic(), r.value()).getMessageId().equals(messageId)).toList();
    }
}
