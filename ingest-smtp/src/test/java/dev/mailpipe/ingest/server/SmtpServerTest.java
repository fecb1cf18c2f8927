package dev.mailpipe.ingest.server;

import dev.mailpipe.platform.TlsContexts;
import dev.mailpipe.core.limits.AuthThrottle;
import dev.mailpipe.core.limits.RateLimiter;
import dev.mailpipe.core.mail.MessageIdGenerator;
import dev.mailpipe.core.smtp.ReplyParser;
import dev.mailpipe.core.smtp.SmtpReply;
import dev.mailpipe.ingest.limits.ConnectionLimiter;
import dev.mailpipe.ingest.smtp.InboundSession;
import dev.mailpipe.ingest.smtp.SessionServices;
import dev.mailpipe.ingest.smtp.SessionSettings;
import dev.mailpipe.platform.OpportunisticTls;
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
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;


/**
 * The socket transport with real connections, a real session and an in-memory {@link Submitter}
 * (the Kafka path is covered by the ITs).
 */
class SmtpServerTest {

    private static final List<Submission> QUEUED = new CopyOnWriteArrayList<>();
    private static final SimpleMeterRegistry REGISTRY = new SimpleMeterRegistry();
    private static final ConnectionLimiter LIMITER = new ConnectionLimiter(100, 3);
    private static SmtpServer server;

