package dev.mailpipe.deliverer.replay;

import dev.mailpipe.deliverer.RetryHeaders;
import dev.mailpipe.schemas.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Headers of a replayed record: a fresh first attempt that says where it came from. */
public final class ReplayHeaders {

    /** {@code topic/partition/offset} of the record a replay copied. */
    public static final String REPLAYED_FROM = "mailpipe.replay.from";

    /**
     * The id of the replay that wrote the record (UTF-8). The deliverer keeps it on the retry and
     * dead-letter records of the email and puts it on every event ({@code DeliveryEvent.replayId});
     * a replay run again with the same id skips the emails already carrying it on mail.outbound.
     */
    public static final String REPLAY_ID = "mailpipe.replay.id";

    /** Retry state and the dead-letter reason belong to the old attempts, not to the new one. */
    private static final Set<String> DROPPED = Set.of(RetryHeaders.ATTEMPT, RetryHeaders.FIRST_ATTEMPT,
            RetryHeaders.DUE_AT, RetryHeaders.MX_HOST, RetryHeaders.LAST_ERROR, DeadLetterHeaders.REASON, DeadLetterHeaders.TOPIC, DeadLetterHeaders.PARTITION,
            DeadLetterHeaders.OFFSET, REPLAYED_FROM, REPLAY_ID,
            // names written before the one header convention (0.1)
            "mailpipe-attempt", "mailpipe-first-attempt", "mailpipe-due-at", "mailpipe-reason",
            "mailpipe-replayed-from");

    private ReplayHeaders() {
    }

    /** A copy of {@code original} without retry headers, with {@link #REPLAYED_FROM} and {@link #REPLAY_ID} set. */
    public static Headers forReplay(final Headers original, final String topic, final int partition, final long offset,
            final String replayId) {
        final RecordHeaders headers = new RecordHeaders();
        for (final Header h : original) {
            if (!DROPPED.contains(h.key())) {
                headers.add(h);
            }
        }
        headers.add(REPLAYED_FROM, (topic + "/" + partition + "/" + offset).getBytes(StandardCharsets.UTF_8));
        headers.add(REPLAY_ID, replayId.getBytes(StandardCharsets.UTF_8));
        return headers;
    }
}
