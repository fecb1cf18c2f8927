package dev.mailpipe.deliverer.queue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Deferred emails counted into {@link QueueRow}s as they are read, as Postfix {@code qshape} does
 * by age: for every {@link QueueBy} at once, so its memory is one row per recipient domain, MX
 * host, account and stage, never one entry per email (a backlog of millions is counted, not held).
 * Rows with most emails come first (then by key); {@link QueueBy#STAGE} has one row per retry
 * topic in stage order, empty stages included. Pure; filled by one thread, then read.
 */
public final class QueueShape {

    private final List<String> stages;
    private final Map<QueueBy, Map<String, Acc>> rows = new EnumMap<>(QueueBy.class);
    private long total;

    /** @param stages the retry topics in stage order */
    public QueueShape(final List<String> stages) {
        this.stages = List.copyOf(stages);
        for (final QueueBy by : QueueBy.values()) {
            rows.put(by, new HashMap<>());
        }
    }

    /** The shape of {@code deferred}. */
    public static QueueShape of(final List<String> stages, final List<DeferredEmail> deferred) {
        final QueueShape shape = new QueueShape(stages);
        deferred.forEach(shape::add);
        return shape;
    }

    public static List<QueueRow> rows(final List<DeferredEmail> deferred, final QueueBy by, final List<String> stages) {
        return of(stages, deferred).rows(by);
    }

    public void add(final DeferredEmail email) {
        total++;
        final int stage = stages.indexOf(email.topic());
        rows.forEach((by, byKey) -> byKey.computeIfAbsent(by.keyOf(email), k -> new Acc(stages.size()))
                .add(email, stage));
    }

    /** How many emails were added. */
    public long total() {
        return total;
    }

    public List<QueueRow> rows(final QueueBy by) {
        final Map<String, Acc> byKey = rows.get(by);
        if (by == QueueBy.STAGE) {
            final List<QueueRow> out = new ArrayList<>();
            for (final String topic : stages) {
                final String key = RetryStages.label(topic);
                out.add(byKey.getOrDefault(key, new Acc(stages.size())).row(key));
            }
            return out;
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

        void add(final DeferredEmail email, final int stage) {
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
