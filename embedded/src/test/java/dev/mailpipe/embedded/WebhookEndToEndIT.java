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
import dev.mailpipe.testsupport.Dnsmasq;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import dev.mailpipe.testsupport.TestSmtpServer;
import dev.mailpipe.testsupport.WebhookReceiver;
import dev.mailpipe.webhooks.WebhooksApp;
import dev.mailpipe.webhooks.WebhooksCli;
import dev.mailpipe.webhooks.WebhooksConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
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
 * Mail sent over SMTP comes back as signed webhook posts: Python's smtplib submits, the pipeline
 * delivers to a real SMTP server found by MX lookup (dnsmasq), and the webhooks service posts the
 * request and deliver events to a Python receiver that checks SendCloud's signature.
 */
class WebhookEndToEndIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final String USER = "hook_user";
    private static final String KEY = "hook-secret-key";
    private static final Pattern QUEUED = Pattern.compile("250 #(\\S+-inbound)#Queued");

    @TempDir
    static Path tmp;

    private static Dnsmasq dns;
    private static TestSmtpServer mx;
    private static WebhookReceiver receiver;
    private static final List<MailpipeApp> APPS = new ArrayList<>();
    private static IngestSmtpApp ingest;

    @BeforeAll
    static void startMailpipe() {
        mx = TestSmtpServer.on("127.0.0.2").start();
        dns = Dnsmasq.builder().localZone("test").mx("ifaxin.test", "mx1.ifaxin.test", 10)
                .host("mx1.ifaxin.test", "127.0.0.2").start();
        receiver = WebhookReceiver.start(Path.of("../examples/webhook_receiver.py"), "127.0.0.1", 0);
        final StringWriter out = new StringWriter();
        assertThat(WebhooksCli.run(new String[] {"add", "--account", USER, "--url", receiver.url("/sendcloud")},
                Map.of("KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers()), new PrintWriter(out),
                new PrintWriter(new StringWriter()))).isZero();
        final Matcher key = Pattern.compile("(?m)^appKey=(\\S+)$").matcher(out.toString());
        assertThat(key.find()).isTrue();
        receiver.addKey(key.group(1));

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
        MailpipeUp.embeddedDefaults(values, tmp);
        final MeterRegistry registry = Runner.registry();
        ingest = IngestSmtpApp.start(new IngestSmtpConfig(values), registry);
        APPS.add(ingest);
        APPS.add(ExpanderApp.start(new ExpanderConfig(values), registry));
        APPS.add(MxDelivererApp.start(new MxDelivererConfig(values), registry));
        APPS.add(WebhooksApp.start(new WebhooksConfig(values), registry));
    }

    @AfterAll
    static void stopMailpipe() {
        for (int i = APPS.size() - 1; i >= 0; i--) {
            APPS.get(i).close();
        }
        if (receiver != null) {
            receiver.close();
        }
        if (dns != null) {
            dns.close();
        }
        if (mx != null) {
            mx.close();
        }
    }

    @Test
    void shouldPostTheRequestAndDeliverEventsOfMailSentOverSmtp() throws Exception {
        final List<String> recipients = List.of("ben@ifaxin.test", "joe@ifaxin.test");
        final String output = send(recipients);
        final Matcher matcher = QUEUED.matcher(output);
        assertThat(matcher.find()).as("python output: %s", output).isTrue();
        final String messageId = matcher.group(1);
        final List<String> emailIds = List.of(messageId + "0$ben@ifaxin.test", messageId + "1$joe@ifaxin.test");

        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
            final List<Map<String, Object>> posts = receiver.accepted();
            assertThat(posts).filteredOn(p -> p.get("event").equals("request")).extracting(p -> p.get("emailId"))
                    .containsExactlyInAnyOrderElementsOf(emailIds);
            assertThat(posts).filteredOn(p -> p.get("event").equals("deliver")).extracting(p -> p.get("emailId"))
                    .containsExactlyInAnyOrderElementsOf(emailIds);
        });
        assertThat(receiver.posts()).allSatisfy(p -> assertThat(p).containsEntry("verified", true)
                .containsEntry("category", USER).containsEntry("messageId", messageId).containsEntry("labelId", "7"));
        assertThat(receiver.accepted()).extracting(p -> p.get("eventId")).doesNotContain("").doesNotHaveDuplicates();
    }

    private static String send(final List<String> recipients) throws Exception {
        final List<String> command = new ArrayList<>(List.of("python3", Path.of("../examples/send_mail.py").toString()));
        command.addAll(recipients);
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(Map.of("MAILPIPE_SMTP_PORT", String.valueOf(ingest.smtpPort()),
                "MAILPIPE_API_USER", USER, "MAILPIPE_API_KEY", KEY, "MAILPIPE_LABEL", "7"));
        final Process process = builder.start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
