package dev.mailpipe.ingest.limits;

import java.util.Collection;
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

        /**
         * {@link System#nanoTime()} since which it waits for a command, or negative when busy. The
         * server starts waiting when it has answered, so this is set before the answer is sent:
         * a client that has the reply is already idle in the policy's eyes.
         */
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

    /**
     * The connection chosen, with the {@link Candidate#idleSince()} the choice was based on: the
     * caller evicts it only if it is still idle since then (it may have received a command since).
     */
    public record Victim<C extends Candidate>(C connection, long idleSince) {
    }

    /**
     * The connection to evict now, if any qualifies. Each candidate's {@code idleSince} is read
     * once: it changes under our feet (a connection that receives a command becomes busy, -1), and
     * reading it again to compare would make a connection that just became busy the "oldest".
     */
    public <C extends Candidate> Optional<Victim<C>> choose(final Collection<C> open, final long now) {
        C victim = null;
        long oldest = Long.MAX_VALUE;
        for (final C c : open) {
            if (c.authenticated()) {
                continue;
            }
            final long since = c.idleSince();
            if (evictable(since, now) && since < oldest) {
                victim = c;
                oldest = since;
            }
        }
        return victim == null ? Optional.empty() : Optional.of(new Victim<>(victim, oldest));
    }

    /** How many of {@code open} could be evicted at {@code now}. */
    public int evictable(final Collection<? extends Candidate> open, final long now) {
        int n = 0;
        for (final Candidate c : open) {
            if (!c.authenticated() && evictable(c.idleSince(), now)) {
                n++;
            }
        }
        return n;
    }

    private boolean evictable(final long idleSince, final long now) {
        return idleSince >= 0 && now - idleSince >= minIdleNanos;
    }

    public int maxTotal() {
        return maxTotal;
    }
}
