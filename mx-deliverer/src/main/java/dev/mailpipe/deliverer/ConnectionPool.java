package dev.mailpipe.deliverer;

import dev.mailpipe.deliverer.smtp.OutboundSession;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Idle SMTP sessions per MX address, reused for the next message to that address. A session
 * is handed back only after a clean transaction; it retires after {@code maxMessages}
 * transactions or {@code idle} without use (QUIT in the background).
 */
final class ConnectionPool implements AutoCloseable {

    private record Idle(OutboundSession session, long since) {
    }

    private final int maxMessages;
    private final long idleNanos;
    private final Map<InetSocketAddress, Deque<Idle>> idle = new ConcurrentHashMap<>();
    private final ScheduledExecutorService reaper;
    private volatile boolean closed;

    ConnectionPool(final int maxMessages, final Duration idleTimeout) {
        this.maxMessages = maxMessages;
        this.idleNanos = idleTimeout.toNanos();
        this.reaper = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
                .name("mx-pool-reaper").unstarted(r));
        final long period = Math.max(100, Math.min(1000, idleTimeout.toMillis() / 2));
        reaper.scheduleWithFixedDelay(this::reap, period, period, TimeUnit.MILLISECONDS);
    }

    /** An idle session to {@code address}, or null when none. */
    OutboundSession take(final InetSocketAddress address) {
        final Deque<Idle> queue = idle.get(address);
        if (queue == null) {
            return null;
        }
        final Idle entry = queue.pollFirst();
        return entry == null ? null : entry.session();
    }

    /** Returns a healthy session for reuse, or quits it when it has done enough. */
    void giveBack(final InetSocketAddress address, final OutboundSession session) {
        if (closed || session.transactions() >= maxMessages || idleNanos == 0) {
            Thread.ofVirtual().start(session::quit);
            return;
        }
        idle.computeIfAbsent(address, a -> new ConcurrentLinkedDeque<>()).addFirst(new Idle(session, System.nanoTime()));
    }

    private void reap() {
        final long now = System.nanoTime();
        for (final Deque<Idle> queue : idle.values()) {
            for (final Idle entry : List.copyOf(queue)) {
                if (now - entry.since() >= idleNanos && queue.remove(entry)) {
                    Thread.ofVirtual().start(entry.session()::quit);
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        reaper.shutdownNow();
        final List<OutboundSession> all = new ArrayList<>();
        idle.values().forEach(q -> {
            Idle e;
            while ((e = q.pollFirst()) != null) {
                all.add(e.session());
            }
        });
        all.forEach(OutboundSession::quit);
    }
}
