package dev.mailpipe.deliverer.queue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Aggregates deferred emails into {@link QueueRow}s, as Postfix {@code qshape} does by age: rows
 * with most emails first (then by key); with {@link QueueBy#STAGE} one row per retry topic in
 * stage order, empty stages included. Pure.
 */
public final class QueueShape {

    private QueueShape() {
    }

    public static List<QueueRow> rows(final List<DeferredEmail> deferred, final QueueBy by, final List<String> stages) {
        final Map<String, Acc> byKey = new HashMap<>();
        for (final DeferredEmail email : deferred) {
            byKey.computeIfAbsent(by.keyOf(email), k -> new Acc(stages.size())).add(email, stages);
        }
        if (by == QueueBy.STAGE) {
            final List<QueueRow> rows = new ArrayList<>();
            for (final String topic : stages) {
                final String key = RetryStages.label(topic);
                rows.add(byKey.getOrDefault(key, new Acc(stages.size())).row(key));
            }
            return rows;
        }
        return byKey.entrySet().stream().map(e -> e.getValue().row(e.getKey()))
                .sorted(Comparator.comparingLong(QueueRow::total).reversed().thenComparing(QueueRow::key))
                .toList();
    }

    /** Counts and extremes of one row while the emails are added. */
    private static final class Acc {
        private final long[] perStage;
        private long total;
        private Instant oldest;
        private Instant lastErrorAt;
        private String lastError;

        Acc(final int stages) {
            this.perStage = new long[stages];
        }

        void add(final DeferredEmail email, final List<String> stages) {
            final int stage = stages.indexOf(email.topic());
            if (stage >= 0) {
                perStage[stage]++;
            }
            total++;
            if (email.firstAttempt() != null && (oldest == null || email.firstAttempt().isBefore(oldest))) {
                oldest = email.firstAttempt();
            }
            if (email.lastError() != null && (lastErrorAt == null || !email.deferredAt().isBefore(lastErrorAt))) {
                lastErrorAt = email.deferredAt();
                lastError = email.lastError();
            }
        }

        QueueRow row(final String key) {
            final List<Long> counts = new ArrayList<>(perStage.length);
            for (final long n : perStage) {
                counts.add(n);
            }
            return new QueueRow(key, counts, total, oldest, lastError);
        }
    }
}
