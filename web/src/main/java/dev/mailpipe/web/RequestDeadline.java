package dev.mailpipe.web;

import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The deadline of one request: from its first line to the response's status, at most
 * {@code deadline}, or its connection is closed. Helidon's idle timeout covers a connection that
 * waits for (or trickles) a request's first line; nothing bounds a client that then sends its
 * headers or body one byte every few seconds (slowloris) — this does. Our handlers never block
 * (events go to the outbox), so the deadline only ever measures the client.
 *
 * <p>Listens to the HTTP/1 connection: the parsed first line starts the clock, the status sent
 * back stops it. On expiry the connection's (virtual) thread is interrupted, which closes its
 * socket, as Helidon's own idle timeout does.
 */
final class RequestDeadline implements Http1ConnectionListener, AutoCloseable {

    private final long deadlineNanos;
    private final Map<ConnectionContext, Started> started = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;
    private final AtomicLong closed = new AtomicLong();

    private record Started(Thread thread, long nanos) {
    }

    RequestDeadline(final Duration deadline) {
        this.deadlineNanos = deadline.toNanos();
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
                .name("web-request-deadline").unstarted(r));
        final long period = Math.max(20, Math.min(1000, deadline.toMillis() / 5));
        sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void prologue(final ConnectionContext ctx, final HttpPrologue prologue) {
        started.put(ctx, new Started(Thread.currentThread(), System.nanoTime()));
    }

    /** Connections closed for missing the deadline. */
    long closedConnections() {
        return closed.get();
    }

    private void sweep() {
        final long now = System.nanoTime();
        started.forEach((ctx, since) -> {
            if (now - since.nanos() > deadlineNanos) {
                if (started.remove(ctx, since)) {
                    closed.incrementAndGet();
                    since.thread().interrupt();
                }
            }
        });
    }

    /** The send side: the status went out, the request is answered. */
    Http1ConnectionListener sendListener() {
        return new Http1ConnectionListener() {
            @Override
            public void status(final ConnectionContext ctx, final Status status) {
                started.remove(ctx);
            }
        };
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
