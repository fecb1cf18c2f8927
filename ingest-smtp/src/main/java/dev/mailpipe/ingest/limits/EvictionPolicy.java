package dev.mailpipe.ingest.limits;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/**
 * Which connection to drop when the global connection cap is near, so that idle connections
 * (e.g. 2,000 from 45 addresses, each under the per-address cap) cannot lock legitimate clients
 * out. Only connections that are <em>unauthenticated</em> and <em>idle</em> (waiting for a command,
 * not in DATA or waiting for Kafka) for at least {@code minIdle} are candidates; the one idle the
 * longest goes first. Authenticated clients are never evicted. Pure.
 */
public final class EvictionPolicy {

    /** What the policy needs to know of one open connection. */
    public interface Candidate {
        boolean authenticated();

        /** {@link System#nanoTime()} since which it waits for a command, or -1 when busy. */
        long idleSince();
    }

    private final int maxTotal;
    private final int threshold;
    private final long minIdleNanos;

    /**
     * @param maxTotal      the global cap
     * @param headroomRatio evict once open connections reach this share of the cap (e.g. 0.9)
     * @param minIdleNanos  a connection must have been idle this long to be evicted
     */
    public EvictionPolicy(final int maxTotal, final double headroomRatio, final long minIdleNanos) {
        this.maxTotal = maxTotal;
        this.threshold = Math.max(1, (int) Math.floor(maxTotal * headroomRatio));
        this.minIdleNanos = minIdleNanos;
    }

    /** True when a new connection should first make room. */
    public boolean shouldEvict(final int open) {
        return open >= threshold;
    }

    /** The connection to evict now, if any qualifies. */
    public <C extends Candidate> Optional<C> choose(final Collection<C> open, final long now) {
        return open.stream()
                .filter(c -> !c.authenticated())
                .filter(c -> c.idleSince() >= 0 && now - c.idleSince() >= minIdleNanos)
                .min(Comparator.comparingLong(Candidate::idleSince));
    }

    public int maxTotal() {
        return maxTotal;
    }
}
