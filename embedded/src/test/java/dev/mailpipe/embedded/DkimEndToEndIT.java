package dev.mailpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailpipe.deliverer.MxDelivererApp;
import dev.mailpipe.deliverer.MxDelivererConfig;
import dev.mailpipe.expander.ExpanderApp;
import dev.mailpipe.expander.ExpanderConfig;
import dev.mailpipe.ingest.IngestSmtpApp;
import dev.mailpipe.ingest.IngestSmtpConfig;
import dev.mailpipe.ingest.accounts.AccountsCli;
import dev.mailpipe.platform.MailpipeApp;
import dev.mailpipe.platform.Runner;
import dev.mailpipe.testsupport.Dnsmasq;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import dev.mailpipe.testsupport.TestSmtpServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * DKIM on the whole path, judged by independent verifiers: keys made by {@code ./mailpipe domains},
 * mail submitted with Python's smtplib, expanded, signed and delivered by mailpipe to a real SMTP
 * server, and each delivered message checked by dkimpy (python3-dkim, DNS through dnspython) and
 * OpenDKIM's {@code opendkim-testmsg} (libc resolver), both reading the TXT records from dnsmasq
 * serving what {@code domains records} printed.
 */
class DkimEndToEndIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final String SECRET = "the dkim end-to-end keys secret";
    private static final String ALL_SIGNED = "from:to:subject:date:message-id:mime-version:content-type";

    @TempDir
    static Path tmp;

    private static Dnsmasq mxDns;
    private static TestSmtpServer mx;
    private static IngestSmtpApp ingest;
    private static String apiKey;
    private static final List<MailpipeApp> APPS = new ArrayList<>();
    private static int sequence;

    private static Map<String, String> cliEnv() {
        return Map.of("KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers(), "MAILPIPE_KEYS_SECRET", SECRET);
    }

    private static DomainsCliIT.Run domains(final String... args) {
        final DomainsCliIT.Run run = DomainsCliIT.domains(cliEnv(), args);
        assertThat(run.code()).as("domains %s: %s", List.of(args), run.err()).isZero();
        return run;
    }

    @BeforeAll
    static void startMailpipe() throws IOException {
        final StringWriter out = new StringWriter();
        assertThat(AccountsCli.run(new String[] {"add", "shop"}, cliEnv(), new PrintWriter(out),
                new PrintWriter(new StringWriter()))).isZero();
        final Matcher key = Pattern.compile("api_key: +(\\S+)").matcher(out.toString());
        assertThat(key.find()).isTrue();
        apiKey = key.group(1);
        domains("add", "shop.test", "--account", "shop", "--selector", "s1");
        domains("add", "both.test", "--account", "shop", "--selector", "b1", "--algorithm", "both");
        domains("add", "rotated.test", "--account", "shop", "--selector", "r1");

        mx = TestSmtpServer.on("127.0.0.2").start();
        mxDns = Dnsmasq.builder().localZone("test").mx("ifaxin.test", "mx1.ifaxin.test", 10)
                .host("mx1.ifaxin.test", "127.0.0.2").start();
        final Map<String, String> values = new HashMap<>();
        values.put("bootstrap.servers", KAFKA.bootstrapServers());
        values.put("topic.replication.factor", "1");
        values.put("topic.partitions", "2");
        values.put("smtp.port", "0");
        values.put("smtp.host", "127.0.0.1");
        values.put("api.user", "shop");
        values.put("api.key", apiKey);
        values.put("dns", mxDns.address());
        values.put("mx.port", String.valueOf(mx.port()));
        values.put("http.port", "-1");
        values.put("keys.secret", SECRET);
        MailpipeUp.embeddedDefaults(values, tmp);
        final MeterRegistry registry = Runner.registry();
        ingest = IngestSmtpApp.start(new IngestSmtpConfig(values), registry);
        APPS.add(ingest);
        APPS.add(ExpanderApp.start(new ExpanderConfig(values), registry));
        APPS.add(MxDelivererApp.start(new MxDelivererConfig(values), registry));
        for (final String script : List.of("dkimpy-verify-dns.py", "opendkim-verify.sh", "smtplib-send.py")) {
            try (InputStream in = DkimEndToEndIT.class.getResourceAsStream(script)) {
                Files.write(tmp.resolve(script), in.readAllBytes());
            }
        }
    }

    @AfterAll
    static void stopMailpipe() {
        for (int i = APPS.size() - 1; i >= 0; i--) {
            APPS.get(i).close();
        }
        if (mxDns != null) {
            mxDns.close();
        }
        if (mx != null) {
            mx.close();
        }
    }

    @Test
    void shouldSignPlainText() throws Exception {
        final List<Path> delivered = send("news@shop.test", List.of("ben@ifaxin.test"), headers("News <news@shop.test>",
                "ben@ifaxin.test", "Plain text") + "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
                + "Hello Ben,\r\n\r\nthis   is  plain   text.   \r\n\r\n\r\n");

        assertThat(verify(delivered)).singleElement().asString().contains("pass d=shop.test s=s1 a=rsa-sha256")
                .contains("h=" + ALL_SIGNED + ":from");
        // the judges are not lenient: one changed byte of the body fails both
        final Path tampered = tmp.resolve("tampered.eml");
        Files.writeString(tampered, Files.readString(delivered.get(0)).replace("plain   text", "plain   test"));
        final Result[] judged = verifiers(List.of(tampered));
        assertThat(judged[0].code()).as(judged[0].output()).isNotZero();
        assertThat(judged[0].output()).contains("fail d=shop.test");
        assertThat(judged[1].code()).as(judged[1].output()).isNotZero();
        assertThat(judged[1].output()).contains("tampered.eml fail");
    }

    @Test
    void shouldSign8BitUtf8TextAndHeaders() throws Exception {
        final List<Path> delivered = send("news@shop.test", List.of("jürgen@ifaxin.test".replace("ü", "u")),
                headers("Jürgen's Shop <news@shop.test>", "jurgen@ifaxin.test", "Grüße aus Köln — 你好")
                        + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                        + "Schöne Grüße, 你好, ¡hola!\r\n");

        assertThat(verify(delivered)).singleElement().asString().contains("pass d=shop.test s=s1")
                .contains(":content-transfer-encoding:from");
    }

    @Test
    void shouldSignEachXSmtpApiPersonalisedEmailFromASubdomain() throws Exception {
        final String api = Base64.getEncoder().encodeToString(("{\"to\":[\"ann@ifaxin.test\",\"bob@ifaxin.test\"],"
                + "\"sub\":{\"%name%\":[\"Ann\",\"Bob\"]}}").getBytes(StandardCharsets.UTF_8));
        final List<Path> delivered = send("news@mail.shop.test", List.of("ann@ifaxin.test", "bob@ifaxin.test"),
                headers("Shop <news@mail.shop.test>", "list@ifaxin.test", "Hello %name%")
                        + "Content-Type: text/plain; charset=utf-8\r\nX-SMTPAPI: " + api + "\r\n\r\nDear %name%,\r\nhi.\r\n");

        assertThat(delivered).hasSize(2);
        assertThat(Files.readString(delivered.get(0)) + Files.readString(delivered.get(1)))
                .contains("Dear Ann,").contains("Dear Bob,").doesNotContain("X-SMTPAPI");
        assertThat(verify(delivered)).hasSize(2).allSatisfy(l -> assertThat(l).contains("pass d=shop.test s=s1"));
    }

    @Test
    void shouldCoverListUnsubscribeHeadersOfAClickTrackedHtmlEmail() throws Exception {
        final List<Path> delivered = send("news@shop.test", List.of("ben@ifaxin.test"),
                headers("Shop <news@shop.test>", "ben@ifaxin.test", "Offers")
                        + "Reply-To: help@shop.test\r\n"
                        + "List-Unsubscribe: <https://t.shop.test/u/abc123>,\r\n <mailto:unsub@shop.test?subject=abc123>\r\n"
                        + "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
                        + "Content-Type: text/html; charset=utf-8\r\n\r\n"
                        + "<html><body><p>See <a href=\"https://shop.test/offers?id=1&amp;x=2\">our offers</a>.</p>"
                        + "</body></html>\r\n");

        assertThat(verify(delivered)).singleElement().asString().contains("pass d=shop.test")
                .contains("h=from:to:reply-to:subject:date:message-id:mime-version:content-type:list-unsubscribe:"
                        + "list-unsubscribe-post:from");
    }

    @Test
    void shouldSignAMessageWithAttachments() throws Exception {
        final byte[] binary = new byte[3000];
        new java.util.Random(7).nextBytes(binary);
        final String b64 = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(binary);
        final List<Path> delivered = send("news@shop.test", List.of("ben@ifaxin.test"),
                headers("Shop <news@shop.test>", "ben@ifaxin.test", "Your invoice")
                        + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                        + "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nInvoice attached.\r\n"
                        + "--b1\r\nContent-Type: application/pdf; name=\"invoice.pdf\"\r\n"
                        + "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"invoice.pdf\"\r\n\r\n"
                        + b64 + "\r\n--b1--\r\n");

        assertThat(Files.readString(delivered.get(0))).contains(b64.substring(0, 200));
        assertThat(verify(delivered)).singleElement().asString().contains("pass d=shop.test");
    }

    @Test
    void shouldSignWithBothAlgorithms() throws Exception {
        final List<Path> delivered = send("news@both.test", List.of("ben@ifaxin.test"),
                headers("Both <news@both.test>", "ben@ifaxin.test", "Two signatures")
                        + "Content-Type: text/plain\r\n\r\nhello\r\n");

        final List<String> lines = verify(delivered);
        assertThat(lines.stream().filter(l -> l.contains("dkimpy"))).hasSize(2)
                .anySatisfy(l -> assertThat(l).contains("pass d=both.test s=b1-rsa a=rsa-sha256"))
                .anySatisfy(l -> assertThat(l).contains("pass d=both.test s=b1-ed25519 a=ed25519-sha256"));
    }

    @Test
    void shouldSignWithTheNewSelectorAfterARotation() throws Exception {
        final String message = headers("R <news@rotated.test>", "ben@ifaxin.test", "Rotation") + "\r\nbody\r\n";
        final List<Path> before = send("news@rotated.test", List.of("ben@ifaxin.test"), message);
        domains("rotate", "rotated.test", "--selector", "r2");
        // the deliverers follow mail.domains: the next email is signed with the new key
        final List<Path> after = send("news@rotated.test", List.of("ben@ifaxin.test"), message);

        assertThat(verify(before)).singleElement().asString().contains("pass d=rotated.test s=r1");
        assertThat(verify(after)).singleElement().asString().contains("pass d=rotated.test s=r2");
    }

    @Test
    void shouldNotSignMailFromADomainWithoutKeys() throws Exception {
        final List<Path> delivered = send("news@elsewhere.test", List.of("ben@ifaxin.test"),
                headers("<news@elsewhere.test>", "ben@ifaxin.test", "Unsigned") + "\r\nbody\r\n");

        assertThat(Files.readString(delivered.get(0))).doesNotContain("DKIM-Signature");
    }

    private static String headers(final String from, final String to, final String subject) {
        return "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\n"
                + "Date: Wed, 02 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n";
    }

    /** Submits {@code message} with smtplib; returns the delivered messages (one file each), in recipient order. */
    private static List<Path> send(final String mailFrom, final List<String> recipients, final String message)
            throws IOException, InterruptedException {
        final String marker = "X-Test-Case: " + (++sequence);
        final Path file = tmp.resolve("submitted-" + sequence + ".eml");
        Files.write(file, (marker + "\r\n" + message).getBytes(StandardCharsets.UTF_8));
        final Process p = new ProcessBuilder("/usr/bin/python3", tmp.resolve("smtplib-send.py").toString(),
                String.valueOf(ingest.smtpPort()), "shop", apiKey, mailFrom, String.join(",", recipients), file.toString())
                .redirectErrorStream(true).start();
        final String reply = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(reply).as("smtplib").startsWith("250");
        final int expected = message.contains("X-SMTPAPI") ? 2 : recipients.size();
        final List<TestSmtpServer.Received> got = new ArrayList<>();
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            got.clear();
            mx.received().stream().filter(r -> r.text().contains(marker + "\r\n")).forEach(got::add);
            assertThat(got).hasSize(expected);
        });
        final List<Path> out = new ArrayList<>();
        for (final String rcpt : recipients) {
            for (final TestSmtpServer.Received r : got) {
                if (r.recipients().contains(rcpt)) {
                    final Path delivered = tmp.resolve("delivered-" + sequence + "-" + rcpt + ".eml");
                    Files.write(delivered, r.data());
                    out.add(delivered);
                }
            }
        }
        return out;
    }

    /**
     * dkimpy and OpenDKIM on each file, DNS from dnsmasq serving every listed key; returns dkimpy's
     * lines (one per signature) after asserting both verifiers pass every message.
     */
    private static List<String> verify(final List<Path> messages) throws Exception {
        final Result[] results = verifiers(messages);
        assertThat(results[0].code()).as("dkimpy: %s", results[0].output()).isZero();
        assertThat(results[1].code()).as("opendkim-testmsg: %s", results[1].output()).isZero();
        assertThat(results[1].output().lines().filter(l -> l.endsWith(" pass"))).hasSize(messages.size());
        return results[0].output().lines().filter(l -> !l.startsWith("error:")).map(l -> "dkimpy " + l).toList();
    }

    /** {dkimpy, opendkim-testmsg} run over {@code messages}. */
    private static Result[] verifiers(final List<Path> messages) throws Exception {
        final Map<String, String> records = new LinkedHashMap<>();
        for (final String domain : List.of("shop.test", "both.test", "rotated.test")) {
            final String zone = DomainsCliIT.domains(cliEnv(), "records", domain).out();
            for (final String line : zone.lines().filter(l -> l.contains("._domainkey.")).toList()) {
                final Matcher m = Pattern.compile("\"([^\"]*)\"").matcher(line);
                final StringBuilder value = new StringBuilder();
                while (m.find()) {
                    value.append(m.group(1));
                }
                records.put(line.substring(0, line.indexOf(". IN TXT")), value.toString());
            }
        }
        final Result dkimpy;
        final Dnsmasq.Builder builder = Dnsmasq.builder().localZone("test");
        records.forEach(builder::txt);
        try (Dnsmasq dns = builder.start()) {
            final List<String> command = new ArrayList<>(List.of("/usr/bin/python3",
                    tmp.resolve("dkimpy-verify-dns.py").toString(), dns.address()));
            messages.forEach(m -> command.add(m.toString()));
            dkimpy = run(command);
        }
        final Path recordsFile = tmp.resolve("records-" + sequence + ".tsv");
        final StringBuilder tsv = new StringBuilder();
        records.forEach((name, value) -> tsv.append(name).append('\t').append(value).append('\n'));
        Files.writeString(recordsFile, tsv);
        final List<String> command = new ArrayList<>(List.of("unshare", "-nm", "bash",
                tmp.resolve("opendkim-verify.sh").toString(), recordsFile.toString(), "test"));
        messages.forEach(m -> command.add(m.toString()));
        return new Result[] {dkimpy, run(command)};
    }

    private record Result(int code, String output) {
    }

    private static Result run(final List<String> command) throws IOException, InterruptedException {
        final ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PATH", System.getenv("PATH") + ":/usr/sbin:/sbin");
        final Process p = pb.start();
        final String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), output);
    }
}
