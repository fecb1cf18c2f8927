package dev.mailpipe.deliverer.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SocketTransportTest {

    @Test
    void aFinishedWriteLeavesNoGuardBehind() throws Exception {
        final AtomicLong received = new AtomicLong();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            final Thread drain = Thread.ofPlatform().daemon().start(() -> {
                try (Socket peer = server.accept(); InputStream in = peer.getInputStream()) {
                    final byte[] buffer = new byte[8192];
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        received.addAndGet(n);
                    }
                } catch (final Exception ignored) {
                    // the test closes the connection
                }
            });
            final SocketTransport transport = SocketTransport.connect(
                    new InetSocketAddress(server.getInetAddress(), server.getLocalPort()), "localhost",
                    Duration.ofSeconds(5), Duration.ofMinutes(3));
            final byte[] line = "RCPT TO:<someone@example.test>\r\n".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 2_000; i++) {
                transport.write(line);
                transport.flush();
            }
            // 4,000 guards of 3 minutes each were scheduled and cancelled: none may stay queued
            assertThat(SocketTransport.pendingWriteGuards()).isZero();
            transport.close();
            drain.join(5_000);
            assertThat(received.get()).isEqualTo(2_000L * line.length);
        }
    }
}
