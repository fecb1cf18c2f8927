package dev.mailpipe.deliverer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailpipe.deliverer.dns.AddressPolicy;
import dev.mailpipe.deliverer.dns.MxHost;
import dev.mailpipe.deliverer.dns.MxResolution;
import dev.mailpipe.deliverer.smtp.SmtpTimeouts;
import dev.mailpipe.deliverer.smtp.SocketTransport;
import dev.mailpipe.platform.Cidr;
import dev.mailpipe.testsupport.TestSmtpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SMTPUTF8 (RFC 6531) at the hand-off, over real sockets: to a receiver that offers it the email
 * goes with {@code MAIL FROM:<…> SMTPUTF8} and its UTF-8 addresses as written; to Postfix's
 * smtp-sink, which does not offer it, a UTF-8 local part bounces with 5.6.7 before any MAIL
 * command, and an internationalised domain goes as its A-label.
 */
class Smtputf8IT {

    private static final SmtpTimeouts TIMEOUTS = new SmtpTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2),
            Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2));
    private static final byte[] MESSAGE = "From: jörg@bücher.example\r\nSubject: grüße\r\n\r\nhallo\r\n"
            .getBytes(StandardCharsets.UTF_8);

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @TempDir
    Path dumps;

    @AfterEach
    void stop() throws Exception {
        for (final AutoCloseable c : closeables) {
            c.close();
        }
    }

    private MxDeliverer deliverer(final String address, final int port) throws Exception {
        final ConnectionPool pool = new ConnectionPool(100, Duration.ofSeconds(30));
        closeables.add(pool);
        final List<InetAddress> resolved = List.of(InetAddress.getByName(address));
        return new MxDeliverer(domain -> new MxResolution.Targets(List.of(new MxHost("mx.d.test", 10, resolved)),
                false), new AddressPolicy(List.of(Cidr.parse("127.0.0.0/8"))), port, TIMEOUTS, "out.test", false, pool,
                new DestinationLimiter(5),
                (target, host, timeout) -> SocketTransport.connect(target, host, timeout, TIMEOUTS.dataBlock()));
    }

    @Test
    void shouldUseSmtputf8WithAReceiverThatOffersIt() throws Exception {
        final TestSmtpServer server = TestSmtpServer.on("127.0.0.2").port(0).smtputf8().start();
        closeables.add(server);

        final Outcome outcome = deliverer("127.0.0.2", server.port())
                .deliver("xn--fsqu00a.xn--4gq62f", "jörg@bücher.example", "用户@例子.广告", MESSAGE, true);

        assertThat(outcome).isInstanceOf(Outcome.Delivered.class);
        assertThat(server.received()).singleElement().satisfies(r -> {
            assertThat(r.mailFrom()).isEqualTo("jörg@bücher.example");
            assertThat(r.mailParameters()).contains("SMTPUTF8");
            assertThat(r.recipients()).containsExactly("用户@例子.广告");
        });
    }

    @Test
    void shouldBounceAUtf8LocalPartAndSendALabelsToPostfixSmtpSinkWhichDoesNotOfferIt() throws Exception {
        Files.setPosixFilePermissions(dumps, PosixFilePermissions.fromString("rwxrwxrwx"));
        final int port = freePort();
        final Process sink = new ProcessBuilder("/usr/sbin/smtp-sink", "-u", "nobody", "-d",
                dumps.resolve("%H%M%S.").toString(), "127.0.0.3:" + port, "16")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        closeables.add(sink::destroy);
        await().atMost(Duration.ofSeconds(10)).until(() -> listening(port));
        final MxDeliverer deliverer = deliverer("127.0.0.3", port);

        final Outcome refused = deliverer.deliver("example.com", "support@ifaxin.com", "jörg@example.com", MESSAGE,
                true);
        assertThat(refused).isInstanceOfSatisfying(Outcome.Bounced.class, b -> {
            assertThat(b.reply().code()).isEqualTo(553);
            assertThat(b.reply().enhancedStatus()).isEqualTo("5.6.7");
        });

        final Outcome delivered = deliverer.deliver("xn--bcher-kva.example", "support@ifaxin.com",
                "info@bücher.example", MESSAGE, true);
        assertThat(delivered).isInstanceOf(Outcome.Delivered.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> dumpFiles().size() == 1);
        final String dump = Files.readString(dumpFiles().get(0), StandardCharsets.ISO_8859_1);
        assertThat(dump).contains("X-Rcpt-Args: <info@xn--bcher-kva.example>").doesNotContain("SMTPUTF8");
    }

    private List<Path> dumpFiles() throws IOException {
        try (Stream<Path> files = Files.list(dumps)) {
            return files.toList();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.3"), 0));
            return s.getLocalPort();
        }
    }

    private static boolean listening(final int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.3", port), 200);
            return true;
        } catch (final IOException e) {
            return false;
        }
    }
}
