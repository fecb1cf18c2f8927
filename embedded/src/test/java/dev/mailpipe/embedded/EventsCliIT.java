package dev.mailpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.RemoteReply;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code ./mailpipe events} against a real broker: filters, start positions, stop rules, a garbage record. */
class EventsCliIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TOPIC = Topics.DELIVERY_EVENTS.name();
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private static final Instant OLD = NOW.minus(Duration.ofHours(2));
    private static final Instant RECENT = NOW.minus(Duration.ofMinutes(5));

    private static RecordMetadata garbage;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void produceEvents() throws Exception {
        KAFKA.cluster().createTopics(3, TOPIC);
        final Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        try (var events = new KafkaProducer<>(props, new StringSerializer(),
                Topics.DELIVERY_EVENTS.valueSerde().serializer());
                var raw = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            final List<DeliveryEvent> all = List.of(
                    event(EventType.request, "X", null, null, OLD),
                    event(EventType.delivered, "X", "X.0", "ann@example.test", OLD),
                    event(EventType.bounced, "X", "X.1", "bob@example.test", RECENT),
                    event(EventType.delivered, "Y", "Y.0", "cid@example.test", RECENT));
            for (final DeliveryEvent e : all) {
                events.send(record(e)).get();
            }
            // same key as X, so it sits in X's partition between X's events
            garbage = raw.send(new ProducerRecord<>(TOPIC, null, RECENT.toEpochMilli(), "X",
                    "not avro".getBytes(StandardCharsets.UTF_8))).get();
            events.send(record(event(EventType.delivered, "X", "X.2", "jürgen@bücher.test", RECENT))).get();
            events.send(record(event(EventType.deferred, "Y", "Y.1", "dee@example.test", RECENT))).get();
        }
    }

    @Test
    void shouldPrintOnlyDeliveredEventsOfOneMessageAndReportTheGarbageRecord() throws Exception {
        final int code = run("--from-beginning", "--type", "delivered", "--message-id", "X");

        assertThat(code).isZero();
        final List<JsonNode> lines = lines(out);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).isEqualTo(MAPPER.readTree("""
                {"type":"delivered","messageId":"X","emailId":"X.0","apiUser":"shop","recipient":"ann@example.test",
                 "timestamp":"%s","attempt":1,"mxHost":"mx1.example.test",
                 "remoteReply":{"code":250,"enhancedStatus":"2.0.0","text":"ok"},"customHeaders":{"X-Campaign":"c1"}}
                """.formatted(OLD)));
        assertThat(lines.get(1).get("emailId").asText()).isEqualTo("X.2");
        assertThat(lines.get(1).get("recipient").asText()).isEqualTo("jürgen@bücher.test");
        assertThat(lines.get(1).get("timestamp").asText()).isEqualTo(RECENT.toString());

        final List<JsonNode> errors = lines(err);
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).get("error").asText()).isNotBlank();
        assertThat(errors.get(0).get("partition").asInt()).isEqualTo(garbage.partition());
        assertThat(errors.get(0).get("offset").asLong()).isEqualTo(garbage.offset());
    }

    @Test
    void shouldStartAtTheFirstEventOfTheSinceInstantOnEveryPartition() throws Exception {
        final int code = run("--since", OLD.plus(Duration.ofHours(1)).toString(), "--api-user", "shop");

        assertThat(code).isZero();
        assertThat(lines(out)).extracting(j -> j.get("emailId").asText())
                .containsExactlyInAnyOrder("X.1", "X.2", "Y.0", "Y.1");
        assertThat(lines(err)).hasSize(1); // the garbage record is after the instant too
    }

    @Test
    void shouldStopAfterMaxEventsEvenWhenFollowing() throws Exception {
        final int code = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> run("--from-beginning", "--follow", "--message-id", "Y", "--max", "2"));

        assertThat(code).isZero();
        assertThat(lines(out)).extracting(j -> j.get("type").asText()).containsExactly("delivered", "deferred");
    }

    @Test
    void shouldPrintNothingFromTheEndWithoutFollow() {
        assertThat(run("--type", "delivered")).isZero();
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).isEmpty();
    }

    private int run(final String... args) {
        return EventsCli.run(args, Map.of("KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers()),
                new PrintWriter(out), new PrintWriter(err));
    }

    private static List<JsonNode> lines(final StringWriter writer) throws Exception {
        final List<JsonNode> nodes = new ArrayList<>();
        for (final String line : writer.toString().split("\n")) {
            if (!line.isBlank()) {
                nodes.add(MAPPER.readTree(line));
            }
        }
        return nodes;
    }

    private static ProducerRecord<String, DeliveryEvent> record(final DeliveryEvent e) {
        return new ProducerRecord<>(TOPIC, null, e.getTimestamp().toEpochMilli(), e.getMessageId(), e);
    }

    private static DeliveryEvent event(final EventType type, final String messageId, final String emailId,
            final String recipient, final Instant at) {
        final boolean attempted = type != EventType.request;
        return DeliveryEvent.newBuilder().setType(type).setMessageId(messageId).setEmailId(emailId)
                .setApiUser("shop").setRecipient(recipient).setTimestamp(at).setAttempt(attempted ? 1 : 0)
                .setMxHost(attempted ? "mx1.example.test" : null)
                .setRemoteReply(attempted ? new RemoteReply(250, "2.0.0", "ok") : null)
                .setCustomHeaders(Map.of("X-Campaign", "c1")).build();
    }
}
