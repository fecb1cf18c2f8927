package dev.mailpipe.deliverer.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The text {@code ./mailpipe queue} prints for a snapshot: a summary line, the deferred emails per
 * row key with a column per stage (except {@code --by stage}), their oldest age and last error,
 * then the lag of every consumer group per topic. Pure; ages count from {@code now}.
 */
public final class QueueTable {

    /** Longer errors are cut (with {@code ...}) so a row stays on one line of a wide terminal. */
    static final int MAX_ERROR_CHARS = 80;

    private QueueTable() {
    }

    public static String render(final QueueSnapshot snapshot, final QueueBy by, final Instant now) {
        final StringBuilder out = new StringBuilder();
        final List<String> stages = snapshot.retryTopics();
        out.append(String.format(Locale.ROOT, "deferred now: %d email(s) in %d retry topic(s) beyond group %s, at %s%n",
                snapshot.shape().total(), stages.size(), snapshot.delivererGroup(), snapshot.readAt()));
        if (snapshot.undecodable() > 0) {
            out.append(String.format(Locale.ROOT, "(%d undecodable record(s) in the retry topics, not counted)%n",
                    snapshot.undecodable()));
        }
        out.append(System.lineSeparator());
        if (stages.isEmpty()) {
            out.append("no retry topics (mail.outbound.retry-*) yet").append(System.lineSeparator());
        } else if (snapshot.shape().total() == 0 && by != QueueBy.STAGE) {
            out.append("nothing deferred").append(System.lineSeparator());
        } else {
            out.append(deferredTable(snapshot.shape().rows(by), by, stages, now));
        }
        out.append(System.lineSeparator());
        out.append(lagTable(snapshot.lags()));
        return out.toString();
    }

    private static String deferredTable(final List<QueueRow> rows, final QueueBy by, final List<String> stages,
            final Instant now) {
        final boolean stageColumns = by != QueueBy.STAGE;
        final List<String> heading = new ArrayList<>(List.of(by.heading(), "DEFERRED"));
        if (stageColumns) {
            stages.forEach(t -> heading.add(RetryStages.label(t)));
        }
        heading.addAll(List.of("OLDEST", "LAST ERROR"));
        final List<List<String>> cells = new ArrayList<>();
        for (final QueueRow row : rows) {
            final List<String> line = new ArrayList<>(List.of(row.key(), Long.toString(row.total())));
            if (stageColumns) {
                row.perStage().forEach(n -> line.add(Long.toString(n)));
            }
            line.add(row.oldestFirstAttempt() == null ? "-" : Ages.format(Duration.between(row.oldestFirstAttempt(), now)));
            line.add(row.lastError() == null ? "-" : cut(row.lastError()));
            cells.add(line);
        }
        // numbers right-aligned: every column but the key and the last two
        return new Grid(heading, cells, 1, heading.size() - 2).toString();
    }

    private static String lagTable(final List<GroupLag> lags) {
        if (lags.isEmpty()) {
            return "no consumer groups with committed offsets" + System.lineSeparator();
        }
        final List<List<String>> cells = new ArrayList<>();
        lags.stream().sorted(Comparator.comparing(GroupLag::group).thenComparing(GroupLag::topic))
                .forEach(l -> cells.add(List.of(l.group(), l.topic(), Integer.toString(l.partitions()),
                        Long.toString(l.lag()))));
        return new Grid(List.of("CONSUMER GROUP", "TOPIC", "PARTITIONS", "LAG"), cells, 2, 4).toString();
    }

    static String cut(final String error) {
        final String oneLine = error.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= MAX_ERROR_CHARS ? oneLine : oneLine.substring(0, MAX_ERROR_CHARS - 3) + "...";
    }

    /** Columns padded to their widest cell, two spaces apart; columns [from, to) right-aligned. */
    private record Grid(List<String> heading, List<List<String>> rows, int rightFrom, int rightTo) {

        @Override
        public String toString() {
            final int[] width = new int[heading.size()];
            final List<List<String>> all = new ArrayList<>();
            all.add(heading);
            all.addAll(rows);
            for (final List<String> row : all) {
                for (int i = 0; i < row.size(); i++) {
                    width[i] = Math.max(width[i], row.get(i).length());
                }
            }
            final StringBuilder out = new StringBuilder();
            for (final List<String> row : all) {
                final StringBuilder line = new StringBuilder();
                for (int i = 0; i < row.size(); i++) {
                    if (i > 0) {
                        line.append("  ");
                    }
                    final String cell = row.get(i);
                    final String pad = " ".repeat(width[i] - cell.length());
                    line.append(i >= rightFrom && i < rightTo ? pad + cell : i == row.size() - 1 ? cell : cell + pad);
                }
                out.append(line.toString().stripTrailing()).append(System.lineSeparator());
            }
            return out.toString();
        }
    }
}
