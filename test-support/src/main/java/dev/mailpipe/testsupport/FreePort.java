package dev.mailpipe.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * A free port for the rare external program that cannot bind port 0 itself and report it
 * (dnsmasq). Everything we start in Java binds port 0 instead.
 */
public final class FreePort {

    private FreePort() {
    }

    /** A port free for both TCP and UDP on the given address at the moment of the call. */
    public static int tcpAndUdp(final InetAddress address) {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket tcp = new ServerSocket()) {
                tcp.bind(new InetSocketAddress(address, 0));
                final int port = tcp.getLocalPort();
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(address, port))) {
                    return port;
                } catch (final IOException busy) {
                    // UDP side taken: try another
                }
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no free TCP+UDP port on " + address);
    }
}
