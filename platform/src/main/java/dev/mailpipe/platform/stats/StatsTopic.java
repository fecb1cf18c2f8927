package dev.mailpipe.platform.stats;

import dev.mailpipe.platform.TopicProvisioner.TopicSpec;
import dev.mailpipe.schemas.Topics;
import java.time.Duration;
import java.util.Map;

/**
 * {@code mail.stats} as every service that touches it creates it: compacted (one record per bucket
 * is all a reader needs) and deleted after {@link #RETENTION}, so its size is bounded by the
 * buckets of that many days rather than growing forever.
 */
public final class StatsTopic {

    /** How long buckets are kept: over a year of history (a query spans at most {@link StatsQuery#MAX_DAYS}). */
    public static final Duration RETENTION = Duration.ofDays(400);

    private StatsTopic() {
    }

    public static TopicSpec spec(final int partitions) {
        return new TopicSpec(Topics.STATS.name(), partitions, Map.of("cleanup.policy", "compact,delete",
                "retention.ms", Long.toString(RETENTION.toMillis()), "min.compaction.lag.ms", "0"));
    }
}
