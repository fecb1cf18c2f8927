package dev.mailpipe.deliverer.smtp;

import dev.mailpipe.core.smtp.SmtpReply;
import dev.mailpipe.platform.OpportunisticTls;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** {@link SmtpTransport} over a TCP socket, with STARTTLS. */
public final class SocketTransport implements SmtpTransport {

    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final SSLContext OPPORTUNISTIC = OpportunisticTls.context();
    private static final int BUFFER = 65_536;
    /** Writes in progress (their deadlines) not yet finished: none once every write returned (for tests). */
    static int pendingWriteGuards() {
        return WriteDeadlines.pending();
    }

    private final String hostName;
    private final Duration writeTimeout;
    private volatile boolean writeTimedOut;
    private Socket socket;
    private OutputStream out;
    private ReplyReader in;
    private boolean tls;

    private SocketTransport(final Socket socket, final String hostName, final Duration writeTimeout)
            throws IOException {
        this.hostName = hostName;
        this.writeTimeout = writeTimeout;
        attach(socket);
    }

    /** Connects within {@code timeout}; writes may block 3 minutes (RFC 5321 data block). */
    public static SocketTransport connect(final InetSocketAddress address, final String hostName,
            final Duration timeout) throws IOException {
        return connect(address, hostName, timeout, SmtpTimeouts.rfc5321().dataBlock());
    }

    /**
     * Connects within {@code timeout}; {@code hostName} is the MX name (for TLS SNI). A write
     * that blocks longer than {@code writeTimeout} closes the connection.
     */
    public static SocketTransport connect(final InetSocketAddress address, final String hostName,
            final Duration timeout, final Duration writeTimeout) throws IOException {
        final Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(address, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            return new SocketTransport(socket, hostName, writeTimeout);
        } catch (final IOException e) {
            socket.close();
            throw e;
        }
    }

    private void attach(final Socket s) throws IOException {
        this.socket = s;
        this.out = new BufferedOutputStream(s.getOutputStream(), BUFFER);
        this.in = new ReplyReader(new BufferedInputStream(s.getInputStream(), 8192));
    }

    @Override
    public void write(final byte[] bytes) throws IOException {
        guarded(() -> out.write(bytes));
    }

    @Override
    public void flush() throws IOException {
        guarded(out::flush);
    }

    private interface Write {
        void run() throws IOException;
    }

    private void guarded(final Write write) throws IOException {
        final WriteDeadlines.Write deadline = WriteDeadlines.start(writeTimeout.toMillis(), () -> {
            writeTimedOut = true;
            close();
        });
        try {
            write.run();
        } catch (final IOException e) {
            if (writeTimedOut) {
                throw new SocketTimeoutException("write timed out after " + writeTimeout.toMillis() + " ms");
            }
            throw e;
        } finally {
            WriteDeadlines.done(deadline);
        }
    }

    @Override
    public SmtpReply read(final Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
        return in.read();
    }

    /**
     * Opportunistic TLS (RFC 3207 as MTAs practise it): encrypt, do not authenticate the peer —
     * a verified-only policy would fail most MX hosts; DANE/MTA-STS are not implemented.
     */
    @Override
    public void startTls() throws IOException {
        final SSLSocket ssl = (SSLSocket) OPPORTUNISTIC.getSocketFactory()
                .createSocket(socket, hostName, socket.getPort(), true);
        ssl.setEnabledProtocols(PROTOCOLS);
        ssl.setUseClientMode(true);
        ssl.startHandshake();
        attach(ssl);
        tls = true;
    }

    @Override
    public boolean tlsActive() {
        return tls;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (final IOException ignored) {
            // closing anyway
        }
    }
}
