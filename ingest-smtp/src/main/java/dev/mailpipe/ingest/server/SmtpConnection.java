package dev.mailpipe.ingest.server;

import dev.mailpipe.platform.TlsContexts;
import dev.mailpipe.core.smtp.SmtpReply;
import dev.mailpipe.ingest.limits.EvictionPolicy;
import dev.mailpipe.ingest.limits.ReadDeadline;
import dev.mailpipe.ingest.smtp.DataDecoder;
import dev.mailpipe.ingest.smtp.InboundSession;
import dev.mailpipe.ingest.smtp.Replies;
import dev.mailpipe.ingest.smtp.Step;
import dev.mailpipe.platform.queue.Submitter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport of one SMTP connection: reads input, feeds the {@link InboundSession}, writes its
 * replies and performs its actions (read DATA, queue, STARTTLS, close). Runs on its own virtual
 * thread; blocking here blocks nobody else.
 *
 * <p>Replies are written to a buffer and flushed only when no further input is waiting, so a
 * pipelining client gets all replies of one batch in order and in one write (RFC 2920).
 */
final class SmtpConnection implements EvictionPolicy.Candidate {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpConnection.class);

    private Socket socket;
    private final InboundSession session;
    private final Submitter submitter;
    private final IngestMetrics metrics;
    private final SSLContext tls;
    private final int maxLineLength;
    private final int commandTimeoutMs;
    private final int dataTimeoutMs;
    private ConnectionInput input;
    private OutputStream output;
    /** IDLE, SUBMITTING (a message is with Kafka; the socket must stay open) or STOPPED. */
    private final java.util.concurrent.atomic.AtomicInteger phase = new java.util.concurrent.atomic.AtomicInteger(IDLE);
    private static final int IDLE = 0;
    private static final int SUBMITTING = 1;
    private static final int STOPPED = 2;
    private volatile boolean stopping;
    private volatile boolean evicted;
    private volatile boolean authenticated;
    /**
     * nanoTime since which the connection waits for a command line; {@link #BUSY} while it reads
     * or handles one, {@link #EVICTED} once another connection's thread took it (compare-and-set,
     * so a connection is never evicted once it has a command to handle).
     */
    private final java.util.concurrent.atomic.AtomicLong idleSince = new java.util.concurrent.atomic.AtomicLong(BUSY);
    private static final long BUSY = -1;
    private static final long EVICTED = -2;
    private final SmtpServer.Deadlines deadlines;

    SmtpConnection(final Socket socket, final InboundSession session, final Submitter submitter, final IngestMetrics metrics,
            final SSLContext tls, final int maxLineLength, final int commandTimeoutMs, final int dataTimeoutMs)
            throws IOException {
        this(socket, session, submitter, metrics, tls, maxLineLength, commandTimeoutMs, dataTimeoutMs,
                SmtpServer.Deadlines.DEFAULTS);
    }

    SmtpConnection(final Socket socket, final InboundSession session, final Submitter submitter, final IngestMetrics metrics,
            final SSLContext tls, final int maxLineLength, final int commandTimeoutMs, final int dataTimeoutMs,
            final SmtpServer.Deadlines deadlines) throws IOException {
        this.deadlines = deadlines;
        this.socket = socket;
        this.session = session;
        this.submitter = submitter;
        this.metrics = metrics;
        this.tls = tls;
        this.maxLineLength = maxLineLength;
        this.commandTimeoutMs = commandTimeoutMs;
        this.dataTimeoutMs = dataTimeoutMs;
        this.input = new ConnectionInput(socket.getInputStream());
        this.output = new BufferedOutputStream(socket.getOutputStream(), 8 * 1024);
    }

    /** Serves the connection until QUIT, an error or the client leaves. Never throws. */
    void serve() {
        try {
            socket.setSoTimeout(commandTimeoutMs);
            authenticated = session.apiUser() != null; // a trusted network's client, before its greeting
            boolean open = perform(session.greet());
            while (open) {
                if (stopping) {
                    perform(session.onShutdown());
                    return;
                }
                final ConnectionInput.Line line;
                if (!input.hasPending()) {
                    awaitCommand(); // normally done already, before the reply was flushed
                }
                input.deadline(ReadDeadline.forLine(System.nanoTime(), Duration.ofMillis(deadlines.commandMs())),
                        commandTimeoutMs, ms -> socket.setSoTimeout(ms));
                long was = BUSY;
                try {
                    line = input.readLine(maxLineLength);
                } finally {
                    was = idleSince.getAndSet(BUSY);
                    input.deadline(null, 0, null);
                }
                if (was == EVICTED) { // evicted just as the line came in (or from the buffer): not handled
                    sayEvicted();
                    return;
                }
                if (line == null) {
                    if (evicted) {
                        sayEvicted();
                    }
                    return;
                }
                final Step step = line.tooLong() ? session.onLineTooLong() : session.onLine(line.text());
                authenticated = session.apiUser() != null; // before the reply (235) reaches the client
                open = perform(step);
                authenticated = session.apiUser() != null; // STARTTLS forgets the login
            }
        } catch (final SocketTimeoutException e) {
            if (evicted) {
                sayEvicted();
                return;
            }
            try {
                perform(session.onTimeout()); // between commands or in the middle of DATA
            } catch (final IOException | RuntimeException ignored) {
                // the client is gone anyway
            }
        } catch (final IOException e) {
            if (evicted) {
                sayEvicted();
                return;
            }
            LOG.debug("connection from {} ended: {}", socket.getRemoteSocketAddress(), e.toString());
        } catch (final RuntimeException e) {
            LOG.error("bug while serving {}", socket.getRemoteSocketAddress(), e);
        }
    }

    @Override
    public boolean authenticated() {
        return authenticated;
    }

    @Override
    public long idleSince() {
        return idleSince.get();
    }

    /**
     * From here the connection waits for a command: called before the reply that ends the
     * previous one is flushed, so a client that has read the reply is already idle in the eviction
     * policy's eyes (and the one that got its reply first is the one idle the longest).
     */
    private void awaitCommand() {
        idleSince.compareAndSet(BUSY, System.nanoTime());
    }

    /**
     * Ends an idle connection to make room for others, if it is still idle since
     * {@code seenIdleSince} (what the eviction policy judged by): its reader sees end of input and
     * answers {@code 421 4.7.0} before closing. Called from another connection's thread.
     *
     * @return false when it has received a command since, or another connection evicted it
     */
    boolean evict(final long seenIdleSince) {
        if (seenIdleSince < 0 || !idleSince.compareAndSet(seenIdleSince, EVICTED)) {
            return false;
        }
        evicted = true;
        try {
            if (socket instanceof SSLSocket) {
                socket.close(); // TLS sockets cannot half-close: no 421 for them
            } else {
                socket.shutdownInput();
            }
        } catch (final IOException | UnsupportedOperationException e) {
            try {
                socket.close();
            } catch (final IOException ignored) {
                // gone already
            }
        }
        return true;
    }

    private void sayEvicted() {
        try {
            output.write(Replies.IDLE_EVICTED.wireBytes());
            output.flush();
        } catch (final IOException ignored) {
            // the client is gone anyway
        }
    }

    /**
     * Asks the connection to end. A connection with a submission in flight finishes it (so the
     * client hears the outcome of a message Kafka may already have), then says 421 and closes.
     *
     * @return true when no submission is in flight and none will start: the caller closes the socket
     */
    boolean stopIfIdle() {
        stopping = true;
        return phase.compareAndSet(IDLE, STOPPED);
    }

    /** @return false when the connection must close */
    private boolean perform(final Step step) throws IOException {
        write(step);
        return switch (step.action()) {
            case Step.Action.Continue c -> {
                if (!input.hasPending()) {
                    awaitCommand();
                    output.flush();
                }
                yield true;
            }
            case Step.Action.ReadData r -> {
                if (!input.hasPending()) {
                    output.flush();
                }
                yield perform(session.onData(readData(r)));
            }
            case Step.Action.Submit s -> {
                output.flush();
                if (!phase.compareAndSet(IDLE, SUBMITTING)) {
                    yield perform(session.onQueueFailed()); // stopping: do not start what we could not report
                }
                try {
                    final long start = System.nanoTime();
                    final boolean queued = submitter.submit(s.submission());
                    if (queued) {
                        metrics.accepted(s.submission().content().length, System.nanoTime() - start);
                    }
                    write(queued ? session.onQueued() : session.onQueueFailed());
                    if (!input.hasPending()) {
                        awaitCommand();
                    }
                    output.flush(); // the outcome reaches the client before a shutdown may close the socket
                } finally {
                    phase.compareAndSet(SUBMITTING, IDLE);
                }
                yield true;
            }
            case Step.Action.StartTls t -> {
                output.flush();
                startTls();
                yield true;
            }
            case Step.Action.Close c -> {
                output.flush();
                yield false;
            }
        };
    }

    private dev.mailpipe.ingest.smtp.DataOutcome readData(final Step.Action.ReadData r) throws IOException {
        final DataDecoder decoder = new DataDecoder(r.maxBytes(), r.maxLineLength());
        socket.setSoTimeout(dataTimeoutMs);
        input.deadline(ReadDeadline.forData(System.nanoTime(), Duration.ofMillis(deadlines.dataMs()),
                deadlines.dataMinBytesPerSecond()), dataTimeoutMs, ms -> socket.setSoTimeout(ms));
        try {
            input.readData(decoder);
        } finally {
            input.deadline(null, 0, null);
            socket.setSoTimeout(commandTimeoutMs);
        }
        return decoder.outcome();
    }

    private void write(final Step step) throws IOException {
        for (final SmtpReply reply : step.replies()) {
            if (reply.isError()) {
                metrics.rejected(reply);
            }
            output.write(reply.wireBytes());
        }
    }

    private void startTls() throws IOException {
        final SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(socket,
                socket.getInetAddress().getHostAddress(), socket.getPort(), true);
        ssl.setUseClientMode(false);
        TlsContexts.restrict(ssl);
        ssl.startHandshake();
        socket = ssl;
        input.switchTo(ssl.getInputStream());
        output = new BufferedOutputStream(ssl.getOutputStream(), 8 * 1024);
        session.onTlsStarted(ssl.getSession().getProtocol(), ssl.getSession().getCipherSuite());
    }
}
