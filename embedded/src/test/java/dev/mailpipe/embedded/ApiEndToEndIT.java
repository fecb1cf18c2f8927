package dev.mailpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailpipe.deliverer.MxDelivererApp;
import dev.mailpipe.deliverer.MxDelivererConfig;
import dev.mailpipe.expander.ExpanderApp;
import dev.mailpipe.expander.ExpanderConfig;
import dev.mailpipe.ingest.IngestSmtpApp;
import dev.mailpipe.ingest.IngestSmtpConfig;
import dev.mailpipe.core.suppression.SuppressionKey;
import dev.mailpipe.platform.CompactedTable;
import dev.mailpipe.platform.MailpipeApp;
import dev.mailpipe.platform.Runner;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.Suppression;
import dev.mailpipe.schemas.SuppressionReason;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.testsupport.Dnsmasq;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import dev.mailpipe.testsupport.TestSmtpServer;
import dev.mailpipe.web.WebApp;
import dev.mailpipe.web.StatsCli;
import dev.mailpipe.web.WebConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Web API end to end, on the services {@code ./mailpipe up} runs: a send with Python requests
 * (as SendCloud's docs write it) arrives personalised at the receiving MX, with the emailIds the
 * API answered on its delivered events; a send to an address list of 150 members made through the
 * API arrives once per member with the member's values (a suppressed member is dropped), taskinfo
 * ends {@code done} with the counts of the events, and every delivered event carries the task id;
 * statDay, statHour and {@code ./mailpipe stats} count a labelled send, its deliveries and its opens.
 */
class ApiEndToEndIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final String USER = "api_user";
    private static final String KEY = "api-secret-key-0123456789";
    private static final int MEMBERS = 150;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    private static Dnsmasq dns;
    private static TestSmtpServer mx;
    private static final List<MailpipeApp> APPS = new ArrayList<>();
    private static String api;

    @BeforeAll
    static void startMailpipe() {
        mx = TestSmtpServer.on("127.0.0.2").start();
        dns = Dnsmasq.builder().localZone("test").mx("reader.test", "mx.reader.test", 10)
                .host("mx.reader.test", "127.0.0.2").start();
        final Map<String, String> values = new HashMap<>();
        values.put("bootstrap.servers", KAFKA.bootstrapServers());
        values.put("topic.replication.factor", "1");
        values.put("topic.partitions", "3");
        values.put("smtp.port", "0");
        values.put("smtp.host", "127.0.0.1");
        values.put("web.port", "0");
        values.put("web.host", "127.0.0.1");
        values.put("api.user", USER);
        values.put("api.key", KEY);
        values.put("dns", dns.address());
        values.put("mx.port", String.valueOf(mx.port()));
        values.put("http.port", "-1");
        MailpipeUp.embeddedDefaults(values, tmp);
        final MeterRegistry registry = Runner.registry();
        APPS.add(IngestSmtpApp.start(new IngestSmtpConfig(values), registry)); // creates the account
        final WebApp web = WebApp.start(new WebConfig(values), registry);
        APPS.add(web);
        values.putIfAbsent("public.url", web.publicUrl());
        APPS.add(ExpanderApp.start(new ExpanderConfig(values), registry));
        APPS.add(MxDelivererApp.start(new MxDelivererConfig(values), registry));
        api = "http://127.0.0.1:" + web.port() + "/apiv2/";
    }

    @AfterAll
    static void stopMailpipe() {
        for (int i = APPS.size() - 1; i >= 0; i--) {
            APPS.get(i).close();
        }
        if (dns != null) {
            dns.close();
        }
        if (mx != null) {
            mx.close();
        }
    }

    @Test
    void aSendThroughTheApiArrivesPersonalisedWithTheEmailIdsItAnswered() throws Exception {
        final String script = String.join("\n",
                "import requests, sys, json",
                "params = {'apiUser': sys.argv[2], 'apiKey': sys.argv[3], 'from': 'Shop <news@sender.test>',",
                "  'to': 'ignored@reader.test', 'subject': 'Hello %name%', 'plain': 'Dear %name%, welcome.',",
                "  'xsmtpapi': json.dumps({'to': ['ann@reader.test', 'bob@reader.test'],",
                "                          'sub': {'%name%': ['Ann', 'Bob']}})}",
                "r = requests.post(sys.argv[1] + 'mail/send', files={}, data=params, timeout=30)",
                "print(json.dumps(r.json()))");
        final JsonNode answer = JSON.readTree(run("/usr/bin/python3", "-c", script, api, USER, KEY));
        assertThat(answer.get("result").asBoolean()).as(answer.toString()).isTrue();
        final List<String> emailIds = new ArrayList<>();
        answer.get("info").get("emailIdList").forEach(n -> emailIds.add(n.asText()));
        assertThat(emailIds).hasSize(2);

        await().atMost(Duration.ofSeconds(120)).until(() -> delivered("ann@reader.test", "bob@reader.test").size() == 2);
        for (final TestSmtpServer.Received r : delivered("ann@reader.test", "bob@reader.test")) {
            final String text = new String(r.data(), StandardCharsets.UTF_8);
            final String name = r.recipients().getFirst().startsWith("ann") ? "Ann" : "Bob";
            assertThat(text).contains("Subject: Hello " + name).doesNotContain("ignored@reader.test");
            assertThat(body(r)).isEqualTo("Dear " + name + ", welcome.");
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events("delivered"))
                .extracting(e -> e.get("emailId").asText()).containsAll(emailIds));
    }

    @Test
    void aSendToAnAddressListArrivesOncePerMemberAndTheTaskEndsDone() throws Exception {
        final StringBuilder members = new StringBuilder();
        final List<Map<String, String>> vars = new ArrayList<>();
        final Set<String> expected = new HashSet<>();
        final String suppressed = "member007@reader.test";
        try (CompactedTable<Suppression> suppressions = CompactedTable.start(KAFKA.bootstrapServers(), "api-e2e",
                Topics.SUPPRESSIONS.name(), Topics.SUPPRESSIONS.valueSerde())) {
            suppressions.put(SuppressionKey.of(USER, suppressed), Suppression.newBuilder().setApiUser(USER)
                    .setAddress(suppressed).setReason(SuppressionReason.unsubscribe).setCreatedAt(Instant.now()).build());
        }
        for (int i = 0; i < MEMBERS; i++) {
            final String member = String.format("member%03d@reader.test", i);
            if (!member.equals(suppressed)) {
                expected.add(member);
            }
            members.append(i == 0 ? "" : ";").append(member);
            vars.add(Map.of("%code%", "C" + i));
        }
        final String script = String.join("\n",
                "import requests, sys, json",
                "base, auth = sys.argv[1], {'apiUser': sys.argv[2], 'apiKey': sys.argv[3]}",
                "print(requests.post(base + 'addresslist/add', data=dict(auth, address='readers@lists.test'), timeout=30).json()['result'])",
                "print(requests.post(base + 'addressmember/add', data=dict(auth, address='readers@lists.test',",
                "    members=sys.argv[4], vars=sys.argv[5]), timeout=30).json()['info']['count'])",
                "r = requests.post(base + 'mail/send', data=dict(auth, useAddressList='true', to='readers@lists.test',",
                "    subject='Your code', plain='Your code is %code%.', **{'from': 'news@sender.test'}), timeout=30)",
                "print(r.json()['info']['maillistTaskId'][0])");
        final List<String> out = run("/usr/bin/python3", "-c", script, api, USER, KEY, members.toString(),
                JSON.writeValueAsString(vars)).lines().toList();
        assertThat(out.subList(0, 2)).containsExactly("True", String.valueOf(MEMBERS));
        final String task = out.get(2);

        await().atMost(Duration.ofSeconds(180)).until(() -> listMail().size() >= MEMBERS - 1);
        final List<String> recipients = new ArrayList<>();
        for (final TestSmtpServer.Received r : listMail()) {
            recipients.addAll(r.recipients());
            final int n = Integer.parseInt(r.recipients().getFirst().substring(6, 9));
            assertThat(new String(r.data(), StandardCharsets.UTF_8)).contains("To: " + r.recipients().getFirst());
            assertThat(body(r)).isEqualTo("Your code is C" + n + ".");
        }
        assertThat(recipients).hasSize(MEMBERS - 1).doesNotHaveDuplicates();
        assertThat(new HashSet<>(recipients)).isEqualTo(expected);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            final JsonNode info = JSON.readTree(run("curl", "-sS", api + "mail/taskinfo?apiUser=" + USER + "&apiKey="
                    + KEY + "&maillistTaskId=" + task)).get("info");
            assertThat(info.get("status").asText()).isEqualTo("done");
            assertThat(info.get("total").asLong()).isEqualTo(MEMBERS);
            assertThat(info.get("queued").asLong()).isEqualTo(MEMBERS);
            // counted from the events: each member requested and delivered once
            assertThat(info.get("request").asLong()).isEqualTo(MEMBERS - 1);
            assertThat(info.get("delivered").asLong()).isEqualTo(MEMBERS - 1);
            assertThat(info.get("dropped").asLong()).isEqualTo(1);
            assertThat(info.get("bounced").asLong()).isZero();
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events("delivered").stream()
                .filter(e -> task.equals(e.path("mailListTaskId").asText())).count()).isEqualTo(MEMBERS - 1));
    }

    @Test
    void theStatisticsCountWhatWasSentDeliveredAndOpenedEachEventOnce() throws Exception {
        final String send = String.join("\n",
                "import requests, sys, json",
                "params = {'apiUser': sys.argv[2], 'apiKey': sys.argv[3], 'from': 'news@sender.test', 'labelId': '42',",
                "  'to': 'cid@reader.test;dan@reader.test;eve@reader.test', 'subject': 'Stats', 'plain': 'Counted.'}",
                "print(json.dumps(requests.post(sys.argv[1] + 'mail/send', data=params, timeout=30).json()))");
        final JsonNode answer = JSON.readTree(run("/usr/bin/python3", "-c", send, api, USER, KEY));
        final List<String> emailIds = new ArrayList<>();
        answer.get("info").get("emailIdList").forEach(n -> emailIds.add(n.asText()));
        assertThat(emailIds).as(answer.toString()).hasSize(3);
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> assertThat(events("delivered"))
                .extracting(e -> e.get("emailId").asText()).containsAll(emailIds));
        // two opens of one email, one of them written twice (same eventId), as a crash could
        final JsonNode delivered = events("delivered").stream()
                .filter(e -> e.get("emailId").asText().equals(emailIds.getFirst())).findFirst().orElseThrow();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                dev.mailpipe.platform.KafkaDefaults.producer(KAFKA.bootstrapServers(), "stats-e2e"),
                new StringSerializer(), new ByteArraySerializer())) {
            for (final String eventId : List.of("open-1", "open-2", "open-1")) {
                final DeliveryEvent open = DeliveryEvent.newBuilder().setType(EventType.open)
                        .setMessageId(delivered.get("messageId").asText()).setEmailId(emailIds.getFirst())
                        .setApiUser(USER).setLabel("42").setRecipient("cid@reader.test").setTimestamp(Instant.now())
                        .setEventId(eventId).build();
                producer.send(new ProducerRecord<>(Topics.DELIVERY_EVENTS.name(), open.getMessageId(),
                        Topics.DELIVERY_EVENTS.valueSerde().serializer().serialize(Topics.DELIVERY_EVENTS.name(), open)))
                        .get();
            }
        }

        final String statDay = String.join("\n",
                "import requests, sys, json",
                "r = requests.get(sys.argv[1] + 'statday/list', params={'apiUser': sys.argv[2], 'apiKey': sys.argv[3],",
                "  'days': '1', 'labelIdList': '42', 'domainList': 'reader.test'}, timeout=30)",
                "print(json.dumps(r.json()))");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            final JsonNode day = JSON.readTree(run("/usr/bin/python3", "-c", statDay, api, USER, KEY));
            assertThat(day.get("statusCode").asInt()).as(day.toString()).isEqualTo(200);
            final JsonNode rows = day.get("info").get("dataList");
            assertThat(rows).as(day.toString()).hasSize(1);
            final JsonNode row = rows.get(0);
            assertThat(row.get("sendDate").asText()).isEqualTo(java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString());
            assertThat(row.get("apiUser").asText()).isEqualTo(USER);
            assertThat(row.get("domain").asText()).isEqualTo("reader.test");
            assertThat(row.get("labelId").asInt()).isEqualTo(42);
            assertThat(row.get("requestNum").asLong()).isEqualTo(3);
            assertThat(row.get("deliveredNum").asLong()).isEqualTo(3);
            assertThat(row.get("deliveredPercent").asDouble()).isEqualTo(100.0);
            assertThat(row.get("openNum").asLong()).isEqualTo(2);
            assertThat(row.get("uniqueOpensNum").asLong()).isEqualTo(1);
            assertThat(row.get("openPercent").asDouble()).isEqualTo(66.66);
            assertThat(row.get("bounceNum").asLong()).isZero();
        });
        final JsonNode hours = JSON.readTree(run("curl", "-sS", "-d", "apiUser=" + USER, "-d", "apiKey=" + KEY,
                "-d", "days=1", "-d", "labelIdList=42", api + "statHour/list")).get("info").get("dataList");
        assertThat(hours).isNotEmpty();
        long requests = 0;
        for (final JsonNode hour : hours) {
            assertThat(hour.get("sendHour").asInt()).isBetween(0, 23);
            assertThat(hour.has("domain")).isFalse();
            requests += hour.get("requestNum").asLong();
        }
        assertThat(requests).isEqualTo(3);
        final JsonNode refused = JSON.readTree(run("curl", "-sS", api + "statday/list?apiUser=" + USER + "&apiKey="
                + KEY + "&days=1&apiUserList=someone_else"));
        assertThat(refused.get("statusCode").asInt()).isEqualTo(403);

        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        assertThat(StatsCli.run(new String[] {"--since", "1d", "--account", USER, "--label", "42", "--total"},
                Map.of("KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers()), new PrintWriter(out), new PrintWriter(err)))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("total  | 3 3 0 0(0) 0 0 2(1) 0(0) 0 0 100.00");
    }

    /** The text of a single-part base64 message (what the API builds), decoded. */
    private static String body(final TestSmtpServer.Received r) {
        final String text = new String(r.data(), StandardCharsets.UTF_8);
        assertThat(text).contains("Content-Transfer-Encoding: base64");
        final int start = text.indexOf("\r\n\r\n") + 4;
        return new String(java.util.Base64.getMimeDecoder().decode(text.substring(start).strip()),
                StandardCharsets.UTF_8).strip();
    }

    private static List<TestSmtpServer.Received> delivered(final String... recipients) {
        final Set<String> wanted = Set.of(recipients);
        return mx.received().stream().filter(r -> wanted.contains(r.recipients().getFirst())).toList();
    }

    private static List<TestSmtpServer.Received> listMail() {
        return mx.received().stream().filter(r -> r.recipients().getFirst().startsWith("member")).toList();
    }

    private static List<JsonNode> events(final String types) throws IOException {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = EventsCli.run(new String[] {"--from-beginning", "--type", types, "--api-user", USER},
                Map.of("KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers()), new PrintWriter(out), new PrintWriter(err));
        assertThat(code).as("./mailpipe events: %s", err).isZero();
        final List<JsonNode> nodes = new ArrayList<>();
        for (final String line : out.toString().split("\n")) {
            if (!line.isBlank()) {
                nodes.add(JSON.readTree(line));
            }
        }
        return nodes;
    }

    private static String run(final String... command) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", command), out).isZero();
        return out.strip();
    }
}
