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
import dev.mailpipe.platform.MailpipeApp;
import dev.mailpipe.platform.Runner;
import dev.mailpipe.testsupport.Dnsmasq;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import dev.mailpipe.testsupport.TestSmtpServer;
import dev.mailpipe.web.WebApp;
import dev.mailpipe.web.WebConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
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
 * Engagement end to end, on the services {@code ./mailpipe up} runs (web started before the
 * expander, as there): mail sent with Python's smtplib and tracking filters on is delivered; the
 * recipient's client fetches the pixel (curl) and unsubscribes in one click (Python requests,
 * RFC 8058); {@code ./mailpipe events} shows the open and the unsubscribe; the next mail to the
 * unsubscribed address is dropped with a dropped event while the other recipient still gets it.
 *
 * <p>The links are taken from the delivered message (the expander wrote them, Python's email
 * parser reads them), and the click is followed too (curl, 302 to the original URL).
 */
class TrackingEndToEndIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final String USER = "track_user";
    private static final String KEY = "track-secret-key";
    private static final Pattern QUEUED = Pattern.compile("250 #(\\S+-inbound)#Queued");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    private static Dnsmasq dns;
    private static TestSmtpServer mx;
    private static final List<MailpipeApp> APPS = new ArrayList<>();
    private static IngestSmtpApp ingest;
    private static WebApp web;
    private static Map<String, String> values;

    @BeforeAll
    static void startMailpipe() {
        mx = TestSmtpServer.on("127.0.0.2").start();
        dns = Dnsmasq.builder().localZone("test").mx("reader.test", "mx.reader.test", 10)
                .host("mx.reader.test", "127.0.0.2").start();
        values = new HashMap<>();
        values.put("bootstrap.servers", KAFKA.bootstrapServers());
        values.put("topic.replication.factor", "1");
        values.put("topic.partitions", "3");
        values.put("smtp.port", "0");
        values.put("smtp.host", "127.0.0.1");
        values.put("web.port", "0");
        values.put("api.user", USER);
        values.put("api.key", KEY);
        values.put("dns", dns.address());
        values.put("mx.port", String.valueOf(mx.port()));
        values.put("http.port", "-1");
        MailpipeUp.embeddedDefaults(values, tmp);
        final MeterRegistry registry = Runner.registry();
        ingest = IngestSmtpApp.start(new IngestSmtpConfig(values), registry);
        APPS.add(ingest);
        web = WebApp.start(new WebConfig(values), registry);
        APPS.add(web);
        values.putIfAbsent("public.url", web.publicUrl());
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
    void anUnsubscribedReaderGetsNoMoreMailAndEveryStepIsAnEvent() throws Exception {
        final String reader = "ben@reader.test";
        final String other = "joe@reader.test";
        final String first = send(List.of(reader));
        await().atMost(Duration.ofSeconds(120)).until(() -> mx.received().size() == 1);
        assertThat(mx.received().get(0).recipients()).containsExactly(reader);

        // The links, as the reader's mail client sees them: Python's email parser reads the delivered bytes.
        final JsonNode delivered = JSON.readTree(runWithInput(new String(mx.received().get(0).data(), StandardCharsets.UTF_8),
                "/usr/bin/python3", "-c", String.join("\n",
                "import email, json, sys",
                "from email import policy",
                "m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)",
                "html = [p.get_content() for p in m.walk() if p.get_content_type() == 'text/html'][0]",
                "print(json.dumps({'html': html, 'listUnsubscribe': str(m['List-Unsubscribe']),",
                "    'post': str(m['List-Unsubscribe-Post']), 'defects': [repr(d) for p in m.walk() for d in p.defects]}))")));
        assertThat(delivered.get("defects")).as("MIME defects").isEmpty();
        assertThat(delivered.get("post").asText()).isEqualTo("List-Unsubscribe=One-Click");
        final String html = delivered.get("html").asText();
        final String base = Pattern.quote(web.publicUrl());
        final String pixel = group(html, "<img src=\"(" + base + "/o/[A-Za-z0-9_-]+)\"");
        final String click = group(html, "<a href=\"(" + base + "/c/[A-Za-z0-9_-]+)\">see it</a>");
        final String oneClick = group(delivered.get("listUnsubscribe").asText(), "^<(" + base + "/u/[A-Za-z0-9_-]+)>$");
        assertThat(html).contains("href=\"" + oneClick + "\"").doesNotContain("https://shop.example/sale");

        assertThat(run("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", pixel))
                .isEqualTo("200 43");
        assertThat(run("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", click))
                .isEqualTo("302 https://shop.example/sale");
        assertThat(run("/usr/bin/python3", "-c", String.join("\n",
                "import requests, sys",
                "r = requests.post(sys.argv[1], data={'List-Unsubscribe': 'One-Click'}, timeout=10)",
                "print(r.status_code)"), oneClick)).isEqualTo("200");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events("click"))
                .extracting(e -> e.get("recipient").asText() + " " + e.path("url").asText())
                .contains(reader + " https://shop.example/sale"));

        // ./mailpipe events shows what the reader did.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events("open,unsubscribe"))
                .extracting(e -> e.get("type").asText() + " " + e.get("recipient").asText())
                .contains("open " + reader, "unsubscribe " + reader));

        // The next mail: the unsubscribed reader is dropped, the other recipient still gets it.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            final int before = mx.received().size();
            final String next = send(List.of(reader, other));
            await().atMost(Duration.ofSeconds(60)).until(() -> mx.received().size() > before);
            assertThat(events("dropped")).extracting(e -> e.get("messageId").asText() + " " + e.get("recipient").asText())
                    .contains(next + " " + reader);
        });
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(mx.received().subList(1, mx.received().size()))
                        .flatExtracting(TestSmtpServer.Received::recipients)
                        .contains(other).doesNotContain(reader));
    }

    /** Sends one message with all three tracking filters on; returns its messageId. */
    private static String send(final List<String> recipients) throws IOException, InterruptedException {
        final String script = String.join("\n",
                "import base64, json, smtplib, sys",
                "from email.mime.text import MIMEText",
                "rcpts = sys.argv[2:]",
                "msg = MIMEText('<html><body><p>Spring sale: <a href=\"https://shop.example/sale\">see it</a></p>"
                        + "</body></html>', 'html', 'utf-8')",
                "msg['Subject'] = 'Spring sale'",
                "msg['From'] = 'news@sender.test'",
                "msg['To'] = rcpts[0]",
                "on = {'settings': {'enable': '1'}}",
                "api = {'to': rcpts, 'filters': {'open_tracking': on, 'click_tracking': on, "
                        + "'subscription_tracking': on}}",
                "msg['X-SMTPAPI'] = base64.b64encode(json.dumps(api).encode()).decode()",
                "s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))",
                "s.ehlo('client.example')",
                "s.starttls()",
                "s.ehlo('client.example')",
                "s.login('" + USER + "', '" + KEY + "')",
                "s.mail(msg['From'])",
                "[s.rcpt(r) for r in rcpts]",
                "code, reply = s.data(msg.as_string())",
                "print(code, reply.decode())",
                "s.quit()");
        final List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "-c", script,
                String.valueOf(ingest.smtpPort())));
        command.addAll(recipients);
        final String out = run(command.toArray(String[]::new));
        final Matcher matcher = QUEUED.matcher(out);
        assertThat(matcher.find()).as("smtplib: %s", out).isTrue();
        return matcher.group(1);
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

    private static String group(final String text, final String regex) {
        final Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("%s in %s", regex, text).isTrue();
        return m.group(1);
    }

    private static String run(final String... command) throws IOException, InterruptedException {
        return runWithInput(null, command);
    }

    private static String runWithInput(final String stdin, final String... command) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(command).redirectErrorStream(stdin == null).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", command), out).isZero();
        return out.strip();
    }
}
