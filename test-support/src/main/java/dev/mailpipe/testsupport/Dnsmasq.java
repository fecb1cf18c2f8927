package dev.mailpipe.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real DNS server for MX tests: Debian's {@code dnsmasq} on a loopback port, authoritative for
 * the zones given with {@link Builder#localZone} (unknown names there answer NXDOMAIN).
 * Requires the {@code dnsmasq} binary; {@code .ci/run} installs it.
 */
public final class Dnsmasq implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private Dnsmasq(final Process process, final int port, final Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** "127.0.0.1:port", the form MAILPIPE_DNS takes. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** What dnsmasq printed so far (for failure messages). */
    public String logText() {
        try {
            return Files.readString(log);
        } catch (final IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Collects records, then starts dnsmasq and waits until it answers. */
    public static final class Builder {

        private final List<String> args = new ArrayList<>();

        /** Names under {@code zone} are answered only from this configuration (NXDOMAIN otherwise). */
        public Builder localZone(final String zone) {
            args.add("--local=/" + zone + "/");
            return add("--domain-needed");
        }

        public Builder mx(final String domain, final String host, final int preference) {
            return add("--mx-host=" + domain + "," + host + "," + preference);
        }

        /** A null MX (RFC 7505): preference 0, exchange ".". */
        public Builder nullMx(final String domain) {
            return add("--mx-host=" + domain + ",.,0");
        }

        public Builder host(final String name, final String address) {
            return add("--host-record=" + name + "," + address);
        }

        /**
         * A TXT record; dnsmasq splits a string longer than 255 octets into several (as DKIM keys
         * need). On the command line quotes are not parsed, so {@code text} must not contain a comma.
         */
        public Builder txt(final String name, final String text) {
            if (text.indexOf(',') >= 0) {
                throw new IllegalArgumentException("dnsmasq --txt-record cannot carry a comma: " + text);
            }
            return add("--txt-record=" + name + "," + text);
        }

        private Builder add(final String arg) {
            args.add(arg);
            return this;
        }

        public Dnsmasq start() {
            final InetAddress loopback = loopback();
            final int port = FreePort.tcpAndUdp(loopback);
            try {
                final Path log = Files.createTempFile("dnsmasq", ".log");
                final List<String> command = new ArrayList<>(List.of("dnsmasq", "--keep-in-foreground",
                        "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll",
                        "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces",
                        "--pid-file=", "--local-ttl=60", "--user=root", "--log-facility=-"));
                command.addAll(args);
                final Process process = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
                final Dnsmasq dnsmasq = new Dnsmasq(process, port, log);
                Awaitility.await("dnsmasq answering on port " + port).atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> {
                            if (!process.isAlive()) {
                                throw new IllegalStateException("dnsmasq exited: " + Files.readString(log));
                            }
                            return answers(port);
                        });
                return dnsmasq;
            } catch (final IOException e) {
                throw new UncheckedIOException("cannot start dnsmasq (is it installed? .ci/run installs it)", e);
            }
        }
    }

    /** Sends a minimal query for "." NS and waits briefly for any answer. */
    private static boolean answers(final int port) {
        final byte[] query = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x02, 0x00, 0x01};
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(200);
            socket.send(new DatagramPacket(query, query.length, new InetSocketAddress(loopback(), port)));
            final DatagramPacket reply = new DatagramPacket(new byte[512], 512);
            socket.receive(reply);
            return reply.getLength() > 0;
        } catch (final IOException e) {
            return false;
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByName("127.0.0.1");
        } catch (final UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
