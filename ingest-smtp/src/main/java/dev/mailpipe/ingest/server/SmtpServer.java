package dev.mailpipe.ingest.server;

import dev.mailpipe.platform.TlsContexts;
import dev.mailpipe.ingest.limits.ConnectionLimiter;
import dev.mailpipe.ingest.limits.EvictionPolicy;
import dev.mailpipe.ingest.smtp.ClientInfo;
import dev.mailpipe.ingest.smtp.InboundSession;
import dev.mailpipe.ingest.smtp.Replies;
import dev.mailpipe.platform.queue.Submitter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts SMTP connections on one or more ports and serves each on its own virtual thread.
 * Lifecycle: {@link #start} binds every listener and returns serving; {@link #close} stops
 * accepting, lets messages waiting for Kafka finish and closes all connections.
 */
public final class SmtpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpServer.class);

    /** One listening port; {@code implicitTls} = SMTPS (TLS from the first byte). */
    public record Listener(int port, boolean implicitTls) {
    }

    /** How connections are served. {@code sessions} makes the session for (client, session number). */
    public record Options(SSLContext tls, int maxLineLength, int commandTimeoutMs, int dataTimeoutMs,
            ConnectionLimiter limiter, Function<String, String> trustedAccount,
            BiFunction<ClientInfo, Long, InboundSession> sessions, Submitter submitter, IngestMetrics metrics,
            Deadlines deadlines) {

        public Options(final SSLContext tls, final int maxLineLength, final int commandTimeoutMs,
                final int dataTimeoutMs, final ConnectionLimiter limiter, final Function<String, String> trustedAccount,
                final BiFunction<ClientInfo, Long, InboundSession> sessions, final Submitter submitter,
                final IngestMetrics metrics) {
            this(tls, maxLineLength, commandTimeoutMs, dataTimeoutMs, limiter, trustedAccount, sessions, submitter,
                    metrics, Deadlines.DEFAULTS);
        }
    }

    /**
     * Slow and idle clients: a whole command line within {@code commandMs}; DATA within
     * {@code dataMs} plus its size at {@code dataMinBytesPerSecond}; when open connections reach
     * {@code evictRatio} of the cap, the unauthenticated connection idle the longest (at least
     * {@code evictMinIdleMs}) is closed with 421 4.7.0 for each new one.
     */
    public record Deadlines(int commandMs, int dataMs, long dataMinBytesPerSecond, double evictRatio,
            long evictMinIdleMs) {
        public static final Deadlines DEFAULTS = new Deadlines(300_000, 600_000, 10_240, 0.9, 1_000);
    }

    private final Options options;
    private final List<ServerSocket> sockets = new ArrayList<>();
    private final List<Thread> acceptors = new ArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Map<SmtpConnection, Socket> connections = new ConcurrentHashMap<>();
    private final Set<Thread> workers = ConcurrentHashMap.newKeySet();
    private final AtomicLong sessionNumbers = new AtomicLong();
    private volatile boolean closed;

    private final EvictionPolicy eviction;

    private SmtpServer(final Options options) {
        this.options = options;
        this.eviction = new EvictionPolicy(options.limiter().maxTotal(), options.deadlines().evictRatio(),
                java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(options.deadlines().evictMinIdleMs()));
    }

    /** Binds every listener on {@code host} (port 0 = a free port) and starts accepting. */
    public static SmtpServer start(final String host, final List<Listener> listeners, final Options options) {
        final SmtpServer server = new SmtpServer(options);
        try {
            for (final Listener listener : listeners) {
                final ServerSocket socket = listener.implicitTls()
                        ? options.tls().getServerSocketFactory().createServerSocket()
                        : new ServerSocket();
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(host, listener.port()), 1024);
                server.sockets.add(socket);
                final Thread acceptor = Thread.ofVirtual().name("smtp-accept-" + socket.getLocalPort())
                        .start(() -> server.acceptLoop(socket, listener.implicitTls()));
                server.acceptors.add(acceptor);
                LOG.info("SMTP{} listening on {}:{}", listener.implicitTls() ? "S (implicit TLS)" : "", host,
                        socket.getLocalPort());
            }
        } catch (final IOException e) {
            server.close();
            throw new UncheckedIOException("cannot listen for SMTP on " + host + " " + listeners, e);
        }
        return server;
    }

    /** The actually bound port of listener {@code index} (in the order given to {@link #start}). */
    public int port(final int index) {
        return sockets.get(index).getLocalPort();
    }

    private void acceptLoop(final ServerSocket serverSocket, final boolean implicitTls) {
        while (!closed) {
            final Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (final IOException e) {
                if (!closed) {
                    LOG.warn("accept failed on port {}: {}", serverSocket.getLocalPort(), e.toString());
                    pauseAfterAcceptFailure();
                }
                continue;
            }
            Thread.ofVirtual().name("smtp-" + socket.getRemoteSocketAddress()).start(() -> {
                workers.add(Thread.currentThread());
                try {
                    handle(socket, implicitTls);
                } finally {
                    workers.remove(Thread.currentThread());
                }
            });
        }
    }

    /** E.g. out of file descriptors: back off briefly instead of spinning. */
    private static void pauseAfterAcceptFailure() {
        try {
            Thread.sleep(100);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(final Socket socket, final boolean implicitTls) {
        final String address = socket.getInetAddress().getHostAddress();
        options.metrics().connection();
        if (!admit(address)) {
            options.metrics().connectionRefused();
            refuse(socket, implicitTls);
            return;
        }
        open.add(socket);
        SmtpConnection connection = null;
        try {
            socket.setTcpNoDelay(true);
            String cipher = null;
            String protocol = null;
            if (implicitTls) {
                final SSLSocket ssl = (SSLSocket) socket;
                TlsContexts.restrict(ssl);
                ssl.setSoTimeout(options.commandTimeoutMs());
                ssl.startHandshake();
                cipher = ssl.getSession().getCipherSuite();
                protocol = ssl.getSession().getProtocol();
            }
            final ClientInfo client = new ClientInfo(address, options.trustedAccount().apply(address), cipher, protocol);
            final InboundSession session = options.sessions().apply(client, sessionNumbers.incrementAndGet());
            connection = new SmtpConnection(socket, session, options.submitter(), options.metrics(), options.tls(),
                    options.maxLineLength(), options.commandTimeoutMs(), options.dataTimeoutMs(), options.deadlines());
            connections.put(connection, socket);
            if (!closed) {
                connection.serve();
            }
        } catch (final IOException e) {
            LOG.debug("connection from {} failed: {}", address, e.toString());
        } finally {
            if (connection != null) {
                connections.remove(connection);
            }
            open.remove(socket);
            closeQuietly(socket);
            options.limiter().release(address);
        }
    }

    /**
     * Takes a connection slot for {@code address}; near the global cap it first evicts the idle
     * unauthenticated connection waiting the longest, and waits briefly for its slot.
     */
    private boolean admit(final String address) {
        final ConnectionLimiter limiter = options.limiter();
        if (!eviction.shouldEvict(limiter.open())) {
            return limiter.tryOpen(address);
        }
        final boolean evictedOne = evictOne();
        if (limiter.tryOpen(address)) {
            return true;
        }
        if (!evictedOne) {
            return false;
        }
        final long deadline = System.nanoTime() + 500_000_000L; // the victim's thread frees its slot
        while (System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (limiter.tryOpen(address)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Evicts the connection the policy chooses; when that one has received a command since (or a
     * concurrent admission took it), chooses again, a few times.
     *
     * @return false when no connection was evicted
     */
    private boolean evictOne() {
        for (int attempt = 0; attempt < 3; attempt++) {
            final java.util.Optional<EvictionPolicy.Victim<SmtpConnection>> victim =
                    eviction.choose(connections.keySet(), System.nanoTime());
            if (victim.isEmpty()) {
                return false;
            }
            final SmtpConnection connection = victim.get().connection();
            if (connection.evict(victim.get().idleSince())) {
                connections.remove(connection);
                options.metrics().connectionEvicted();
                return true;
            }
        }
        return false;
    }

    /** How many open connections the eviction policy could evict now (for tests). */
    int evictable() {
        return eviction.evictable(connections.keySet(), System.nanoTime());
    }

    private void refuse(final Socket socket, final boolean implicitTls) {
        try (socket) {
            if (!implicitTls) {
                socket.getOutputStream().write(Replies.TOO_MANY_CONNECTIONS.wireBytes());
                socket.getOutputStream().flush();
            }
        } catch (final IOException e) {
            // nothing to tell a client that already left
        }
    }

    /**
     * Stops accepting, closes idle connections, lets connections waiting for a Kafka
     * acknowledgement finish that message (up to 10 s), then closes everything.
     */
    @Override
    public void close() {
        closed = true;
        sockets.forEach(SmtpServer::closeQuietly);
        connections.forEach((connection, socket) -> {
            if (connection.stopIfIdle()) {
                closeQuietly(socket);
            }
        });
        final long deadline = System.nanoTime() + 10_000_000_000L;
        for (final Thread worker : List.copyOf(workers)) {
            final long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                worker.join(java.time.Duration.ofNanos(left));
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        open.forEach(SmtpServer::closeQuietly);
        for (final Thread acceptor : acceptors) {
            try {
                acceptor.join(5_000);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(final AutoCloseable c) {
        try {
            c.close();
        } catch (final Exception e) {
            // closing anyway
        }
    }
}
