package dev.mailpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailpipe.deliverer.MxDelivererApp;
import dev.mailpipe.deliverer.MxDelivererConfig;
import dev.mailpipe.expander.ExpanderApp;
import dev.mailpipe.expander.ExpanderConfig;
import dev.mailpipe.ingest.IngestSmtpApp;
import dev.mailpipe.ingest.IngestSmtpConfig;
import dev.mailpipe.platform.MailpipeApp;
import dev.mailpipe.platform.Runner;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.testsupport.Dnsmasq;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import dev.mailpipe.testsupport.TestSmtpServer;
import dev.mailpipe.testsupport.TopicCollector;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the receiving side sees (issue 9 §4), on real parts: Python's smtplib with an
 * {@code EmailMessage} submits, the receiving MX is judged by SpamAssassin and Python's email parser.
 */
class ReceiverViewIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final String USER = "view_user";
    private static final String KEY = "view-secret-key";
    private static final String HOSTNAME = "mail.mailpipe.test";
    private static final Pattern MESSAGE_ID = Pattern.compile("(?im)^Message-ID:\\s*(<[^>]+>)");

    @TempDir
    static Path tmp;

    private static Dnsmasq dns;
    private static TestSmtpServer mx;
    private static final List<MailpipeApp> APPS = new ArrayList<>();
    private static IngestSmtpApp ingest;

    @BeforeAll
    static void startMailpipe() {
        mx = TestSmtpServer.on("127.0.0.2").start();
        dns = Dnsmasq.builder().localZone("test").mx("view.test", "mx.view.test", 10)
                .host("mx.view.test", "127.0.0.2").start();
        final Map<String, String> values = new HashMap<>();
        values.put("bootstrap.servers", KAFKA.bootstrapServers());
        values.put("topic.replication.factor", "1");
        values.put("topic.partitions", "2");
        values.put("smtp.port", "0");
        values.put("smtp.host", "127.0.0.1");
        values.put("api.user", USER);
        values.put("api.key", KEY);
        values.put("dns", dns.address());
        values.put("mx.port", String.valueOf(mx.port()));
        values.put("http.port", "-1");
        values.put("hostname", HOSTNAME); // MAILPIPE_HOSTNAME: banner, Received, Message-IDs and EHLO
        MailpipeUp.embeddedDefaults(values, tmp);
        final MeterRegistry registry = Runner.registry();
        ingest = IngestSmtpApp.start(new IngestSmtpConfig(values), registry);
        APPS.add(ingest);
        APPS.add(ExpanderApp.start(new ExpanderConfig(values), registry));
        APPS.add(MxDelivererApp.start(new MxDelivererConfig(values), registry));
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
    void shouldKeepTheClientsMessageIdOfAOneEmailSubmissionAndPassSpamAssassinsHeloRules() throws Exception {
        final String clientId = "<client-1." + System.nanoTime() + "@app.example.test>";
        send(List.of("ben@view.test"), clientId, null, "Hello Ben, a normal message.");
        final TestSmtpServer.Received delivered = awaitDelivery(clientId);
        assertThat(delivered.text()).contains("Received: from ").contains("by " + HOSTNAME + " ");
        assertThat(deliveredMessageIds(List.of("ben@view.test"))).containsExactly(strip(clientId));

        // The receiving MTA's trace line, as Postfix writes it, with the EHLO name the deliverer sent.
        assertThat(mx.greetings()).isNotEmpty().allMatch(HOSTNAME::equals);
        final String ehlo = mx.greetings().get(0);
        final String received = "Received: from " + ehlo + " (" + ehlo + " [203.0.113.25])\r\n"
                + "\tby mx.view.test (Postfix) with ESMTPS id 4AbCdE\r\n"
                + "\tfor <ben@view.test>; Wed, 02 Dec 2026 13:00:00 +0000 (UTC)\r\n";
        final String report = spamAssassin(received + delivered.text());
        assertThat(report).doesNotContain("HELO_LOCALHOST").doesNotContain("FSL_HELO_NON_FQDN_1")
                .doesNotContain("HELO_NO_DOMAIN");
    }

    @Test
    void shouldGiveEachEmailOfAFanOutItsOwnMessageIdDerivedFromItsEmailId() throws Exception {
        final String clientId = "<client-2." + System.nanoTime() + "@app.example.test>";
        final String xsmtpapi = java.util.Base64.getEncoder().encodeToString(
                "{\"to\": [\"ann@view.test\", \"bob@view.test\"]}".getBytes(StandardCharsets.UTF_8));
        send(List.of("ann@view.test"), clientId, xsmtpapi, "Hello both.");
        final String messageId = requestEventOf("ann@view.test").getMessageId();
        final List<String> expected = List.of(
                "<" + messageId + ".0@" + HOSTNAME + ">",
                "<" + messageId + ".1@" + HOSTNAME + ">");
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(mx.received().stream()
                .map(r -> messageIdOf(r.text())).filter(expected::contains).toList()).hasSize(2));
        assertThat(mx.received()).noneMatch(r -> r.text().contains(clientId));
        assertThat(deliveredMessageIds(List.of("ann@view.test", "bob@view.test"))).containsExactlyInAnyOrderElementsOf(
                expected.stream().map(ReceiverViewIT::strip).toList());
    }

    @Test
    void shouldDeliverNoLineLongerThan998Octets() throws Exception {
        final String clientId = "<client-3." + System.nanoTime() + "@app.example.test>";
        final String longLine = "word ".repeat(400).strip(); // 1999 octets on one line
        send(List.of("cat@view.test"), clientId, null, longLine);
        final TestSmtpServer.Received delivered = awaitDelivery(clientId);
        for (final String line : delivered.text().split("\r\n")) {
            assertThat(line.length()).as("a delivered line").isLessThanOrEqualTo(998);
        }
        final String parsed = pythonParse(delivered.data());
        assertThat(parsed).startsWith("defects=0\n");
        assertThat(parsed.substring("defects=0\n".length()).strip()).isEqualTo(longLine);
    }

    private static TestSmtpServer.Received awaitDelivery(final String messageIdHeader) {
        await().atMost(Duration.ofSeconds(90)).until(() -> mx.received().stream()
                .anyMatch(r -> messageIdHeader.equals(messageIdOf(r.text()))));
        return mx.received().stream().filter(r -> messageIdHeader.equals(messageIdOf(r.text()))).findFirst()
                .orElseThrow();
    }

    private static DeliveryEvent requestEventOf(final String recipient) {
        try (TopicCollector<String, DeliveryEvent> events = collector()) {
            final DeliveryEvent[] found = new DeliveryEvent[1];
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                events.poll();
                found[0] = events.values().stream().filter(e -> e.getType() == EventType.request)
                        .filter(e -> recipient.equals(e.getRecipient())).findFirst().orElse(null);
                assertThat(found[0]).as("request event of " + recipient).isNotNull();
            });
            return found[0];
        }
    }

    private static TopicCollector<String, DeliveryEvent> collector() {
        return KAFKA.cluster().collector(Topics.DELIVERY_EVENTS.name(),
                Topics.DELIVERY_EVENTS.keySerde().deserializer(), Topics.DELIVERY_EVENTS.valueSerde().deserializer());
    }

    /** The internetMessageId of the delivered events of these recipients (request events agree). */
    private static List<String> deliveredMessageIds(final List<String> recipients) {
        try (TopicCollector<String, DeliveryEvent> events = collector()) {
            final List<String> ids = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                events.poll();
                ids.clear();
                events.values().stream().filter(e -> e.getType() == EventType.delivered)
                        .filter(e -> recipients.contains(e.getRecipient()))
                        .forEach(e -> ids.add(e.getInternetMessageId()));
                assertThat(ids).hasSize(recipients.size()).doesNotContainNull();
                assertThat(events.values()).filteredOn(e -> e.getType() == EventType.request)
                        .filteredOn(e -> recipients.contains(e.getRecipient()))
                        .extracting(DeliveryEvent::getInternetMessageId).containsExactlyInAnyOrderElementsOf(ids);
            });
            return ids;
        }
    }

    private static String messageIdOf(final String message) {
        final Matcher matcher = MESSAGE_ID.matcher(message.substring(0, Math.max(0, message.indexOf("\r\n\r\n"))));
        return matcher.find() ? matcher.group(1) : null;
    }

    private static String strip(final String id) {
        return id.substring(1, id.length() - 1);
    }

    /** Python's smtplib with an EmailMessage, as an application sends. */
    private static void send(final List<String> to, final String messageIdHeader, final String xsmtpapi,
            final String body) throws Exception {
        final String script = String.join("\n",
                "import smtplib, sys",
                "from email.message import EmailMessage",
                "port, user, key, msgid, xsmtpapi, body = sys.argv[1:7]",
                "m = EmailMessage()",
                "m['From'] = 'Joe <joe@app.example.test>'",
                "m['To'] = ', '.join(sys.argv[7:])",
                "m['Subject'] = 'receiver view'",
                "m['Message-ID'] = msgid",
                "if xsmtpapi: m['X-SMTPAPI'] = xsmtpapi",
                "m.set_content(body, cte='8bit')",
                "s = smtplib.SMTP('127.0.0.1', int(port))",
                "s.login(user, key)",
                "s.send_message(m, to_addrs=sys.argv[7:])",
                "s.quit()",
                "");
        final List<String> command = new ArrayList<>(List.of("python3", "-c", script + "\n",
                String.valueOf(ingest.smtpPort()), USER, KEY, messageIdHeader, xsmtpapi == null ? "" : xsmtpapi, body));
        command.addAll(to);
        runPython(command, null);
    }

    private static String spamAssassin(final String message) throws Exception {
        return runPython(List.of("spamassassin", "-t", "-L", "--cf=trusted_networks 10.99.0.0/16"), message);
    }

    private static String pythonParse(final byte[] message) throws Exception {
        final String script = String.join("\n",
                "import sys, email, email.policy",
                "m = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)",
                "print('defects=%d' % sum(len(p.defects) for p in m.walk()))",
                "print(m.get_content(), end='')");
        return runPython(List.of("python3", "-c", script), new String(message, StandardCharsets.UTF_8));
    }

    private static String runPython(final List<String> command, final String stdin) throws Exception {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s failed: %s", command.get(0), output).isZero();
        return output;
    }
}
