package dev.mailpipe.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailpipe.core.smtpapi.XSmtpApiHeader;
import dev.mailpipe.platform.TopicProvisioner;
import dev.mailpipe.platform.accounts.AccountStore;
import dev.mailpipe.schemas.RawMessage;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import dev.mailpipe.testsupport.TopicCollector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code POST /apiv2/mail/send} against a real in-JVM Kafka with real clients: curl and Python
 * requests written as SendCloud's own examples are; the RawMessage on {@code mail.raw} checked.
 */
class ApiSendIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "k3yOfTheShop0123456789abcdefABCD";
    private static WebApp web;
    private static String url;

    @BeforeAll
    static void start() {
        TopicProvisioner.ensure(KAFKA.bootstrapServers(), 1, List.of(AccountStore.topicSpec()));
        try (AccountStore accounts = AccountStore.start(KAFKA.bootstrapServers(), "test-accounts")) {
            accounts.ensure("shop", KEY);
        }
        web = WebApp.start(new WebConfig(Map.of(
                "bootstrap.servers", KAFKA.bootstrapServers(),
                "topic.replication.factor", "1",
                "topic.partitions", "2",
                "web.host", "127.0.0.1",
                "web.port", "0",
                "sender.domains", "any",
                "smtp.max.message.bytes", "10485760",
                "tracking.secret", TestTokens.newSecret("k1"))), new SimpleMeterRegistry());
        url = "http://127.0.0.1:" + web.port() + "/apiv2/mail/send";
    }

    @AfterAll
    static void stop() {
        if (web != null) {
            web.close();
        }
    }

    @Test
    void curlAndPythonRequestsSendAndTheRawMessageIsOnMailRaw() throws Exception {
        try (TopicCollector<String, RawMessage> raw = KAFKA.cluster().collector(Topics.RAW.name(),
                Topics.RAW.keySerde().deserializer(), Topics.RAW.valueSerde().deserializer())) {
            // curl, form fields as in SendCloud's examples
            final JsonNode sent = JSON.readTree(run("curl", "-sS", url,
                    "--data-urlencode", "apiUser=shop", "--data-urlencode", "apiKey=" + KEY,
                    "--data-urlencode", "from=sender@shop.example", "--data-urlencode", "fromName=The Shop",
                    "--data-urlencode", "to=a@x.example;b@x.example", "--data-urlencode", "bcc=hidden@x.example",
                    "--data-urlencode", "subject=你好", "--data-urlencode", "html=<p>hello</p>",
                    "--data-urlencode", "labelId=12"));
            assertThat(sent.get("result").asBoolean()).isTrue();
            assertThat(sent.get("statusCode").asInt()).isEqualTo(200);
            assertThat(sent.get("message").asText()).isEqualTo("请求成功");
            final List<String> ids = new ArrayList<>();
            sent.get("info").get("emailIdList").forEach(n -> ids.add(n.asText()));
            assertThat(ids).hasSize(3);
            assertThat(ids.get(0)).endsWith("0$a@x.example");
            assertThat(ids.get(2)).endsWith("2$hidden@x.example");
            final String messageId = ids.get(0).substring(0, ids.get(0).length() - "0$a@x.example".length());

            // Python requests, as SendCloud's doc example: requests.post(url, files={}, data=params)
            final String script = String.join("\n",
                    "import requests, sys, json",
                    "params = {'apiUser': 'shop', 'apiKey': sys.argv[2], 'from': 'Shop <sender@shop.example>',",
                    "  'to': 'ignored@x.example', 'subject': 'hi %name%', 'plain': 'dear %name%',",
                    "  'xsmtpapi': json.dumps({'to': ['p@x.example', 'q@x.example'], 'sub': {'%name%': ['P', 'Q']}})}",
                    "r = requests.post(sys.argv[1], data=params, timeout=20)",
                    "print(r.status_code, r.json()['info'].get('emailIdList', [r.text, r.text])[1])",
                    "bad = requests.post(sys.argv[1], data=dict(params, apiKey='guess-Zq81'), timeout=20)",
                    "print(bad.status_code, bad.json()['result'], bad.json()['statusCode'], 'guess-Zq81' in bad.text)",
                    "nobody = requests.post(sys.argv[1], data=dict(params, xsmtpapi='{\"to\": 5}'), timeout=20)",
                    "print(nobody.status_code, nobody.json()['statusCode'], nobody.json()['info'])",
                    "files = {'attachments': ('报告 1.pdf', b'%PDF-1.4 binary\\x00\\xff', 'application/pdf')}",
                    "withfile = dict(params, to='f@x.example', labelId='9', respEmailId='false')",
                    "del withfile['xsmtpapi']",
                    "m = requests.post(sys.argv[1], files=files, data=withfile, timeout=20)",
                    "print(m.status_code, m.json()['result'], m.json()['info'])");
            final List<String> lines = run("/usr/bin/python3", "-c", script, url, KEY).lines().toList();
            assertThat(lines.get(0)).startsWith("200 ").endsWith("1$q@x.example");
            assertThat(lines.get(1)).isEqualTo("401 False 401 False");
            assertThat(lines.get(2)).isEqualTo("400 400 {}");
            assertThat(lines.get(3)).isEqualTo("200 True {}");

            final List<ConsumerRecord<String, RawMessage>> records = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                records.addAll(raw.poll());
                return records.size() >= 3;
            });
            assertThat(records).hasSize(3);
            final RawMessage first = records.stream().filter(r -> r.key().equals(messageId)).findFirst()
                    .orElseThrow().value();
            assertThat(first.getApiUser()).isEqualTo("shop");
            assertThat(first.getLabel()).isEqualTo("12");
            assertThat(first.getMailFrom()).isEqualTo("sender@shop.example");
            assertThat(first.getRecipients()).containsExactly("a@x.example", "b@x.example", "hidden@x.example");
            final String content = text(first.getContent());
            assertThat(content).contains("From: The Shop <sender@shop.example>").contains("To: a@x.example, b@x.example")
                    .doesNotContain("hidden@x.example").contains("text/html");
            final RawMessage second = records.stream().filter(r -> !r.key().equals(messageId))
                    .filter(r -> r.value().getLabel() == null).findFirst().orElseThrow().value();
            final RawMessage withFile = records.stream().filter(r -> "9".equals(r.value().getLabel())).findFirst()
                    .orElseThrow().value();
            assertThat(withFile.getRecipients()).containsExactly("f@x.example");
            // Python's email parser reads the attachment back byte for byte, with its UTF-8 name
            final java.nio.file.Path eml = java.nio.file.Files.createTempFile("api", ".eml");
            java.nio.file.Files.write(eml, bytes(withFile.getContent()));
            assertThat(run("/usr/bin/python3", "-c", String.join("\n",
                    "import email, email.policy, sys",
                    "m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)",
                    "a = next(m.iter_attachments())",
                    "print(m.get_content_type(), a.get_content_type(), a.get_filename(), a.get_content() == b'%PDF-1.4 binary\\x00\\xff', len(m.defects))"),
                    eml.toString())).isEqualTo("multipart/mixed application/pdf 报告 1.pdf True 0");
            assertThat(second.getRecipients()).containsExactly("p@x.example", "q@x.example");
            assertThat(second.getLabel()).isNull();
            assertThat(XSmtpApiHeader.read(bytes(second.getContent()), 2, false).sub())
                    .containsEntry("%name%", List.of("P", "Q"));
            assertThat(text(second.getContent())).doesNotContain("ignored@x.example");
        }
    }

    @Test
    void aRequestOverTheSizeLimitIs413() throws Exception {
        final String script = String.join("\n",
                "import requests, sys",
                "r = requests.post(sys.argv[1], data={'apiUser': 'shop', 'apiKey': sys.argv[2], 'html': 'x' * (11 * 1024 * 1024)}, timeout=30)",
                "print(r.status_code, sys.argv[2] in r.text)");
        assertThat(run("/usr/bin/python3", "-c", script, url, KEY)).isEqualTo("413 False");
    }

    private static byte[] bytes(final ByteBuffer b) {
        final ByteBuffer d = b.duplicate();
        final byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    private static String text(final ByteBuffer b) {
        return new String(bytes(b), StandardCharsets.UTF_8);
    }

    private static String run(final String... command) throws Exception {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", command), out).isZero();
        return out.strip();
    }
}
