package dev.mailpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailpipe.ingest.IngestSmtpApp;
import dev.mailpipe.ingest.IngestSmtpConfig;
import dev.mailpipe.platform.MailpipeApp;
import dev.mailpipe.platform.Runner;
import dev.mailpipe.platform.accounts.AccountStore;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import dev.mailpipe.web.WebApp;
import dev.mailpipe.web.WebConfig;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * SendCloud's rule "API and SMTP calls together": one per-account budget per minute, shared by an
 * SMTP client (Python smtplib, on an ingest-smtp replica) and an API client (Python requests, on a
 * web replica). The budget of 4 is taken twice over SMTP; the API then gets two calls and a 429,
 * and the next SMTP submission a 536.
 */
class SharedRateLimitIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final String KEY = "rate-secret-key-0123456789";
    private static final int LIMIT = 4;
    private static final AtomicInteger ATTEMPT = new AtomicInteger();

    @TempDir
    static Path tmp;

    private static final List<MailpipeApp> APPS = new ArrayList<>();
    private static IngestSmtpApp ingest;
    private static String api;

    @BeforeAll
    static void start() {
        final Map<String, String> values = new HashMap<>();
        values.put("bootstrap.servers", KAFKA.bootstrapServers());
        values.put("topic.replication.factor", "1");
        values.put("topic.partitions", "3");
        values.put("smtp.port", "0");
        values.put("smtp.host", "127.0.0.1");
        values.put("web.port", "0");
        values.put("web.host", "127.0.0.1");
        values.put("http.port", "-1");
        values.put("rate.limit.per.minute", String.valueOf(LIMIT));
        values.put("rate.limit.sync.ms", "100");
        MailpipeUp.embeddedDefaults(values, tmp);
        final MeterRegistry registry = Runner.registry();
        ingest = IngestSmtpApp.start(new IngestSmtpConfig(values), registry);
        APPS.add(ingest);
        final WebApp web = WebApp.start(new WebConfig(values), registry);
        APPS.add(web);
        api = "http://127.0.0.1:" + web.port() + "/apiv2/mail/send";
    }

    @AfterAll
    static void stop() {
        for (int i = APPS.size() - 1; i >= 0; i--) {
            APPS.get(i).close();
        }
    }

    @Test
    void smtpAndApiCallsShareOneBudgetAcrossTheTwoServices() {
        // a fresh account per attempt: an attempt that straddles a minute boundary starts a new budget
        await().atMost(Duration.ofMinutes(3)).pollDelay(Duration.ZERO).untilAsserted(() -> {
            final String user = "rate" + ATTEMPT.incrementAndGet();
            try (AccountStore accounts = AccountStore.start(KAFKA.bootstrapServers(), "rate-it-" + user)) {
                accounts.ensure(user, KEY);
            }
            assertThat(smtp(user, 2)).containsExactly("250", "250");
            // the web replica hears of the two within a sync interval or two
            final List<String> answers = new ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                answers.add(apiCall(user));
                return answers.getLast().equals("429");
            });
            assertThat(answers).containsExactly("200", "200", "429");
            assertThat(smtp(user, 1)).containsExactly("536");
        });
    }

    /** Sends {@code n} messages in one SMTP session; the reply code of each MAIL FROM + DATA. */
    private static List<String> smtp(final String user, final int n) throws IOException, InterruptedException {
        final String script = String.join("\n",
                "import smtplib, sys",
                "s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))",
                "s.ehlo('client.example')",
                "s.login(sys.argv[2], sys.argv[3])",
                "for i in range(int(sys.argv[4])):",
                "    code, _ = s.mail('news@sender.test')",
                "    if code != 250:",
                "        print(code); s.rset(); continue",
                "    s.rcpt('reader@reader.test')",
                "    code, _ = s.data('Subject: hi\\r\\n\\r\\nhello\\r\\n')",
                "    print(code)",
                "s.quit()");
        return run("/usr/bin/python3", "-c", script, String.valueOf(ingest.smtpPort()), user, KEY,
                String.valueOf(n)).lines().toList();
    }

    private static String apiCall(final String user) throws IOException, InterruptedException {
        final String script = String.join("\n",
                "import requests, sys",
                "r = requests.post(sys.argv[1], data={'apiUser': sys.argv[2], 'apiKey': sys.argv[3],",
                "    'from': 'news@sender.test', 'to': 'reader@reader.test', 'subject': 'hi', 'plain': 'hello'}, timeout=30)",
                "print(r.status_code)");
        return run("/usr/bin/python3", "-c", script, api, user, KEY);
    }

    private static String run(final String... command) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", command), out).isZero();
        return out.strip();
    }
}
