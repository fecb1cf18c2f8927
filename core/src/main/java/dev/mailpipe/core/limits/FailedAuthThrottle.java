package dev.mailpipe.core.limits;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Refuses AUTH from an address after {@code maxFailures} failed attempts within a window that
 * starts at the first failure; the block lifts when the window ends. Per replica, in memory.
 */
public final class FailedAuthThrottle implements AuthThrottle {

    private record Window(long startMillis, int failures) {
    }

    private final int maxFailures;
    private final long windowMillis;
    private final Clock clock;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    public FailedAuthThrottle(final int maxFailures, final long windowMillis, final Clock clock) {
        this.maxFailures = maxFailures;
        this.windowMillis = windowMillis;
        this.clock = clock;
    }

    @Override
    public boolean isBlocked(final String clientAddress) {
        final Window w = windows.get(clientAddress);
        if (w == null) {
            return false;
        }
        if (clock.millis() - w.startMillis() >= windowMillis) {
            windows.remove(clientAddress, w);
            return false;
        }
        return w.failures() >= maxFailures;
    }

    @Override
    public void recordFailure(final String clientAddress) {
        final long now = clock.millis();
        windows.compute(clientAddress, (a, w) -> w == null || now - w.startMillis() >= windowMillis
                ? new Window(now, 1) : new Window(w.startMillis(), w.failures() + 1));
        if (windows.size() > 100_000) {
            windows.entrySet().removeIf(e -> now - e.getValue().startMillis() >= windowMillis);
        }
    }
}
