package dev.mailpipe.deliverer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.deliverer.dns.AddressPolicy;
import dev.mailpipe.platform.Cidr;
import dev.mailpipe.deliverer.dns.MxHost;
import dev.mailpipe.deliverer.dns.MxResolution;
import dev.mailpipe.deliverer.smtp.SmtpTimeouts;
import dev.mailpipe.deliverer.smtp.SocketTransport;
import dev.mailpipe.testsupport.TestSmtpServer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SMTP hand-off over real sockets to real servers on 127.0.0.x, without Kafka or DNS. */
class SmtpHandOffIT {

    private static final SmtpTimeouts TIMEOUTS = new SmtpTimeouts(Duration.ofSeconds(1), Duration.ofMillis(500),
            Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2));
    private static final byte[] MESSAGE = "Subject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final AtomicInteger concurrent = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();
    private TestSmtpServer server;

    @BeforeEach
    void start() {
        // a slow server: each DATA reply takes 100 ms, which makes concurrent sessions overlap
        server = TestSmtpServer.on("127.0.0.2").port(0).dataReply(n -> {
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            concurrent.decrementAndGet();
            return "250 2.0.0 ok " + n;
        }).start();
        closeables.add(server);
    }

    @AfterEach
    void stop() throws Exception {
        for (final AutoCloseable c : closeables) {
            c.close();
        }
    }

    private MxDeliverer deliverer(final List<String> addresses, final int maxMessages, final int concurrency)
            throws Exception {
        final List<InetAddress> resolved = new ArrayList<>();
        for (final String a : addresses) {
            resolved.add(InetAddress.getByName(a));
        }
        final ConnectionPool pool = new ConnectionPool(maxMessages, Duration.ofSeconds(30));
        closeables.add(pool);
        return new MxDeliverer(domain -> new MxResolution.Targets(List.of(new MxHost("mx.d.test", 10, resolved)),
                false), new AddressPolicy(List.of(Cidr.parse("127.0.0.0/8"))), server.port(), TIMEOUTS,
                "out.test", true, pool, new DestinationLimiter(concurrency),
                (address, host, timeout) -> SocketTransport.connect(address, host, timeout, TIMEOUTS.dataBlock()));
    }

    @Test
    void shouldTryTheNextAddressOfAHostWhenTheFirstRefusesConnections() throws Exception {
        final Outcome outcome = deliverer(List.of("127.0.0.3", "127.0.0.2"), 100, 5)
                .deliver("d.test", "a@s.test", "b@d.test", MESSAGE);

        assertThat(outcome).isInstanceOf(Outcome.Delivered.class);
        assertThat(server.received()).singleElement().satisfies(r -> assertThat(r.recipients()).containsExactly("b@d.test"));
    }

    @Test
    void shouldReuseOneConnectionForConsecutiveMessages() throws Exception {
        final MxDeliverer deliverer = deliverer(List.of("127.0.0.2"), 100, 5);

        for (int i = 0; i < 5; i++) {
            assertThat(deliverer.deliver("d.test", "a@s.test", "r" + i + "@d.test", MESSAGE))
                    .isInstanceOf(Outcome.Delivered.class);
        }

        assertThat(server.connections()).isEqualTo(1);
        assertThat(server.received()).hasSize(5);
    }

    @Test
    void shouldOpenANewConnectionAfterTheMessagesPerConnectionCap() throws Exception {
        final MxDeliverer deliverer = deliverer(List.of("127.0.0.2"), 2, 5);

        for (int i = 0; i < 5; i++) {
            deliverer.deliver("d.test", "a@s.test", "r" + i + "@d.test", MESSAGE);
        }

        assertThat(server.connections()).isEqualTo(3);
        assertThat(server.received()).hasSize(5);
    }

    @Test
    void shouldRunAtMostTheDestinationLimitOfDeliveriesAtOnce() throws Exception {
        final MxDeliverer deliverer = deliverer(List.of("127.0.0.2"), 100, 3);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            final List<Future<Outcome>> outcomes = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                final String rcpt = "r" + i + "@d.test";
                outcomes.add(pool.submit(() -> deliverer.deliver("d.test", "a@s.test", rcpt, MESSAGE)));
            }
            for (final Future<Outcome> f : outcomes) {
                assertThat(f.get()).isInstanceOf(Outcome.Delivered.class);
            }
        }

        assertThat(maxConcurrent.get()).isEqualTo(3);
        assertThat(server.connections()).isEqualTo(3);
    }

    @Test
    void shouldUpgradeToTlsWhenTheServerOffersStarttls() throws Exception {
        try (StartTlsSmtpServer tls = StartTlsSmtpServer.start("127.0.0.8", server.port())) {
            final MxDeliverer deliverer = deliverer(List.of("127.0.0.8"), 100, 5);

            final Outcome first = deliverer.deliver("d.test", "a@s.test", "one@d.test", MESSAGE);
            final Outcome second = deliverer.deliver("d.test", "a@s.test", "two@d.test", MESSAGE);

            assertThat(first).isInstanceOf(Outcome.Delivered.class);
            assertThat(second).isInstanceOf(Outcome.Delivered.class);
            assertThat(tls.received()).containsExactly("TLSv1.3 one@d.test", "TLSv1.3 two@d.test");
        }
    }

    @Test
    void shouldGiveUpOnAServerThatStopsReadingTheMessage() throws Exception {
        try (java.net.ServerSocket stalling = new java.net.ServerSocket()) {
            stalling.bind(new java.net.InetSocketAddress(InetAddress.getByName("127.0.0.9"), server.port()));
            final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
            Thread.ofVirtual().start(() -> stallAfterDataCommand(stalling, done));
            final byte[] huge = new byte[32 * 1024 * 1024];
            java.util.Arrays.fill(huge, (byte) 'x');

            final Outcome outcome = deliverer(List.of("127.0.0.9"), 100, 5)
                    .deliver("d.test", "a@s.test", "b@d.test", huge);

            assertThat(outcome).isInstanceOf(Outcome.Deferred.class);
            assertThat(outcome.reply().text()).contains("write timed out");
            done.countDown();
        }
    }

    /** Speaks SMTP up to 354, then never reads again until the test is over. */
    private static void stallAfterDataCommand(final java.net.ServerSocket stalling,
            final java.util.concurrent.CountDownLatch done) {
        try (java.net.Socket socket = stalling.accept()) {
            socket.setReceiveBufferSize(4096);
            final java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            final java.io.OutputStream out = socket.getOutputStream();
            out.write("220 stall.test\r\n".getBytes(StandardCharsets.US_ASCII));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("DATA")) {
                    out.write("354 go on\r\n".getBytes(StandardCharsets.US_ASCII));
                    done.await();
                    return;
                }
                out.write("250 ok\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        } catch (final java.io.IOException | InterruptedException ignored) {
            // test over
        }
    }
}
