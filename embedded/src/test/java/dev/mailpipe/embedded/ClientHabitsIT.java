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
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
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
 * The habits of real SMTP clients against the real pipeline (ingest, expander, deliverer, MX
 * lookup through dnsmasq): nodemailer (from npm, version pinned, installed at test time into
 * {@code target/node}) writes custom headers such as X-SMTPAPI before its MIME headers, and
 * Python's {@code EmailMessage} does the same when the header is set before {@code set_content()}.
 * Both must be queued, expanded to the X-SMTPAPI {@code to} list and personalised.
 */
class ClientHabitsIT {

    /** The nodemailer release this test pins (10.x, as the issue's users run it). */
    static final String NODEMAILER = "10.6.0";

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final String USER = "habits_user";
    private static final String KEY = "habits-secret-key";
    private static final Pattern QUEUED = Pattern.compile("250 #(\\S+-inbound)#Queued");
    private static final Path NODE_DIR = Path.of("target/node").toAbsolutePath();

    @TempDir
    static Path tmp;

    private static Dnsmasq dns;
    private static TestSmtpServer mx;
    private static final List<MailpipeApp> APPS = new ArrayList<>();
    private static IngestSmtpApp ingest;

    @BeforeAll
    static void startMailpipe() throws Exception {
        installNodemailer();
        mx = TestSmtpServer.on("127.0.0.2").start();
        dns = Dnsmasq.builder().localZone("test").mx("ifaxin.test", "mx1.ifaxin.test", 10)
                .host("mx1.ifaxin.test", "127.0.0.2").start();
        final Map<String, String> values = new HashMap<>();
        values.put("bootstrap.servers", KAFKA.bootstrapServers());
        values.put("topic.replication.factor", "1");
        values.put("topic.partitions", "3");
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
    void shouldDeliverAndPersonaliseWhatNodemailerSendsWithXSmtpApiBeforeItsMimeHeaders() throws Exception {
        final String output = run(List.of("node", script("nodemailer-send.js").toString(), String.valueOf(ingest.smtpPort()),
                USER, KEY, xsmtpapi("nm")), Map.of("NODE_PATH", NODE_DIR.resolve("node_modules").toString()));
        assertThat(output).contains("messageId: <");
        assertDeliveredAndPersonalised(output, "nm", "from nodemailer");
    }

    @Test
    void shouldDeliverAndPersonaliseWhatPythonEmailMessageSendsWithTheHeaderSetBeforeSetContent() throws Exception {
        final String output = run(List.of("/usr/bin/python3", script("emailmessage-send.py").toString(),
                String.valueOf(ingest.smtpPort()), USER, KEY, xsmtpapi("py")), Map.of());
        assertDeliveredAndPersonalised(output, "py", "from EmailMessage");
    }

    /** Two recipients by X-SMTPAPI {@code to}, each with its own name and amount. */
    private static String xsmtpapi(final String tag) {
        final String json = "{\"to\": [\"ben." + tag + "@ifaxin.test\", \"joe." + tag + "@ifaxin.test\"], "
                + "\"sub\": {\"%name%\": [\"Ben\", \"Joe\"], \"%money%\": [288, 497]}}";
        return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertDeliveredAndPersonalised(final String output, final String tag, final String subject) {
        final Matcher queued = QUEUED.matcher(output);
        assertThat(queued.find()).as("client output: %s", output).isTrue();
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> assertThat(mails(tag)).hasSize(2));
        for (final TestSmtpServer.Received mail : mails(tag)) {
            final String name = mail.recipients().get(0).startsWith("ben.") ? "Ben" : "Joe";
            final String money = name.equals("Ben") ? "288" : "497";
            final String text = mail.text();
            final String headers = text.substring(0, text.indexOf("\r\n\r\n"));
            assertThat(headers).as(text).doesNotContainIgnoringCase("X-SMTPAPI")
                    .contains("Subject: Hello " + name + " " + subject);
            assertThat(text.substring(headers.length()).replace("=\r\n", ""))
                    .contains("Dear " + name + ", your balance is " + money + " yuan.");
        }
    }

    private static List<TestSmtpServer.Received> mails(final String tag) {
        return mx.received().stream().filter(r -> r.recipients().get(0).contains("." + tag + "@")).toList();
    }

    private static Path script(final String name) throws IOException {
        final Path file = tmp.resolve(name);
        try (InputStream in = ClientHabitsIT.class.getResourceAsStream("/client-habits/" + name)) {
            Files.write(file, in.readAllBytes());
        }
        return file;
    }

    /** npm install of the pinned nodemailer into target/node, once per build directory. */
    private static void installNodemailer() throws Exception {
        final Path installed = NODE_DIR.resolve("node_modules/nodemailer/package.json");
        if (Files.exists(installed) && Files.readString(installed).contains("\"version\": \"" + NODEMAILER + "\"")) {
            return;
        }
        Files.createDirectories(NODE_DIR);
        final String output = run(List.of("npm", "install", "--prefix", NODE_DIR.toString(), "--no-audit", "--no-fund",
                "--no-save", "nodemailer@" + NODEMAILER), Map.of());
        assertThat(installed).as("npm install nodemailer@%s: %s", NODEMAILER, output).exists();
    }

    private static String run(final List<String> command, final Map<String, String> environment) throws Exception {
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        final Process process = builder.start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("%s did not finish", command).isTrue();
        assertThat(process.exitValue()).as("%s failed: %s", command, output).isZero();
        return output;
    }
}
