package dev.mailpipe.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A small real SMTP server for delivery tests: listens on a chosen loopback address, records every
 * message it accepts, and answers the end of DATA with a scripted reply per transaction (e.g.
 * {@code 451} twice, then {@code 250}). It can also accept connections and never greet.
 */
public final class TestSmtpServer implements AutoCloseable {

    /** One accepted message. */
    /** @param mailParameters the ESMTP parameters of MAIL FROM as sent, e.g. {@code BODY=8BITMIME SMTPUTF8} */
    public record Received(String mailFrom, List<String> recipients, byte[] data, String mailParameters) {
        public String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    private final ServerSocket server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<String> greetings = new CopyOnWriteArrayList<>();
    private final AtomicInteger transactions = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final IntFunction<String> dataReply;
    private final String rcptReply;
    private final boolean silent;
    private final boolean smtputf8;
    private volatile boolean closed;

    private TestSmtpServer(final ServerSocket server, final IntFunction<String> dataReply,
            final String rcptReply, final boolean silent, final boolean smtputf8) {
        this.server = server;
        this.dataReply = dataReply;
        this.rcptReply = rcptReply;
        this.silent = silent;
        this.smtputf8 = smtputf8;
        Thread.ofVirtual().name("test-smtp-accept").start(this::acceptLoop);
    }

    public static Builder on(final String address) {
        return new Builder(address);
    }

    public int port() {
        return server.getLocalPort();
    }

    public String address() {
        return server.getInetAddress().getHostAddress();
    }

    /** Messages accepted with a 2xx, in order of acceptance. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /** The names clients gave in EHLO/HELO, in order. */
    public List<String> greetings() {
        return List.copyOf(greetings);
    }

    /** DATA transactions completed, whatever the reply. */
    public int transactions() {
        return transactions.get();
    }

    public int connections() {
        return connections.get();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (final IOException ignored) {
            // closing anyway
        }
        for (final Socket socket : open) {
            try {
                socket.close();
            } catch (final IOException ignored) {
                // closing anyway
            }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                final Socket socket = server.accept();
                socket.setTcpNoDelay(true); // each reply is its own write: don't let Nagle delay it
                connections.incrementAndGet();
                open.add(socket);
                Thread.ofVirtual().name("test-smtp-conn").start(() -> serve(socket));
            } catch (final IOException e) {
                if (!closed) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private void serve(final Socket socket) {
        try (socket; InputStream in = new BufferedInputStream(socket.getInputStream());
             OutputStream out = socket.getOutputStream()) {
            if (silent) {
                in.transferTo(OutputStream.nullOutputStream()); // hold the connection, never greet
                return;
            }
            reply(out, "220 test.smtp ESMTP ready");
            String from = null;
            String parameters = "";
            List<String> rcpts = new ArrayList<>();
            String line;
            while ((line = readLine(in)) != null) {
                final String upper = line.toUpperCase(Locale.ROOT);
                if (upper.startsWith("EHLO") || upper.startsWith("HELO")) {
                    greetings.add(line.substring(4).strip());
                }
                if (upper.startsWith("EHLO")) {
                    reply(out, "250-test.smtp\r\n250-PIPELINING\r\n250-8BITMIME\r\n" + (smtputf8 ? "250-SMTPUTF8\r\n" : "")
                            + "250 SIZE 100000000");
                } else if (upper.startsWith("HELO")) {
                    reply(out, "250 test.smtp");
                } else if (upper.startsWith("MAIL FROM:")) {
                    from = path(line.substring(10));
                    parameters = line.substring(line.indexOf('>') + 1).strip();
                    rcpts = new ArrayList<>();
                    reply(out, "250 2.1.0 ok");
                } else if (upper.startsWith("RCPT TO:")) {
                    if (rcptReply.startsWith("2")) {
                        rcpts.add(path(line.substring(8)));
                    }
                    reply(out, rcptReply);
                } else if (upper.equals("DATA")) {
                    reply(out, "354 go ahead");
                    final byte[] data = readData(in);
                    final String answer = dataReply.apply(transactions.getAndIncrement());
                    if (answer.startsWith("2")) {
                        received.add(new Received(from, List.copyOf(rcpts), data, parameters));
                    }
                    reply(out, answer);
                } else if (upper.equals("RSET")) {
                    from = null;
                    rcpts = new ArrayList<>();
                    reply(out, "250 2.0.0 ok");
                } else if (upper.equals("NOOP")) {
                    reply(out, "250 2.0.0 ok");
                } else if (upper.equals("QUIT")) {
                    reply(out, "221 2.0.0 bye");
                    return;
                } else {
                    reply(out, "502 5.5.2 command not implemented");
                }
            }
        } catch (final SocketException closedByPeer) {
            // the client went away
        } catch (final IOException e) {
            if (!closed) {
                throw new IllegalStateException(e);
            }
        } finally {
            open.remove(socket);
        }
    }

    private static String path(final String arg) {
        final String s = arg.strip();
        final int lt = s.indexOf('<');
        final int gt = s.indexOf('>');
        return lt >= 0 && gt > lt ? s.substring(lt + 1, gt) : s;
    }

    private static void reply(final OutputStream out, final String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String readLine(final InputStream in) throws IOException {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                final byte[] bytes = line.toByteArray();
                final int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.UTF_8);
            }
            line.write(b);
        }
        return null;
    }

    /** Reads up to CRLF.CRLF and returns the dot-unstuffed body with CRLF line ends. */
    private static byte[] readData(final InputStream in) throws IOException {
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        String line;
        while ((line = readLine(in)) != null) {
            if (line.equals(".")) {
                break;
            }
            final String unstuffed = line.startsWith(".") ? line.substring(1) : line;
            data.write(unstuffed.getBytes(StandardCharsets.UTF_8));
            data.write('\r');
            data.write('\n');
        }
        return data.toByteArray();
    }

    /** Where and how the server answers. */
    public static final class Builder {

        private final String address;
        private int port;
        private IntFunction<String> dataReply = n -> "250 2.0.0 queued as " + n;
        private String rcptReply = "250 2.1.5 ok";
        private boolean silent;
        private boolean smtputf8;

        private Builder(final String address) {
            this.address = address;
        }

        /** Listen on this port (0 = any); several servers on different 127.0.0.x may share one. */
        public Builder port(final int port) {
            this.port = port;
            return this;
        }

        /** Reply to the end of DATA of transaction n (0-based, counted over all connections). */
        public Builder dataReply(final IntFunction<String> reply) {
            this.dataReply = reply;
            return this;
        }

        public Builder rcptReply(final String reply) {
            this.rcptReply = reply;
            return this;
        }

        /** Announce SMTPUTF8 (RFC 6531) in the EHLO reply. */
        public Builder smtputf8() {
            this.smtputf8 = true;
            return this;
        }

        /** Accept TCP connections but never send a greeting. */
        public Builder silent() {
            this.silent = true;
            return this;
        }

        public TestSmtpServer start() {
            try {
                final ServerSocket server = new ServerSocket();
                server.setReuseAddress(true);
                server.bind(new InetSocketAddress(InetAddress.getByName(address), port), 512);
                return new TestSmtpServer(server, dataReply, rcptReply, silent, smtputf8);
            } catch (final IOException e) {
                throw new IllegalStateException("cannot listen on " + address + ":" + port, e);
            }
        }
    }
}
