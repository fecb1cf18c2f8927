package dev.mailpipe.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailpipe.testsupport.KafkaCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** No acknowledgement, no 250: with the broker gone the client gets 451 4.3.0 and must retry. */
class KafkaOutageIT {

    @Test
    void shouldReply451WhenKafkaIsGone() throws Exception {
        final KafkaCluster cluster = KafkaCluster.start();
        IngestSmtpApp app = null;
        try {
            app = IngestSmtpApp.start(new IngestSmtpConfig(anySender(Map.of(
                    "bootstrap.servers", cluster.bootstrapServers(), "smtp.host", "127.0.0.1", "smtp.port", "0",
                    "http.port", "-1", "api.user", "outage", "api.key", "k", "instance.id", "outage",
                    "smtp.queue.timeout.ms", "5000", "rate.limit.per.minute", "0", "topic.partitions", "1"))),
                    new SimpleMeterRegistry());
            try (Socket socket = new Socket("127.0.0.1", app.smtpPort())) {
                socket.setSoTimeout(30_000);
                final BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                final OutputStream out = socket.getOutputStream();
                in.readLine();
                final String auth = Base64.getEncoder().encodeToString("\0outage\0k".getBytes(StandardCharsets.US_ASCII));
                final String transaction = "MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n";
                out.write(("HELO x.test\r\nAUTH PLAIN " + auth + "\r\n" + transaction).getBytes(StandardCharsets.US_ASCII));
                skip(in, 5);
                out.write("Subject: 1\r\n\r\nfirst\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(in.readLine()).matches("250 #.*#Queued");

                cluster.close();
                out.write((transaction + "Subject: 2\r\n\r\nsecond\r\n.\r\n").getBytes(StandardCharsets.US_ASCII));
                skip(in, 3);
                assertThat(in.readLine()).isEqualTo("451 4.3.0 Queueing failed, message not accepted, try again later");

                // the gate knows Kafka is gone: not ready, and the next message is refused at once
                final IngestSmtpApp running = app;
                await().atMost(Duration.ofSeconds(10)).until(() -> !running.isReady());
                final long start = System.nanoTime();
                out.write((transaction + "Subject: 3\r\n\r\nthird\r\n.\r\n").getBytes(StandardCharsets.US_ASCII));
                skip(in, 3);
                assertThat(in.readLine()).isEqualTo("451 4.3.0 Queueing failed, message not accepted, try again later");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("no wait for the queue timeout")
                        .isLessThan(Duration.ofMillis(1_500));
                out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(in.readLine()).startsWith("221 ");
            }
        } finally {
            if (app != null) {
                app.close();
            }
        }
    }

    private static void skip(final BufferedReader in, final int replies) throws Exception {
        for (int i = 0; i < replies; i++) {
            in.readLine();
        }
    }

    /** These tests send as any domain: MAILPIPE_SENDER_DOMAINS=any (the production default enforce is tested in SenderDomainsIT). */
    private static java.util.Map<String, String> anySender(final java.util.Map<String, String> values) {
        final java.util.Map<String, String> all = new java.util.HashMap<>(values);
        all.put("sender.domains", "any");
        return all;
    }
}
