package dev.mailpipe.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailpipe.schemas.BounceClass;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import dev.mailpipe.testsupport.TopicCollector;
import dev.mailpipe.testsupport.WebhookReceiver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The webhooks service on the in-JVM broker posting to real HTTP receivers (SendCloud's verify
 * function in Python, examples/webhook_receiver.py), a receiver that fails, one that never answers
 * and addresses the network policy refuses.
 */
class WebhooksIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final Path RECEIVER = Path.of("../examples/webhook_receiver.py");
    private static final Pattern APP_KEY = Pattern.compile("(?m)^appKey=(\\S+)$");
    private static final Pattern ID = Pattern.compile("(?m)^id=(\\S+)$");

    private static WebhookReceiver good;
    private static WebhookReceiver flaky;
    private static WebhookReceiver guarded;
    private static ServerSocket blackhole;
    private static final List<Socket> HELD = new CopyOnWriteArrayList<>();
    private static final Map<String, String> IDS = new HashMap<>();
    private static WebhooksApp app;
    private static KafkaProducer<String, DeliveryEvent> events;
    private static final MeterRegistry REGISTRY = new SimpleMeterRegistry();

    @BeforeAll
    static void start() throws IOException {
        good = WebhookReceiver.start(RECEIVER, "127.0.0.1", 0);
        flaky = WebhookReceiver.start(RECEIVER, "127.0.0.1", 2);
        guarded = WebhookReceiver.start(RECEIVER, "127.0.0.3", 0);
        blackhole = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread.ofVirtual().start(() -> {
            while (!blackhole.isClosed()) {
                try {
                    HELD.add(blackhole.accept()); // accepted, never answered
                } catch (final IOException e) {
                    return;
                }
            }
        });
        // Endpoints exist before the service starts, so it sees them all from its first event.
        good.addKey(add("acme", good.url("/sendcloud"), "--events", "deliver,bounce,open"));
        flaky.addKey(add("flaky", flaky.url("/hook")));
        good.addKey(add("shared", good.url("/healthy")));
        add("shared", "http://127.0.0.1:" + blackhole.getLocalPort() + "/dead");
        guarded.addKey(add("ssrf", guarded.url("/internal")));
        add("ssrf", "http://169.254.169.254/latest/meta-data/");
        good.addKey(add("batch", good.url("/batch"), "--json-batch"));

        final Map<String, String> values = new HashMap<>();
        values.put("bootstrap.servers", KAFKA.bootstrapServers());
        values.put("topic.replication.factor", "1");
        values.put("topic.partitions", "2");
        values.put("http.port", "-1");
        values.put("webhook.retry.delays", "1s,1s,1s");
        values.put("webhook.timeout", "1s");
        values.put("webhook.circuit.open", "2s");
        // retries of the flaky receiver must reach it (the circuit itself is covered by EndpointLanesTest)
        values.put("webhook.circuit.failures", "20");
        values.put("webhook.allowed.networks", "127.0.0.1/32");
        app = WebhooksApp.start(new WebhooksConfig(values), REGISTRY);
        events = new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.bootstrapServers()),
                Topics.DELIVERY_EVENTS.keySerde().serializer(), Topics.DELIVERY_EVENTS.valueSerde().serializer());
    }

    @AfterAll
    static void stop() throws IOException {
        if (events != null) {
            events.close();
        }
        if (app != null) {
            app.close();
        }
        for (final WebhookReceiver r : new WebhookReceiver[] {good, flaky, guarded}) {
            if (r != null) {
                r.close();
            }
        }
        if (blackhole != null) {
            blackhole.close();
        }
        for (final Socket s : HELD) {
            s.close();
        }
    }

    private static String add(final String account, final String url, final String... options) {
        final List<String> args = new ArrayList<>(List.of("add", "--account", account, "--url", url));
        args.addAll(List.of(options));
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = WebhooksCli.run(args.toArray(String[]::new),
                Map.of("KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers()), new PrintWriter(out), new PrintWriter(err));
        assertThat(code).as(err.toString()).isZero();
        IDS.put(url, group(ID, out.toString()));
        return group(APP_KEY, out.toString());
    }

    private static String group(final Pattern p, final String text) {
        final Matcher m = p.matcher(text);
        assertThat(m.find()).as(text).isTrue();
        return m.group(1);
    }

    private static DeliveryEvent event(final String account, final EventType type, final int n) {
        final String messageId = "1426571113174_27372_" + n + ".mailpipe-inbound";
        final String emailId = messageId + "0$ben" + n + "@ifaxin.test";
        return DeliveryEvent.newBuilder().setType(type).setMessageId(messageId).setEmailId(emailId)
                .setApiUser(account).setLabel("42").setRecipient("ben" + n + "@ifaxin.test")
                .setTimestamp(Instant.ofEpochMilli(1426571118712L + n)).setAttempt(1)
                .setEventId(UUID.nameUUIDFromBytes((type + emailId).getBytes(StandardCharsets.UTF_8)).toString())
                .build();
    }

    private static void publish(final DeliveryEvent... list) {
        for (final DeliveryEvent e : list) {
            events.send(new ProducerRecord<>(Topics.DELIVERY_EVENTS.name(), e.getMessageId(), e));
        }
        events.flush();
    }

    private static List<Map<String, Object>> acceptedOf(final WebhookReceiver receiver, final String account) {
        return receiver.accepted().stream().filter(p -> account.equals(p.get("category"))).toList();
    }

    @Test
    void shouldPostTheSubscribedEventsAsSendCloudDoesSignedWithTheAppKey() {
        final DeliveryEvent delivered = event("acme", EventType.delivered, 1);
        final DeliveryEvent soft = DeliveryEvent.newBuilder(event("acme", EventType.bounced, 2))
                .setBounceClass(BounceClass.soft).setReason("552 5.2.2 mailbox full").build();
        final DeliveryEvent hard = DeliveryEvent.newBuilder(event("acme", EventType.bounced, 3))
                .setBounceClass(BounceClass.hard).setReason("550 5.1.1 no such user").build();
        final DeliveryEvent open = DeliveryEvent.newBuilder(event("acme", EventType.open, 4)).setIp("203.0.113.9")
                .setExplorerName("Chromium").setExplorerVer("34.0.1847").setOsName("Windows 7").build();
        final DeliveryEvent click = event("acme", EventType.click, 5);
        publish(delivered, soft, hard, open, click);

        await().atMost(Duration.ofSeconds(30)).until(() -> acceptedOf(good, "acme").size() >= 3);
        final List<Map<String, Object>> posts = acceptedOf(good, "acme");
        assertThat(posts).extracting(p -> p.get("event")).containsExactlyInAnyOrder("deliver", "bounce", "open");
        final Map<String, Object> deliver = posts.stream().filter(p -> p.get("event").equals("deliver")).findFirst()
                .orElseThrow();
        assertThat(deliver).containsEntry("emailId", delivered.getEmailId())
                .containsEntry("messageId", delivered.getMessageId())
                .containsEntry("recipient", "ben1@ifaxin.test")
                .containsEntry("category", "acme")
                .containsEntry("labelId", "42")
                .containsEntry("mail_list_task_id", "")
                .containsEntry("message", "Successfully delivered")
                .containsEntry("timestamp", "1426571118713")
                .containsEntry("eventId", delivered.getEventId())
                .containsEntry("verified", true);
        assertThat((String) deliver.get("token")).hasSize(50);
        assertThat((String) deliver.get("signature")).matches("[0-9a-f]{64}");
        assertThat(posts).filteredOn(p -> p.get("event").equals("bounce")).singleElement()
                .satisfies(p -> assertThat(p).containsEntry("reason", "552 5.2.2 mailbox full"));
        assertThat(posts).filteredOn(p -> p.get("event").equals("open")).singleElement()
                .satisfies(p -> assertThat(p).containsEntry("ip", "203.0.113.9").containsEntry("explorerName", "Chromium")
                        .containsEntry("oSName", "Windows 7").containsEntry("oSVer", ""));
        assertThat(REGISTRY.get("mailpipe.webhooks.sent").tag("account", "acme").counter().count()).isEqualTo(3.0);
    }

    @Test
    void shouldDeliverEveryEventToAReceiverThatFailsTwice() {
        final List<DeliveryEvent> list = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            list.add(event("flaky", EventType.delivered, 100 + i));
        }
        publish(list.toArray(DeliveryEvent[]::new));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(acceptedOf(flaky, "flaky"))
                .extracting(p -> p.get("eventId"))
                .containsExactlyInAnyOrderElementsOf(list.stream().map(DeliveryEvent::getEventId).toList()));
        // every event was posted three times: two answered 500, the third taken
        assertThat(flaky.posts()).filteredOn(p -> "flaky".equals(p.get("category"))).hasSize(15)
                .allSatisfy(p -> assertThat(p).containsEntry("verified", true));
        assertThat(REGISTRY.get("mailpipe.webhooks.retrying").tag("account", "flaky").counter().count()).isEqualTo(10.0);
    }

    @Test
    void shouldNotLetAnEndpointThatNeverAnswersDelayAHealthyOne() {
        final String dead = IDS.get("http://127.0.0.1:" + blackhole.getLocalPort() + "/dead");
        final List<DeliveryEvent> list = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            list.add(event("shared", EventType.delivered, 200 + i));
        }
        final long start = System.nanoTime();
        publish(list.toArray(DeliveryEvent[]::new));

        await().atMost(Duration.ofSeconds(30)).until(() -> acceptedOf(good, "shared").size() == 40);
        final Duration healthy = Duration.ofNanos(System.nanoTime() - start);
        // 40 posts to a 1 s timeout, 8 at a time, would be 5 s if the healthy endpoint waited for the dead one
        assertThat(healthy).isLessThan(Duration.ofSeconds(4));
        try (TopicCollector<String, byte[]> retries = KAFKA.cluster().collector("mail.webhooks.retry-1s",
                new StringDeserializer(), new ByteArrayDeserializer())) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(retries.poll().stream().filter(r -> dead.equals(r.key())).count()).isGreaterThanOrEqualTo(40));
        }
    }

    @Test
    void shouldRefuseUrlsThatResolveToNetworksNotAllowed() {
        final DeliveryEvent e = event("ssrf", EventType.delivered, 300);
        publish(e);

        try (TopicCollector<String, byte[]> dlt = KAFKA.cluster().collector(Topics.WEBHOOKS_DLT.name(),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(dlt.poll())
                    .filteredOn(r -> r.key().equals(IDS.get(guarded.url("/internal")))
                            || r.key().equals(IDS.get("http://169.254.169.254/latest/meta-data/")))
                    .hasSize(2)
                    .allSatisfy(r -> assertThat(error(r)).contains("refused address")));
        }
        assertThat(guarded.posts()).isEmpty();
    }

    @Test
    void shouldPostJsonBatchesSignedInHeaders() {
        final List<DeliveryEvent> list = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            list.add(event("batch", EventType.delivered, 400 + i));
        }
        publish(list.toArray(DeliveryEvent[]::new));

        await().atMost(Duration.ofSeconds(30)).until(() -> acceptedOf(good, "batch").size() == 30);
        assertThat(acceptedOf(good, "batch")).allSatisfy(p -> assertThat(p).containsEntry("batch", true)
                .containsEntry("event", "deliver").doesNotContainKey("token"));
    }

    private static String error(final ConsumerRecord<String, byte[]> r) {
        return new String(r.headers().lastHeader(RetryHeaders.ERROR).value(), StandardCharsets.UTF_8);
    }
}
