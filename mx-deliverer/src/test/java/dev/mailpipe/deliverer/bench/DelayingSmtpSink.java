package dev.mailpipe.deliverer.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * A discard SMTP server that waits a fixed time before answering the end of DATA (smtp-sink can
 * only wait whole seconds). Like Postfix, it sets TCP_NODELAY and sends the replies to pipelined
 * commands in one write once it has read all pending input — a server that writes each reply
 * separately without TCP_NODELAY makes every pipelining client wait for delayed ACKs (~40 ms).
 */
final class DelayingSmtpSink implements AutoCloseable {

    private final ServerSocket server;
    private final Duration delay;

    DelayingSmtpSink(final String address, final int port, final Duration delay) throws IOException {
        this.server = new ServerSocket();
        this.delay = delay;
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(address), port), 1024);
        Thread.ofVirtual().name("delaying-sink").start(this::accept);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                final Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                Thread.ofVirtual().start(() -> serve(socket));
            } catch (final IOException closed) {
                return;
            }
        }
    }

    private void serve(final Socket socket) {
        try (socket; InputStream in = new BufferedInputStream(socket.getInputStream(), 65_536);
             OutputStream out = new BufferedOutputStream(socket.getOutputStream())) {
            reply(out, in, "220 sink.test ESMTP");
            String line;
            while ((line = readLine(in)) != null) {
                final String upper = line.toUpperCase(Locale.ROOT);
                if (upper.startsWith("EHLO")) {
                    reply(out, in, "250-sink.test\r\n250-PIPELINING\r\n250 8BITMIME");
                } else if (upper.equals("DATA")) {
                    reply(out, in, "354 go ahead");
                    String data;
                    while ((data = readLine(in)) != null && !data.equals(".")) {
                        // discard
                    }
                    LockSupport.parkNanos(delay.toNanos());
                    reply(out, in, "250 2.0.0 ok");
                } else if (upper.equals("QUIT")) {
                    out.write("221 2.0.0 bye\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    return;
                } else {
                    reply(out, in, "250 2.0.0 ok"); // HELO, MAIL, RCPT, RSET, NOOP
                }
            }
        } catch (final IOException gone) {
            // client went away
        }
    }

    /** Queues a reply; flushes only when no further pipelined command is already waiting. */
    private static void reply(final OutputStream out, final InputStream in, final String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        if (in.available() == 0) {
            out.flush();
        }
    }

    private static String readLine(final InputStream in) throws IOException {
        final ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                final byte[] bytes = line.toByteArray();
                final int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