    @BeforeAll
    static void start() {
        final SSLContext tls = TlsContexts.selfSigned("localhost");
        final SessionSettings settings = new SessionSettings("mx.test", 100_000, 100, 1000, 1000, 10, true, false);
        final SessionServices services = new SessionServices((u, k) -> u.equals("u") && k.equals("k"), AuthThrottle.NONE,
                RateLimiter.UNLIMITED, new MessageIdGenerator(Clock.systemUTC(), "t"), Clock.systemUTC());
        final Submitter memory = new Submitter() {
            @Override
            public boolean submit(final Submission submission) {
                QUEUED.add(submission);
                return true;
            }

            @Override
            public void close() {
            }
        };
        server = SmtpServer.start("127.0.0.1", List.of(new SmtpServer.Listener(0, false)), new SmtpServer.Options(tls,
                1000, 1500, 1500, LIMITER, address -> null,
                (client, n) -> new InboundSession(settings, services, client, n), memory,
                new IngestMetrics(REGISTRY, LIMITER::open)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A line-oriented test client. */
    private static final class Client implements AutoCloseable {
        Socket socket;
        BufferedReader in;
        OutputStream out;

        Client() throws IOException {
            socket = new Socket("127.0.0.1", server.port(0));
            socket.setSoTimeout(10_000);
            attach();
        }

        void attach() throws IOException {
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
        }

        Client write(final String raw) throws IOException {
            out.write(raw.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return this;
        }

        /** The next complete reply, read with core's parser; null when the server closed. */
        SmtpReply replyValue() throws IOException {
            final ReplyParser parser = new ReplyParser();
            SmtpReply reply = null;
            while (reply == null) {
                final String line = in.readLine();
                if (line == null) {
                    return null;
                }
                reply = parser.line(line);
            }
            return reply;
        }

        /** The next complete reply's last line ({@code 250 2.0.0 OK}). */
        String reply() throws IOException {
            final SmtpReply reply = replyValue();
            return reply == null ? null : reply.code() + " " + reply.lines().getLast();
        }

        Client login() throws IOException {
            assertThat(reply()).startsWith("220 ");
            write("EHLO c.test\r\nAUTH PLAIN " + Base64.getEncoder().encodeToString("\0u\0k".getBytes(StandardCharsets.US_ASCII)) + "\r\n");
            assertThat(reply()).startsWith("250 ");
            assertThat(reply()).startsWith("235 ");
            return this;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void shouldCloseIdleConnectionWithTimeoutReply() throws IOException {
        try (Client c = new Client()) {
            assertThat(c.reply()).startsWith("220 ");
            assertThat(c.reply()).isEqualTo("421 4.4.2 Timeout, closing connection");
            assertThat(c.in.readLine()).isNull();
        }
    }

    @Test
    void shouldCloseConnectionSilentInDataWithTimeoutReply() throws IOException {
        try (Client c = new Client().login()) {
            c.write("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\nSubject: half\r\n\r\nhalf a mess");
            c.reply();
            c.reply();
            assertThat(c.reply()).startsWith("354 ");
            assertThat(c.reply()).isEqualTo("421 4.4.2 Timeout, closing connection");
            assertThat(c.in.readLine()).isNull();
        }
    }

    @Test
    void shouldRefuseConnectionsOverThePerAddressLimit() throws IOException {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> LIMITER.open() == 0); // earlier tests' connections
        try (Client a = new Client(); Client b = new Client(); Client c = new Client()) {
            assertThat(a.reply()).startsWith("220 ");
            assertThat(b.reply()).startsWith("220 ");
            assertThat(c.reply()).startsWith("220 ");
            try (Client d = new Client()) {
                assertThat(d.reply()).isEqualTo("421 4.7.0 Too many connections, try again later");
                assertThat(d.in.readLine()).isNull();
            }
            a.write("QUIT\r\n");
            assertThat(a.reply()).startsWith("221 ");
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> LIMITER.open() <= 2);
            try (Client e = new Client()) {
                assertThat(e.reply()).startsWith("220 ");
            }
        }
    }

    @Test
    void shouldRejectOverlongCommandLineAndStayInSync() throws IOException {
        try (Client c = new Client()) {
            assertThat(c.reply()).startsWith("220 ");
            c.write("NOOP " + "x".repeat(5000) + "\r\nNOOP\r\n");
            assertThat(c.reply()).isEqualTo("500 5.5.2 Line too long");
            assertThat(c.reply()).isEqualTo("250 2.0.0 OK");
        }
    }

    @Test
    void shouldReadOversizedDataToItsEndAndRefuseIt() throws IOException {
        try (Client c = new Client().login()) {
            c.write("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n");
            assertThat(c.reply()).startsWith("250 ");
            assertThat(c.reply()).startsWith("250 ");
            assertThat(c.reply()).startsWith("354 ");
            final String line = "y".repeat(998) + "\r\n";
            final int before = QUEUED.size();
            c.write("Subject: big\r\n\r\n");
            for (int i = 0; i < 1000; i++) { // ~1 MB against a 100 kB limit
                c.out.write(line.getBytes(StandardCharsets.US_ASCII));
            }
            c.write(".\r\nNOOP\r\n");
            assertThat(c.reply()).isEqualTo("552 5.3.4 Message size exceeds fixed maximum message size");
            assertThat(c.reply()).isEqualTo("250 2.0.0 OK");
            assertThat(QUEUED).hasSize(before);
        }
    }

    @Test
    void shouldNotLetBareLfSmuggleASecondMessage() throws IOException {
        try (Client c = new Client().login()) {
            final int before = QUEUED.size();
            c.write("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n");
            c.reply();
            c.reply();
            assertThat(c.reply()).startsWith("354 ");
            c.write("Subject: s\r\n\r\nhi\n.\nMAIL FROM:<evil@x.test>\nRCPT TO:<victim@y.test>\nDATA\nSpoofed\n.\r\n"
                    + "\r\n.\r\nNOOP\r\n");
            assertThat(c.reply()).startsWith("554 5.6.0 Message refused: bare CR or LF");
            assertThat(c.reply()).isEqualTo("250 2.0.0 OK");
            assertThat(QUEUED).hasSize(before);
        }
    }

    @Test
    void shouldDiscardCommandsPipelinedBehindStartTls() throws Exception {
        try (Client c = new Client()) {
            assertThat(c.reply()).startsWith("220 ");
            c.write("EHLO c.test\r\n");
            assertThat(c.reply()).isEqualTo("250 AUTH LOGIN PLAIN");
            c.write("STARTTLS\r\nRSET\r\n"); // RSET is injected plaintext and must never be answered
            assertThat(c.reply()).isEqualTo("220 2.0.0 Ready to start TLS");
            final SSLContext trustAll = OpportunisticTls.context();
            final SSLSocket ssl = (SSLSocket) trustAll.getSocketFactory().createSocket(c.socket, "localhost", c.socket.getPort(), true);
            ssl.startHandshake();
            assertThat(ssl.getSession().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
            c.socket = ssl;
            c.attach();
            c.write("NOOP\r\n");
            assertThat(c.reply()).isEqualTo("250 2.0.0 OK");
            c.write("EHLO c.test\r\n");
            final SmtpReply ehlo = c.replyValue();
            assertThat(ehlo.lines().get(0)).isEqualTo("mx.test Hello c.test");
            assertThat(ehlo.lines()).noneMatch(line -> line.contains("STARTTLS"));
        }
    }

    @Test
    void shouldCountRejectionsByReason() throws IOException {
        try (Client c = new Client()) {
            c.reply();
            c.write("EHLO c.test\r\nMAIL FROM:<a@b.test>\r\n");
            c.reply();
            assertThat(c.reply()).startsWith("530 ");
        }
        assertThat(REGISTRY.get("mailpipe.ingest.rejected").tag("reason", "auth_required").counter().count()).isGreaterThanOrEqualTo(1);
    }
}
