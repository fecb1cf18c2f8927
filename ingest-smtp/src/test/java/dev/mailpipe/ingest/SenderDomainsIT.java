package dev.mailpipe.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.platform.CompactedTable;
import dev.mailpipe.schemas.SenderDomain;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** MAILPIPE_SENDER_DOMAINS=enforce (the production default) against a real broker and mail.domains. */
class SenderDomainsIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @Test
    void shouldRefuseSendersOutsideTheAccountsDomainsAndFollowNewRegistrations() throws Exception {
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (IngestSmtpApp app = IngestSmtpApp.start(new IngestSmtpConfig(Map.of(
                "bootstrap.servers", KAFKA.bootstrapServers(), "smtp.host", "127.0.0.1", "smtp.port", "0",
                "http.port", "-1", "api.user", "shop", "api.key", "shop-key", "instance.id", "senders",
                "smtp.tls.enabled", "false", "topic.partitions", "1")), registry);
             CompactedTable<SenderDomain> domains = CompactedTable.start(KAFKA.bootstrapServers(), "test",
                     Topics.DOMAINS.name(), Topics.DOMAINS.valueSerde())) {
            final Instant now = Instant.now();
            domains.put("shop.test", new SenderDomain("shop.test", "shop", List.of(), now, now));

            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(session(app.smtpPort(), "news@mail.shop.test", "From: Shop <news@shop.test>"))
                            .last().asString().endsWith("#Queued"));
            assertThat(session(app.smtpPort(), "ceo@other.test", "From: <news@shop.test>"))
                    .contains("550 5.7.1 sender domain other.test (envelope sender) is not registered to this account;"
                            + " add it with ./mailpipe domains add");
            assertThat(session(app.smtpPort(), "news@shop.test", "From: Boss <boss@other.test>")).last().asString()
                    .startsWith("550 5.7.1 sender domain other.test (From: header) is not registered");

            domains.put("other.test", new SenderDomain("other.test", "shop", List.of(), now, now));
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(session(app.smtpPort(), "ceo@other.test", "From: <boss@other.test>"))
                            .last().asString().endsWith("#Queued"));

            assertThat(registry.counter("mailpipe.ingest.sender.refused", "where", "envelope").count()).isEqualTo(1);
            assertThat(registry.counter("mailpipe.ingest.sender.refused", "where", "from_header").count()).isEqualTo(1);
            assertThat(registry.counter("mailpipe.ingest.rejected", "reason", "sender_domain").count()).isEqualTo(2);
        }
    }

    /** One transaction; returns the replies (last line of each) from MAIL FROM on. */
    private static List<String> session(final int port, final String mailFrom, final String fromHeader) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            final BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            final OutputStream out = socket.getOutputStream();
            read(in);
            command(in, out, "EHLO client.test");
            command(in, out, "AUTH PLAIN " + Base64.getEncoder().encodeToString("\0shop\0shop-key".getBytes(StandardCharsets.UTF_8)));
            final List<String> replies = new ArrayList<>();
            final String mail = command(in, out, "MAIL FROM:<" + mailFrom + ">");
            replies.add(mail);
            if (!mail.startsWith("250")) {
                return replies;
            }
            replies.add(command(in, out, "RCPT TO:<ben@example.test>"));
            replies.add(command(in, out, "DATA"));
            replies.add(command(in, out, fromHeader + "\r\nSubject: hi\r\n\r\nbody\r\n."));
            command(in, out, "QUIT");
            return replies;
        }
    }

    private static String command(final BufferedReader in, final OutputStream out, final String line) throws Exception {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return read(in);
    }

    private static String read(final BufferedReader in) throws Exception {
        String line;
        do {
            line = in.readLine();
        } while (line != null && line.length() > 3 && line.charAt(3) == '-');
        return line;
    }
}
