package dev.mailpipe.ingest.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailpipe.core.limits.AuthThrottle;
import dev.mailpipe.core.limits.RateLimiter;
import dev.mailpipe.core.mail.MessageIdGenerator;
import dev.mailpipe.core.smtp.ReplyParser;
import dev.mailpipe.core.smtp.SmtpReply;
import dev.mailpipe.ingest.limits.ConnectionLimiter;
import dev.mailpipe.ingest.smtp.InboundSession;
import dev.mailpipe.ingest.smtp.SessionServices;
import dev.mailpipe.ingest.smtp.SessionSettings;
import dev.mailpipe.platform.queue.Submission;
import dev.mailpipe.platform.queue.Submitter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Slowloris and idle floods against the real socket server: per-read timeouts are long (10 s) so
 * only the phase deadlines and the eviction policy can end these connections.
 */
class SlowAndIdleClientsTest {

    private static final int CAP = 20;
    private final List<Submission> queued = new CopyOnWriteArrayList<>();
    private final ConnectionLimiter limiter = new ConnectionLimiter(CAP, CAP);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private SmtpServer server;
    private final List<Client> clients = new ArrayList<>();

    private void start(final SmtpServer.Deadlines deadlines) {
        final SessionSettings settings = new SessionSettings("mx.test", 100_000, 100, 1000, 1000, 10, false, false);
        final SessionServices services = new SessionServices((u, k) -> u.equals("u") && k.equals("k"),
                AuthThrottle.NONE, RateLimiter.UNLIMITED, new MessageIdGenerator(Clock.systemUTC(), "t"),
                Clock.systemUTC());
        final Submitter memory = new Submitter() {
            @Override
            public boolean submit(final Submission submission) {
                queued.add(submission);
                return true;
            }

            @Override
            public void close() {
            }
        };
        server = SmtpServer.start("127.0.0.1", List.of(new SmtpServer.Listener(0, false)), new SmtpServer.Options(null,
                1000, 10_000, 10_000, limiter, address -> null,
                (client, n) -> new InboundSession(settings, services, client, n), memory,
                new IngestMetrics(registry, limiter::open),
                deadlines));
    }

    @AfterEach
    void stop() {
        clients.forEach(Client::close);
        if (server != null) {
            server.close();
        }
    }

    @Test
    void shouldEndACommandLineThatTricklesInAtItsDeadline() throws Exception {
        start(new SmtpServer.Deadlines(1_500, 1_500, 1_000, 0.9, 200));
        final Client slow = client();
        assertThat(slow.reply()).startsWith("220 ");
        final long start = System.nanoTime();
        final String reply = trickleUntilAnswered(slow, "EHLO slowloris.test and more and more and more");
        assertThat(reply).startsWith("421 4.4.2");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
    }

    @Test
    void shouldEndDataThatTricklesInAtItsDeadline() throws Exception {
        start(new SmtpServer.Deadlines(1_500, 1_500, 1_000, 0.9, 200));
        final Client slow = client().login();
        slow.write("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n");
        assertThat(slow.reply()).startsWith("250 ");
        assertThat(slow.reply()).startsWith("250 ");
        assertThat(slow.reply()).startsWith("354 ");
        final long start = System.nanoTime();
        final String reply = trickleUntilAnswered(slow, "Subject: slow\r\n\r\n" + "x".repeat(200));
        assertThat(reply).startsWith("421 4.4.2");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
        assertThat(queued).isEmpty();
    }

    @Test
    void shouldEvictIdleUnauthenticatedConnectionsSoAClientIsStillServed() throws Exception {
        // evict only at the cap itself: filling it takes no evictions however slow the machine
        start(new SmtpServer.Deadlines(60_000, 60_000, 1_000, 1.0, 200));
        final Client loyal = client().login(); // authenticated and then idle: must survive
        final List<Client> idle = new ArrayList<>();
        for (int i = 1; i < CAP; i++) {
            final Client c = client();
            assertThat(c.reply()).startsWith("220 ");
            idle.add(c);
        }
        assertThat(limiter.open()).isEqualTo(CAP);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(server.evictable()).as("idle unauthenticated for the minimum")
                        .isEqualTo(CAP - 1));

        final Client fresh = client().login();
        fresh.write("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n");
        assertThat(fresh.reply()).startsWith("250 ");
        assertThat(fresh.reply()).startsWith("250 ");
        assertThat(fresh.reply()).startsWith("354 ");
        fresh.write("Subject: hi\r\n\r\nserved\r\n.\r\n");
        assertThat(fresh.reply()).matches("250 #.*#Queued");

        assertThat(idle.get(0).reply()).as("the connection idle the longest made room")
                .startsWith("421 4.7.0 Idle unauthenticated");
        loyal.write("NOOP\r\n");
        assertThat(loyal.reply()).as("authenticated clients are never evicted").startsWith("250");
        assertThat(registry.counter("mailpipe.ingest.connections.evicted").count()).isEqualTo(1);
    }

    /** Sends one byte every 300 ms until the server answers; the answer. */
    private static String trickleUntilAnswered(final Client client, final String text) throws Exception {
        client.socket.setSoTimeout(300);
        for (final char c : text.toCharArray()) {
            try {
                client.out.write(c);
                client.out.flush();
            } catch (final IOException closed) {
                break;
            }
            try {
                final String line = client.in.readLine();
                if (line != null) {
                    return line;
                }
                return "(closed)";
            } catch (final java.net.SocketTimeoutException notYet) {
                // keep trickling
            }
        }
        client.socket.setSoTimeout(10_000);
        return client.in.readLine();
    }

    private Client client() throws IOException {
        final Client c = new Client(server.port(0));
        clients.add(c);
        return c;
    }

    private static final class Client implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final OutputStream out;

        Client(final int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
        }

        Client write(final String raw) throws IOException {
            out.write(raw.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return this;
        }

        /** The next complete reply's last line ({@code 250 2.0.0 OK}), read with core's parser; null at close. */
        String reply() throws IOException {
            final ReplyParser parser = new ReplyParser();
            SmtpReply reply = null;
            while (reply == null) {
                final String line = in.readLine();
                if (line == null) {
                    return null;
                }
                reply = parser.line(line);
            }
            return reply.code() + " " + reply.lines().getLast();
        }

        Client login() throws IOException {
            assertThat(reply()).startsWith("220 ");
            write("EHLO c.test\r\nAUTH PLAIN "
                    + Base64.getEncoder().encodeToString("\0u\0k".getBytes(StandardCharsets.US_ASCII)) + "\r\n");
            assertThat(reply()).startsWith("250 ");
            assertThat(reply()).startsWith("235 ");
            return this;
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (final IOException ignored) {
                // closing
            }
        }
    }
}
