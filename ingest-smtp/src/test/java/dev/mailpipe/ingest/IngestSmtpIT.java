package dev.mailpipe.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.core.smtp.ReplyParser;
import dev.mailpipe.core.smtp.SmtpReply;
import dev.mailpipe.ingest.accounts.AccountsCli;
import dev.mailpipe.schemas.RawMessage;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.schemas.TrackingFilters;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The running server against the in-JVM Kafka broker, driven by real SMTP clients. */
class IngestSmtpIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final Pattern QUEUED = Pattern.compile("#(\\d+_\\d+_\\d+_\\d+\\.it-1-inbound)#Queued");
    private static final SimpleMeterRegistry REGISTRY = new SimpleMeterRegistry();
    private static IngestSmtpApp app;

    @BeforeAll
    static void startApp() {
        app = IngestSmtpApp.start(new IngestSmtpConfig(anySender(Map.of(
                "bootstrap.servers", KAFKA.bootstrapServers(),
                "smtp.host", "127.0.0.1",
                "smtp.port", "0",
                "smtp.tls.port", "0",
                "hostname", "ingest.test",
                "http.port", "-1",
                "topic.partitions", "2",
                "api.user", "api_user",
                "api.key", "s3cret-key",
                "instance.id", "it-1"))), REGISTRY);
    }

    @AfterAll
    static void stopApp() {
        if (app != null) {
            app.close();
        }
    }

    /** The seeds' Python client: AUTH LOGIN with the initial response, user#label, one message. */
    private static final String PYTHON_SEND = """
            import smtplib, sys
            from email.mime.text import MIMEText
            host, port, mode, user, key, subject = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
            if mode == 'ssl':
                import ssl
                ctx = ssl._create_unverified_context()
                s = smtplib.SMTP_SSL(host, port, context=ctx)
            else:
                s = smtplib.SMTP(host, port)
            s.ehlo('ifaxin.com')
            if mode == 'starttls':
                import ssl
                s.starttls(context=ssl._create_unverified_context())
                s.ehlo('ifaxin.com')
            if mode == 'plain-login':
                s.login(user, key)
            else:
                s.user, s.password = user, key
                s.auth('LOGIN', s.auth_login, initial_response_ok=True)
            msg = MIMEText('亲爱的Ben: 您好!', 'plain', 'utf-8')
            msg['From'] = 'support@ifaxin.com'
            msg['To'] = 'ben@ifaxin.com'
            msg['Subject'] = subject
            s.mail('support@ifaxin.com')
            s.rcpt('ben@ifaxin.com')
            s.rcpt('joe@ifaxin.com')
            code, resp = s.data(msg.as_string())
            print(code, resp.decode())
            s.quit()
            """;

    private static String sendWithPython(final int port, final String mode, final String user, final String subject) {
        return sendWithPython(port, mode, user, "s3cret-key", subject);
    }

    private static String sendWithPython(final int port, final String mode, final String user, final String key,
            final String subject) {
        final Processes.Result r = Processes.python(PYTHON_SEND, "127.0.0.1", String.valueOf(port), mode, user,
                key, subject);
        assertThat(r.exitCode()).as(r.output()).isZero();
        final Matcher m = QUEUED.matcher(r.output());
        assertThat(m.find()).as(r.output()).isTrue();
        assertThat(r.output()).startsWith("250 ");
        return m.group(1);
    }

    /** Reads mail.raw from the beginning until the record with this key arrives. */
    private static RawMessage awaitRaw(final String messageId) {
        final List<RawMessage> found = new ArrayList<>();
        try (org.apache.kafka.clients.consumer.KafkaConsumer<String, RawMessage> consumer =
                     new org.apache.kafka.clients.consumer.KafkaConsumer<>(KAFKA.cluster().consumerProperties(),
                             new StringDeserializer(), Topics.RAW.valueSerde().deserializer())) {
            consumer.subscribe(List.of(Topics.RAW.name()));
            org.awaitility.Awaitility.await("record " + messageId + " in mail.raw").atMost(Duration.ofSeconds(30))
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ZERO).until(() -> {
                        for (final ConsumerRecord<String, RawMessage> r : consumer.poll(Duration.ofMillis(200))) {
                            if (r.key().equals(messageId)) {
                                found.add(r.value());
                            }
                        }
                        return !found.isEmpty();
                    });
        }
        return found.get(0);
    }

    @Test
    void shouldQueueMessageFromPythonWithLabel() {
        assertThat(app.isReady()).isTrue();
        final String messageId = sendWithPython(app.smtpPort(), "login", "api_user#label_42", "seed");
        final RawMessage raw = awaitRaw(messageId);
        assertThat(raw.getApiUser()).isEqualTo("api_user");
        assertThat(raw.getLabel()).isEqualTo("label_42");
        assertThat(raw.getMailFrom()).isEqualTo("support@ifaxin.com");
        assertThat(raw.getRecipients()).containsExactly("ben@ifaxin.com", "joe@ifaxin.com");
        assertThat(raw.getClientHelo()).isEqualTo("ifaxin.com");
        final String content = StandardCharsets.UTF_8.decode(raw.getContent()).toString();
        assertThat(content).startsWith("Received: from ifaxin.com ([127.0.0.1])").contains("id " + messageId + ";")
                .contains("Subject: seed");
        assertThat(REGISTRY.get("mailpipe.ingest.accepted").counter().count()).isGreaterThanOrEqualTo(1);
        assertThat(raw.getAccountFilters()).isEqualTo(new TrackingFilters(false, false, false));
    }

    @Test
    void shouldCarryTheAccountsDefaultFiltersOnTheRawRecord() {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = AccountsCli.run(new String[] {"add", "tracked", "--open-tracking"},
                Map.of("KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers()), new PrintWriter(out), new PrintWriter(err));
        assertThat(code).as(err.toString()).isZero();
        final Matcher key = Pattern.compile("api_key:\\s+(\\S+)").matcher(out.toString());
        assertThat(key.find()).as(out.toString()).isTrue();
        // the app's account replica follows mail.accounts: AUTH succeeds once the new record arrived
        final AtomicReference<String> messageId = new AtomicReference<>();
        Awaitility.await("AUTH as the new account").atMost(Duration.ofSeconds(20))
                .pollDelay(Duration.ofMillis(600)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                messageId.set(sendWithPython(app.smtpPort(), "login", "tracked", key.group(1), "tracked")));

        final RawMessage raw = awaitRaw(messageId.get());
        assertThat(raw.getApiUser()).isEqualTo("tracked");
        assertThat(raw.getAccountFilters()).isEqualTo(new TrackingFilters(false, true, false));
    }

    @Test
    void shouldQueueOverStartTlsWithPlainLogin() {
        final String messageId = sendWithPython(app.smtpPort(), "starttls", "api_user#tls", "starttls");
        final RawMessage raw = awaitRaw(messageId);
        assertThat(raw.getLabel()).isEqualTo("tls");
        assertThat(raw.getTlsCipher()).isNotBlank();
        assertThat(StandardCharsets.UTF_8.decode(raw.getContent()).toString()).contains("with ESMTPSA id");
    }

    @Test
    void shouldQueueOverImplicitTls() {
        final String messageId = sendWithPython(app.tlsPort(), "ssl", "api_user", "smtps");
        final RawMessage raw = awaitRaw(messageId);
        assertThat(raw.getLabel()).isNull();
        assertThat(raw.getTlsCipher()).isNotBlank();
    }

    @Test
    void shouldRejectWrongKeyFromPython() {
        final Processes.Result r = Processes.python("""
                import smtplib, sys
                s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))
                try:
                    s.login('api_user', 'wrong')
                except smtplib.SMTPAuthenticationError as e:
                    print('refused', e.smtp_code)
                """, String.valueOf(app.smtpPort()));
        assertThat(r.output()).contains("refused 535");
    }

    @Test
    void shouldAnswerPipelinedCommandsInOrder() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", app.smtpPort())) {
            socket.setSoTimeout(20_000);
            final BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            final OutputStream out = socket.getOutputStream();
            assertThat(in.readLine()).startsWith("220 ");
            final String auth = java.util.Base64.getEncoder().encodeToString("\0api_user#pipe\0s3cret-key".getBytes(StandardCharsets.UTF_8));
            out.write(("EHLO pipe.test\r\nAUTH PLAIN " + auth + "\r\nMAIL FROM:<a@pipe.test>\r\nRCPT TO:<b@pipe.test>\r\n"
                    + "RCPT TO:<bad address>\r\nRCPT TO:<c@pipe.test>\r\nDATA\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final List<String> replies = new ArrayList<>();
            final ReplyParser parser = new ReplyParser();
            SmtpReply reply;
            do {
                reply = null;
                while (reply == null) {
                    reply = parser.line(in.readLine());
                }
                if (reply.code() != SmtpReply.START_MAIL_INPUT) {
                    replies.add(reply.code() + " " + reply.lines().getLast());
                }
            } while (reply.code() != SmtpReply.START_MAIL_INPUT);
            assertThat(replies).containsExactly("250 AUTH LOGIN PLAIN", "235 Authentication successful",
                    "250 sender <a@pipe.test> OK", "250 recipient <b@pipe.test> OK", "501 5.1.3 Bad address syntax",
                    "250 recipient <c@pipe.test> OK");
            out.write("Subject: pipelined\r\n\r\nbody\r\n.\r\nNOOP\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final String queued = in.readLine();
            assertThat(queued).matches("250 #.*#Queued");
            assertThat(in.readLine()).isEqualTo("250 2.0.0 OK");
            assertThat(in.readLine()).startsWith("221 ");
            final Matcher m = QUEUED.matcher(queued);
            assertThat(m.find()).isTrue();
            assertThat(awaitRaw(m.group(1)).getRecipients()).containsExactly("b@pipe.test", "c@pipe.test");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"--auth LOGIN", "--auth PLAIN", "--auth PLAIN --tls", "--auth LOGIN --tls --pipeline",
        "--auth PLAIN --pipeline"})
    void shouldQueueFromSwaks(final String options) {
        final List<String> command = new ArrayList<>(List.of("swaks", "--server", "127.0.0.1", "--port",
                String.valueOf(app.smtpPort()), "--ehlo", "swaks.test", "--from", "support@ifaxin.com", "--to",
                "ben@ifaxin.com", "--auth-user", "api_user#swaks", "--auth-password", "s3cret-key",
                "--header", "Subject: swaks " + options, "--timeout", "20"));
        command.addAll(List.of(options.split(" ")));
        final Processes.Result r = Processes.run(command, null);
        assertThat(r.exitCode()).as(r.output()).isZero();
        if (options.contains("--tls")) {
            assertThat(r.output()).contains("STARTTLS").contains("TLS started");
        }
        if (options.contains("--pipeline")) {
            // MAIL, RCPT and DATA went out in one batch; the three replies came back in order
            assertThat(r.output()).containsPattern("[-~]> MAIL FROM:<support@ifaxin.com>\\s+[-~]> RCPT TO:<ben@ifaxin.com>\\s+"
                    + "[-~]> DATA\\s+<[-~]  250 sender <support@ifaxin.com> OK\\s+<[-~]  250 recipient <ben@ifaxin.com> OK\\s+"
                    + "<[-~]  354 ");
        }
        final Matcher m = QUEUED.matcher(r.output());
        assertThat(m.find()).as(r.output()).isTrue();
        final RawMessage raw = awaitRaw(m.group(1));
        assertThat(raw.getLabel()).isEqualTo("swaks");
        assertThat(StandardCharsets.UTF_8.decode(raw.getContent()).toString()).contains("Subject: swaks " + options);
    }

    @Test
    void shouldRefuseTls11AndAcceptTls12WithOpenssl() {
        final List<String> base = List.of("openssl", "s_client", "-connect", "127.0.0.1:" + app.smtpPort(),
                "-starttls", "smtp", "-brief");
        // SECLEVEL=0 lets the client offer TLS 1.1, so the refusal is the server's.
        final List<String> old = new ArrayList<>(base);
        old.addAll(List.of("-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"));
        final Processes.Result refused = Processes.run(old, "");
        assertThat(refused.exitCode()).as(refused.output()).isNotZero();
        assertThat(refused.output()).contains("alert protocol version").doesNotContain("Protocol version: TLSv1.1");
        final List<String> modern = new ArrayList<>(base);
        modern.add("-tls1_2");
        final Processes.Result ok = Processes.run(modern, "QUIT\r\n");
        assertThat(ok.output()).contains("Protocol version: TLSv1.2");
        final Processes.Result implicit = Processes.run(List.of("openssl", "s_client", "-connect",
                "127.0.0.1:" + app.tlsPort(), "-brief", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"), "");
        assertThat(implicit.exitCode()).as(implicit.output()).isNotZero();
        assertThat(implicit.output()).contains("alert protocol version");
    }

    @Test
    void shouldQueueALargeEightBitMessageByteExact() throws Exception {
        final StringBuilder body = new StringBuilder();
        final java.util.Random random = new java.util.Random(7);
        while (body.length() < 14_000_000) {
            final byte[] chunk = new byte[57];
            random.nextBytes(chunk);
            body.append(java.util.Base64.getEncoder().encodeToString(chunk)).append(" 亲爱的Joe\r\n");
        }
        final byte[] message = ("Subject: big\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + body).getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", app.smtpPort())) {
            socket.setSoTimeout(60_000);
            final BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            final OutputStream out = new java.io.BufferedOutputStream(socket.getOutputStream());
            in.readLine();
            final String auth = java.util.Base64.getEncoder().encodeToString("\0api_user\0s3cret-key".getBytes(StandardCharsets.UTF_8));
            out.write(("EHLO big.test\r\nAUTH PLAIN " + auth + "\r\nMAIL FROM:<a@big.test> SIZE=" + message.length
                    + " BODY=8BITMIME\r\nRCPT TO:<b@big.test>\r\nDATA\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String line;
            while (!(line = in.readLine()).startsWith("354")) {
                assertThat(line).startsWith("2");
            }
            out.write(message);
            out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final Matcher m = QUEUED.matcher(in.readLine());
            assertThat(m.find()).isTrue();
            final java.nio.ByteBuffer content = awaitRaw(m.group(1)).getContent();
            final byte[] stored = new byte[content.remaining()];
            content.get(stored);
            assertThat(stored.length).isGreaterThan(message.length);
            assertThat(java.util.Arrays.copyOfRange(stored, stored.length - message.length, stored.length)).isEqualTo(message);
        }
    }

    /** Sends {@code count} messages over one authenticated session; returns each transaction's final reply. */
    private static List<String> submitOverSocket(final int port, final String login, final String key, final int count)
            throws Exception {
        final List<String> outcomes = new ArrayList<>();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            final BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            final OutputStream out = socket.getOutputStream();
            in.readLine();
            final String auth = java.util.Base64.getEncoder().encodeToString(("\0" + login + "\0" + key).getBytes(StandardCharsets.UTF_8));
            out.write(("HELO r.test\r\nAUTH PLAIN " + auth + "\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readLine()).startsWith("250 ");
            assertThat(in.readLine()).startsWith("235 ");
            for (int i = 0; i < count; i++) {
                out.write("MAIL FROM:<a@r.test>\r\n".getBytes(StandardCharsets.US_ASCII));
                final String mail = in.readLine();
                if (!mail.startsWith("250 ")) {
                    outcomes.add(mail);
                    continue;
                }
                out.write("RCPT TO:<b@r.test>\r\nDATA\r\nSubject: r\r\n\r\nx\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
                in.readLine();
                in.readLine();
                outcomes.add(in.readLine());
            }
        }
        return outcomes;
    }

    @Test
    void shouldHoldTheRateLimitAcrossTwoReplicas() throws Exception {
        final java.time.Clock minute = java.time.Clock.fixed(java.time.Instant.now(), java.time.ZoneOffset.UTC);
        final java.util.function.Function<String, IngestSmtpConfig> replica = name -> new IngestSmtpConfig(anySender(Map.of(
                "bootstrap.servers", KAFKA.bootstrapServers(), "smtp.host", "127.0.0.1", "smtp.port", "0",
                "http.port", "-1", "api.user", "limited", "api.key", "limited-key", "instance.id", name,
                "rate.limit.per.minute", "5", "rate.limit.sync.ms", "100", "smtp.tls.enabled", "false")));
        try (IngestSmtpApp a = IngestSmtpApp.start(replica.apply("replica-a"), new SimpleMeterRegistry(), minute);
             IngestSmtpApp b = IngestSmtpApp.start(replica.apply("replica-b"), new SimpleMeterRegistry(), minute)) {
            assertThat(submitOverSocket(a.smtpPort(), "limited", "limited-key", 3)).allMatch(r -> r.endsWith("#Queued"));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15))
                    .until(() -> b.rateLimiter().remoteCount("limited") == 3);
            assertThat(submitOverSocket(b.smtpPort(), "limited#x", "limited-key", 3))
                    .satisfiesExactly(r -> assertThat(r).endsWith("#Queued"), r -> assertThat(r).endsWith("#Queued"),
                            r -> assertThat(r).isEqualTo("536 Frequency limited"));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15))
                    .until(() -> a.rateLimiter().remoteCount("limited") == 2);
            assertThat(submitOverSocket(a.smtpPort(), "limited", "limited-key", 1)).containsExactly("536 Frequency limited");
        }
    }

    /** The seed's X-SMTPAPI example as Python builds it: Header() folds the long base64 value. */
    private static final String PYTHON_XSMTPAPI = """
            import smtplib, sys, json, base64
            from email.mime.text import MIMEText
            from email.header import Header
            port, mode = int(sys.argv[1]), sys.argv[2]
            to = ['user%d@ifaxin.com' % i for i in range(40)]
            x_smtpapi = {'to': to, 'sub': {'%name%': ['N%d' % i for i in range(40)]},
                         'section': {'golden': 'some words written to golden user'}}
            msg = MIMEText('亲爱的%name%', 'plain', 'utf-8')
            msg['From'] = 'support@ifaxin.com'
            msg['Subject'] = 'xsmtpapi'
            msg['SC-Custom-test_key1'] = 'value1'
            if mode == 'good':
                msg['X-SMTPAPI'] = Header(base64.b64encode(json.dumps(x_smtpapi).encode()).decode())
            else:
                msg['X-SMTPAPI'] = Header(base64.b64encode(json.dumps({'to': 'not-a-list'}).encode()).decode())
            s = smtplib.SMTP('127.0.0.1', port)
            s.login('api_user', 's3cret-key')
            s.mail('support@ifaxin.com')
            s.rcpt('ben@ifaxin.com')
            code, resp = s.data(msg.as_string())
            print(code, resp.decode())
            s.quit()
            """;

    @Test
    void shouldValidateXSmtpApiFromPythonBeforeQueueing() {
        final Processes.Result good = Processes.python(PYTHON_XSMTPAPI, String.valueOf(app.smtpPort()), "good");
        final Matcher m = QUEUED.matcher(good.output());
        assertThat(m.find()).as(good.output()).isTrue();
        final String content = StandardCharsets.UTF_8.decode(awaitRaw(m.group(1)).getContent()).toString();
        assertThat(content).contains("SC-Custom-test_key1: value1").contains("X-SMTPAPI: ");
        assertThat(content.substring(content.indexOf("X-SMTPAPI: ")).indexOf("\r\n")).as("one long line, as Python sends it")
                .isGreaterThan(1000);

        final Processes.Result bad = Processes.python(PYTHON_XSMTPAPI, String.valueOf(app.smtpPort()), "bad");
        assertThat(bad.output()).contains("550 5.6.0 xsmtpapi error: \"to\" must be an array of addresses, got string");
        assertThat(bad.output()).doesNotContain("Queued");
    }

    /** These tests send as any domain: MAILPIPE_SENDER_DOMAINS=any (the production default enforce is tested in SenderDomainsIT). */
    private static java.util.Map<String, String> anySender(final java.util.Map<String, String> values) {
        final java.util.Map<String, String> all = new java.util.HashMap<>(values);
        all.put("sender.domains", "any");
        return all;
    }
}
