package dev.mailpipe.deliverer.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.testsupport.Dnsmasq;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The dnsjava resolver against a real DNS server (dnsmasq) and against broken ones. */
class DnsjavaMxResolverIT {

    private static final Duration TIMEOUT = Duration.ofMillis(500);

    private static Dnsmasq zone() {
        return Dnsmasq.builder().localZone("test")
                .mx("multi.test", "b.multi.test", 10).mx("multi.test", "a.multi.test", 10)
                .mx("multi.test", "backup.multi.test", 20)
                .host("a.multi.test", "127.0.0.11").host("b.multi.test", "127.0.0.12")
                .host("backup.multi.test", "127.0.0.13")
                .mx("half.test", "gone.half.test", 5).mx("half.test", "mx.half.test", 10)
                .host("mx.half.test", "127.0.0.14")
                .nullMx("nullmx.test")
                .host("amx.test", "127.0.0.15")
                .start();
    }

    @Test
    void shouldOrderHostsByPreferenceWithTheirAddresses() throws Exception {
        try (Dnsmasq dns = zone()) {
            final MxResolution resolution = DnsjavaMxResolver.create(dns.address(), TIMEOUT, new Random(7))
                    .resolve("MULTI.test");

            assertThat(resolution).isInstanceOfSatisfying(MxResolution.Targets.class, t -> {
                assertThat(t.implicit()).isFalse();
                assertThat(t.hosts()).extracting(MxHost::name).hasSize(3).endsWith("backup.multi.test")
                        .contains("a.multi.test", "b.multi.test");
                assertThat(t.hosts().get(2).addresses()).containsExactly(address("127.0.0.13"));
            });
        }
    }

    @Test
    void shouldSkipAnMxHostWithoutAddress() throws Exception {
        try (Dnsmasq dns = zone()) {
            final MxResolution resolution = DnsjavaMxResolver.create(dns.address(), TIMEOUT, new Random())
                    .resolve("half.test");

            assertThat(resolution).isInstanceOfSatisfying(MxResolution.Targets.class,
                    t -> assertThat(t.hosts()).extracting(MxHost::name).containsExactly("mx.half.test"));
        }
    }

    @Test
    void shouldUseTheDomainsAddressAsImplicitMx() throws Exception {
        try (Dnsmasq dns = zone()) {
            final MxResolution resolution = DnsjavaMxResolver.create(dns.address(), TIMEOUT, new Random())
                    .resolve("amx.test");

            assertThat(resolution).isEqualTo(new MxResolution.Targets(java.util.List.of(
                    new MxHost("amx.test", 0, java.util.List.of(InetAddress.getByName("127.0.0.15")))), true));
        }
    }

    @Test
    void shouldTreatNullMxAndNxdomainAsPermanent() {
        try (Dnsmasq dns = zone()) {
            final DnsjavaMxResolver resolver = DnsjavaMxResolver.create(dns.address(), TIMEOUT, new Random());

            assertThat(resolver.resolve("nullmx.test")).isInstanceOf(MxResolution.Permanent.class);
            assertThat(resolver.resolve("nowhere.test")).isInstanceOfSatisfying(MxResolution.Permanent.class,
                    p -> assertThat(p.reason()).contains("NXDOMAIN"));
        }
    }

    @Test
    void shouldAnswerFromTheCacheWhileTheTtlLasts() {
        final Dnsmasq dns = zone();
        final DnsjavaMxResolver resolver = DnsjavaMxResolver.create(dns.address(), TIMEOUT, new Random());
        final MxResolution first = resolver.resolve("half.test");
        dns.close(); // dnsmasq answers with TTL 60 s: the next lookup must not need it

        assertThat(resolver.resolve("half.test")).isEqualTo(first).isInstanceOf(MxResolution.Targets.class);
        assertThat(resolver.resolve("multi.test")).isInstanceOf(MxResolution.Temporary.class);
    }

    @Test
    void shouldTreatATimeoutAsTemporary() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            final MxResolution resolution = DnsjavaMxResolver.create("127.0.0.1:" + silent.getLocalPort(),
                    Duration.ofMillis(300), new Random()).resolve("example.test");

            assertThat(resolution).isInstanceOf(MxResolution.Temporary.class);
        }
    }

    @Test
    void shouldTreatServfailAsTemporary() throws Exception {
        try (DatagramSocket server = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            final Thread responder = Thread.ofVirtual().start(() -> answerServfail(server));
            final MxResolution resolution = DnsjavaMxResolver.create("127.0.0.1:" + server.getLocalPort(), TIMEOUT,
                    new Random()).resolve("example.test");

            assertThat(resolution).isInstanceOfSatisfying(MxResolution.Temporary.class,
                    t -> assertThat(t.reason()).contains("SERVFAIL"));
            responder.interrupt();
        }
    }

    private static InetAddress address(final String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (final java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A minimal broken DNS server: echoes each query back as a SERVFAIL response. */
    private static void answerServfail(final DatagramSocket server) {
        final byte[] buf = new byte[512];
        try {
            while (true) {
                final DatagramPacket query = new DatagramPacket(buf, buf.length);
                server.receive(query);
                final byte[] reply = java.util.Arrays.copyOf(query.getData(), query.getLength());
                reply[2] = (byte) (0x80 | (reply[2] & 0x01)); // QR=1, opcode QUERY, keep RD
                reply[3] = (byte) 0x82; // RA=1, RCODE=2 (SERVFAIL)
                server.send(new DatagramPacket(reply, reply.length, query.getSocketAddress()));
            }
        } catch (final SocketException closed) {
            // test over
        } catch (final IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldResolveAgainOnceTheTtlRanOut() throws Exception {
        final int port = dev.mailpipe.testsupport.FreePort.tcpAndUdp(InetAddress.getByName("127.0.0.1"));
        // dnsmasq as Dnsmasq starts it, but with 2-second TTLs
        final Process dnsmasq = new ProcessBuilder("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
                "--no-resolv", "--no-hosts", "--no-poll", "--port=" + port, "--listen-address=127.0.0.1",
                "--bind-interfaces", "--pid-file=", "--local-ttl=2", "--user=root", "--local=/test/",
                "--mx-host=ttl.test,mx.ttl.test,10", "--host-record=mx.ttl.test,127.0.0.16")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            final DnsjavaMxResolver resolver = DnsjavaMxResolver.create("127.0.0.1:" + port, Duration.ofMillis(200),
                    new Random());
            org.awaitility.Awaitility.await("dnsmasq answering").atMost(Duration.ofSeconds(10))
                    .until(() -> resolver.resolve("ttl.test") instanceof MxResolution.Targets);
            dnsmasq.destroy();
            dnsmasq.waitFor();

            assertThat(resolver.resolve("ttl.test")).as("within the TTL").isInstanceOf(MxResolution.Targets.class);
            org.awaitility.Awaitility.await("TTL expiry").atMost(Duration.ofSeconds(10))
                    .until(() -> resolver.resolve("ttl.test") instanceof MxResolution.Temporary);
        } finally {
            dnsmasq.destroyForcibly();
        }
    }
}
