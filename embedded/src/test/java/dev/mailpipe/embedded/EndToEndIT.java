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
import java.io.IOException;
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
 * The whole path on real parts: Python's smtplib submits over SMTP with AUTH LOGIN, the in-JVM
 * KRaft broker queues it, the expander fans it out, the deliverer resolves MX records served by
 * dnsmasq and hands each email to a real SMTP server on 127.0.0.x.
 */
class EndToEndIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final String USER = "e2e_user";
    private static final String KEY = "e2e-secret-key";
    private static final Pattern QUEUED = Pattern.compile("250 #(\\S+-inbound)#Queued");

    @TempDir
    static Path tmp;

    private static Dnsmasq dns;
    private static TestSmtpServer mx1;
    private static TestSmtpServer mx2;
    private static final List<MailpipeApp> APPS = new ArrayList<>();
    private static IngestSmtpApp ingest;

    @BeforeAll
    static void startMailpipe() {
        mx1 = TestSmtpServer.on("127.0.0.2").start();
        mx2 = TestSmtpServer.on("127.0.0.3").port(mx1.port()).start();
        dns = Dnsmasq.builder()
                .localZone("test")
                .mx("ifaxin.test", "mx1.ifaxin.test", 10)
                .host("mx1.ifaxin.test", "127.0.0.2")
                .mx("other.test", "mx.other.test", 5)
                .host("mx.other.test", "127.0.0.3")
                .start();
        final Map<String, String> values = new HashMap<>();
        values.put("bootstrap.servers", KAFKA.bootstrapServers());
        values.put("topic.replication.factor", "1");
        values.put("topic.partitions", "3");
        values.put("smtp.port", "0");
        values.put("smtp.host", "127.0.0.1");
        values.put("api.user", USER);
        values.put("api.key", KEY);
        values.put("dns", dns.address());
        values.put("mx.port", String.valueOf(mx1.port()));
        values.put("http.port", "-1");
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
        if (mx1 != null) {
            mx1.close();
        }
        if (mx2 != null) {
            mx2.close();
        }
    }

    @Test
    void shouldDeliverAThreeRecipientSubmissionFromPythonSmtplibThroughMxLookup() throws Exception {
        final List<String> recipients = List.of("ben@ifaxin.test", "joe@ifaxin.test", "bida@other.test");
        // The README's example, as a user runs it.
        final String output = readmeExample(recipients);
        final Matcher matcher = QUEUED.matcher(output);
        assertThat(matcher.find()).as("python output: %s", output).isTrue();
        final String messageId = matcher.group(1);

        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
            assertThat(mx1.received()).hasSize(2);
            assertThat(mx2.received()).hasSize(1);
        });
        assertThat(mx1.received()).flatExtracting(TestSmtpServer.Received::recipients)
                .containsExactlyInAnyOrder("ben@ifaxin.test", "joe@ifaxin.test");
        assertThat(mx2.received().get(0).recipients()).containsExactly("bida@other.test");
        // Personalised per recipient by X-SMTPAPI, with the submission's Received: trace kept.
        assertThat(mx2.received().get(0).text()).contains("Received: ").doesNotContain("X-SMTPAPI");
        assertThat(decodedBody(mx2.received().get(0).text())).contains("Dear Bida, your balance is 102 yuan.");

        final List<String> expected = List.of(
                messageId + "0$" + recipients.get(0),
                messageId + "1$" + recipients.get(1),
                messageId + "2$" + recipients.get(2));
        try (TopicCollector<String, DeliveryEvent> events = KAFKA.cluster().collector(Topics.DELIVERY_EVENTS.name(),
                Topics.DELIVERY_EVENTS.keySerde().deserializer(), Topics.DELIVERY_EVENTS.valueSerde().deserializer())) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                events.poll();
                assertThat(emailIds(events, EventType.delivered)).containsExactlyInAnyOrderElementsOf(expected);
                assertThat(emailIds(events, EventType.request)).containsExactlyInAnyOrderElementsOf(expected);
            });
            assertThat(events.values()).filteredOn(e -> e.getType() == EventType.delivered)
                    .allSatisfy(e -> {
                        assertThat(e.getMessageId()).isEqualTo(messageId);
                        assertThat(e.getApiUser()).isEqualTo(USER);
                        assertThat(e.getLabel()).isEqualTo("7");
                        assertThat(e.getRemoteReply().getCode()).isEqualTo(250);
                    });
        }
    }

    /** The example sends a UTF-8 text part; smtplib encodes it in base64. */
    private static String decodedBody(final String message) {
        final String body = message.substring(message.indexOf("\r\n\r\n") + 4).replaceAll("\\s", "");
        return new String(java.util.Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
    }

    private static List<String> emailIds(final TopicCollector<String, DeliveryEvent> events, final EventType type) {
        return events.values().stream().filter(e -> e.getType() == type).map(DeliveryEvent::getEmailId).toList();
    }

    private static String readmeExample(final List<String> recipients) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of("python3", Path.of("../examples/send_mail.py").toString()));
        command.addAll(recipients);
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(Map.of(
                "MAILPIPE_SMTP_PORT", String.valueOf(ingest.smtpPort()),
                "MAILPIPE_API_USER", USER,
                "MAILPIPE_API_KEY", KEY,
                "MAILPIPE_LABEL", "7",
                "MAILPIPE_STARTTLS", "1"));
        final Process process = builder.start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("examples/send_mail.py failed: %s", output).isZero();
        return output;
    }
}
