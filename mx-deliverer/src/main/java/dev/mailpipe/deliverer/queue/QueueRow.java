package dev.mailpipe.deliverer.queue;

import java.time.Instant;
import java.util.List;

/**
 * One line of the queue table: {@code key} (a domain, MX host, account or stage), how many emails
 * wait in each stage ({@code perStage}, in the order of the snapshot's retry topics) and in all,
 * the first attempt of the oldest one, and the error of the most recent deferral (null if unknown).
 */
public record QueueRow(String key, List<Long> perStage, long total, Instant oldestFirstAttempt, String lastError) {

    public QueueRow {
        perStage = List.copyOf(perStage);
    }
}
