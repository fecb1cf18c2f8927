package dev.mailpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailpipe.schemas.BounceClass;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.RemoteReply;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * mail.delivery-events can be read by tools we did not write, with only the .avsc files: Python's
 * Apache Avro library through examples/read_events.py (the README recipe), and a JVM consumer that
 * uses only org.apache.avro's generic API ({@link OtherJvmReader}, quoted in the README).
 */
class ReadEventsWithoutMailpipeIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final Path AVSC = Path.of("../schemas/src/main/avro");
    private static final String TOPIC = Topics.DELIVERY_EVENTS.name();
    private static final Instant AT = Instant.parse("2026-12-02T15:00:00.123Z");

    private static final List<DeliveryEvent> EVENTS = List.of(
            event(EventType.request).setEmailId("e1").build(),
            event(EventType.delivered).setEmailId("e1").setAttempt(1).setMxHost("mx.example.net")
                    .setRemoteReply(new RemoteReply(250, "2.0.0", "ok queued")).setInternetMessageId("abc@mailpipe")
                    .build(),
            event(EventType.bounced).setEmailId("e2").setAttempt(2).setBounceClass(BounceClass.hard)
                    .setRemoteReply(new RemoteReply(550, "5.1.1", "no such user")).setReason("5.1.1 no such user")
                    .build(),
            event(EventType.click).setEmailId("e1").setUrl("https://example.org/a?b=c&d=é").setIp("192.0.2.7")
                    .setUserAgent("Mozilla/5.0").setMailListTaskId("42").setReplayId("r-1").build(),
            event(EventType.open).setEmailId("e1").setMachineOpen(true).setExplorerName("Chrome").build());

    private static DeliveryEvent.Builder event(final EventType type) {
        return DeliveryEvent.newBuilder().setType(type).setMessageId("m-1").setApiUser("acct").setLabel("7")
                .setRecipient("to@example.net").setTimestamp(AT).setCustomHeaders(Map.of("X-Order", "17"))
                .setEventId("id-" + type);
    }

    @BeforeAll
    static void writeEvents() throws Exception {
        KAFKA.cluster().createTopics(1, TOPIC);
        // first a record whose fingerprint names another schema: readers must refuse it, not misread it
        final byte[] foreign = Topics.DELIVERY_EVENTS.valueSerde().serializer().serialize(TOPIC, EVENTS.get(0));
        foreign[2] ^= 0x55;
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers",
                KAFKA.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(TOPIC, "m-1", foreign)).get();
        }
        try (KafkaProducer<String, DeliveryEvent> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                KAFKA.bootstrapServers()), Topics.DELIVERY_EVENTS.keySerde().serializer(),
                Topics.DELIVERY_EVENTS.valueSerde().serializer())) {
            for (final DeliveryEvent e : EVENTS) {
                producer.send(new ProducerRecord<>(TOPIC, e.getMessageId(), e)).get();
            }
        }
    }

    @Test
    void pythonsAvroReadsTheEventsWithOnlyTheAvscFiles() throws Exception {
        final Path out = java.nio.file.Files.createTempFile("read-events", ".out");
        final Path err = java.nio.file.Files.createTempFile("read-events", ".err");
        final Process process = new ProcessBuilder("/usr/bin/python3", "../examples/read_events.py",
                "--bootstrap", KAFKA.bootstrapServers(), "--schemas", AVSC.toString(), "--max",
                String.valueOf(EVENTS.size()), "--timeout", "60")
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        final String errors = java.nio.file.Files.readString(err);
        assertThat(process.exitValue()).as("examples/read_events.py failed: %s", errors).isZero();
        assertThat(errors).contains("skipped " + TOPIC + "/0@0: written with another schema");

        final ObjectMapper json = new ObjectMapper();
        final List<JsonNode> read = new ArrayList<>();
        for (final String line : java.nio.file.Files.readString(out).split("\n")) {
            read.add(json.readTree(line));
        }
        assertThat(read).extracting(n -> n.get("type").asText())
                .containsExactly("request", "delivered", "bounced", "click", "open");
        final JsonNode delivered = read.get(1);
        assertThat(delivered.get("remoteReply").get("enhancedStatus").asText()).isEqualTo("2.0.0");
        assertThat(delivered.get("timestamp").asText()).isEqualTo("2026-12-02T15:00:00.123000+00:00");
        assertThat(delivered.get("customHeaders").get("X-Order").asText()).isEqualTo("17");
        final JsonNode bounced = read.get(2);
        assertThat(bounced.get("bounceClass").asText()).isEqualTo("hard");
        assertThat(bounced.get("remoteReply").get("code").asInt()).isEqualTo(550);
        final JsonNode click = read.get(3);
        assertThat(click.get("url").asText()).isEqualTo("https://example.org/a?b=c&d=é");
        assertThat(click.get("ip").asText()).isEqualTo("192.0.2.7");
        assertThat(click.get("mailListTaskId").asText()).isEqualTo("42");
        assertThat(click.get("replayId").asText()).isEqualTo("r-1");
        assertThat(read.get(4).get("machineOpen").asBoolean()).isTrue();
        assertThat(read.get(4).get("bounceClass").isNull()).isTrue();
    }

    @Test
    void aJvmConsumerWithOnlyAvroAndTheAvscFilesReadsTheEvents() throws Exception {
        final OtherJvmReader reader = new OtherJvmReader(AVSC);
        final List<ConsumerRecord<String, byte[]>> records = KAFKA.cluster().readAtLeast(TOPIC, EVENTS.size() + 1,
                new StringDeserializer(), new ByteArrayDeserializer(), Duration.ofSeconds(30));
        assertThat(reader.read(records.get(0).value())).isNull(); // the foreign fingerprint
        final List<GenericRecord> read = records.subList(1, records.size()).stream().map(r -> reader.read(r.value()))
                .toList();
        assertThat(read).extracting(r -> r.get("type").toString())
                .containsExactly("request", "delivered", "bounced", "click", "open");
        assertThat(read.get(2).get("bounceClass").toString()).isEqualTo("hard");
        assertThat(read.get(3).get("url").toString()).isEqualTo("https://example.org/a?b=c&d=é");
        assertThat(read.get(1).get("timestamp")).isEqualTo(AT.toEpochMilli());
    }

    /** The README's recipe for another JVM language: only org.apache.avro, no mailpipe class. */
    static final class OtherJvmReader {
        private final Schema schema;
        private final byte[] fingerprint;
        private final GenericDatumReader<GenericRecord> reader;

        OtherJvmReader(final Path avscDir) throws IOException {
            final Schema.Parser parser = new Schema.Parser(); // named types first, DeliveryEvent last
            for (final String name : List.of("EventType", "BounceClass", "RemoteReply")) {
                parser.parse(avscDir.resolve(name + ".avsc").toFile());
            }
            schema = parser.parse(avscDir.resolve("DeliveryEvent.avsc").toFile());
            fingerprint = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(SchemaNormalization.parsingFingerprint64(schema)).array();
            reader = new GenericDatumReader<>(schema);
        }

        /** The event, or null when the record was written with another schema. */
        GenericRecord read(final byte[] value) {
            if (value[0] != (byte) 0xC3 || value[1] != 0x01
                    || !Arrays.equals(value, 2, 10, fingerprint, 0, 8)) {
                return null;
            }
            try {
                return reader.read(null, DecoderFactory.get().binaryDecoder(
                        new ByteArrayInputStream(value, 10, value.length - 10), null));
            } catch (final IOException e) {
                throw new IllegalArgumentException("not a DeliveryEvent", e);
            }
        }
    }
}
