package dev.mailpipe.ingest.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.core.limits.AuthThrottle;
import dev.mailpipe.core.limits.RateLimiter;
import dev.mailpipe.core.mail.MessageIdGenerator;
import dev.mailpipe.ingest.limits.ConnectionLimiter;
import dev.mailpipe.ingest.smtp.InboundSession;
import dev.mailpipe.ingest.smtp.SessionServices;
import dev.mailpipe.ingest.smtp.SessionSettings;
import dev.mailpipe.platform.queue.Submission;
import dev.mailpipe.platform.queue.Submitter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class SmtpServerShutdownTest {

    @Test
    void shouldFinishTheMessageInFlightBeforeClosing() throws Exception {
        final CountDownLatch submitting = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final Submitter slowKafka = new Submitter() {
            @Override
            public boolean submit(final Submission submission) {
                submitting.countDown();
                try {
                    return release.await(20, TimeUnit.SECONDS);
                } catch (final InterruptedException e) {
                    return false;
                }
            }

            @Override
            public void close() {
            }
        };
        final ConnectionLimiter limiter = new ConnectionLimiter(10, 10);
        final SessionSettings settings = SessionSettings.defaults("mx.test");
        final SessionServices services = new SessionServices((u, k) -> true, AuthThrottle.NONE, RateLimiter.UNLIMITED,
                new MessageIdGenerator(Clock.systemUTC(), "t"), Clock.systemUTC());
        final SmtpServer server = SmtpServer.start("127.0.0.1", List.of(new SmtpServer.Listener(0, false)),
                new SmtpServer.Options(null, 1000, 30_000, 30_000, limiter, a -> null,
                        (client, n) -> new InboundSession(settings, services, client, n), slowKafka,
                        new IngestMetrics(new SimpleMeterRegistry(), limiter::open)));
        try (Socket busy = new Socket("127.0.0.1", server.port(0)); Socket idle = new Socket("127.0.0.1", server.port(0))) {
            busy.setSoTimeout(20_000);
            idle.setSoTimeout(20_000);
            final BufferedReader in = new BufferedReader(new InputStreamReader(busy.getInputStream(), StandardCharsets.US_ASCII));
            final BufferedReader idleIn = new BufferedReader(new InputStreamReader(idle.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(idleIn.readLine()).startsWith("220 ");
            final OutputStream out = busy.getOutputStream();
            final String auth = Base64.getEncoder().encodeToString("\0u\0k".getBytes(StandardCharsets.US_ASCII));
            out.write(("HELO c.test\r\nAUTH PLAIN " + auth + "\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n"
                    + "Subject: s\r\n\r\nx\r\n.\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(submitting.await(10, TimeUnit.SECONDS)).isTrue();

            final CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            assertThat(idleIn.readLine()).as("idle connection closed at once").isNull();
            assertThat(closing).isNotDone();
            release.countDown();
            for (int i = 0; i < 6; i++) {
                in.readLine();
            }
            assertThat(in.readLine()).matches("250 #.*#Queued");
            // 421 when close() got to this connection while it was still submitting, else just closed
            assertThat(in.readLine()).isIn("421 4.3.2 Service shutting down, closing connection", null);
            assertThat(in.readLine()).isNull();
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(closing::isDone);
        }
    }
}
