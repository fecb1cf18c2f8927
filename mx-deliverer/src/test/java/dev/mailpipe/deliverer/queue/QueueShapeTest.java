package dev.mailpipe.deliverer.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueueShapeTest {

    static final String R5 = "mail.outbound.retry-5m";
    static final String R30 = "mail.outbound.retry-30m";
    static final List<String> STAGES = List.of(R5, R30);
    static final Instant T = Instant.parse("2026-12-03T10:00:00Z");

    static DeferredEmail email(final String topic, final String domain, final String mx, final String account,
            final int firstMinutesAgo, final int deferredMinutesAgo, final String error) {
        return new DeferredEmail(topic, "m$" + domain + firstMinutesAgo, domain, mx, account,
                T.minusSeconds(60L * firstMinutesAgo), T.minusSeconds(60L * deferredMinutesAgo), error);
    }

    @Test
    void shouldCountPerDomainAndStageWithTheOldestFirstAttemptAndTheMostRecentError() {
        final List<DeferredEmail> deferred = List.of(
                email(R5, "a.test", "mx1.a.test", "u1", 10, 5, "451 4.7.1 greylisted"),
                email(R30, "a.test", "mx2.a.test", "u2", 90, 2, "421 4.4.2 timeout"),
                email(R5, "a.test", "mx1.a.test", "u1", 6, 1, null),
                email(R5, "b.test", null, "u1", 3, 3, "451 4.4.3 DNS lookup failed"));

        final List<QueueRow> rows = QueueShape.rows(deferred, QueueBy.DOMAIN, STAGES);

        assertThat(rows).containsExactly(
                new QueueRow("a.test", List.of(2L, 1L), 3, T.minusSeconds(90 * 60), "421 4.4.2 timeout"),
                new QueueRow("b.test", List.of(1L, 0L), 1, T.minusSeconds(3 * 60), "451 4.4.3 DNS lookup failed"));
    }

    @Test
    void shouldCountABigBacklogIntoOneRowPerKeyForEveryGrouping() {
        final QueueShape shape = new QueueShape(STAGES);
        for (int i = 0; i < 300_000; i++) {
            shape.add(email(i % 3 == 0 ? R30 : R5, "d" + (i % 7) + ".test", "mx.d" + (i % 7) + ".test", "u" + (i % 2),
                    i % 1000, 0, "451 busy " + (i % 5)));
        }

        assertThat(shape.total()).isEqualTo(300_000);
        assertThat(shape.rows(QueueBy.DOMAIN)).hasSize(7).extracting(QueueRow::total).containsOnly(42_857L, 42_858L);
        assertThat(shape.rows(QueueBy.ACCOUNT)).extracting(QueueRow::total).containsExactly(150_000L, 150_000L);
        assertThat(shape.rows(QueueBy.STAGE)).extracting(QueueRow::key, QueueRow::total)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("5m", 200_000L),
                        org.assertj.core.groups.Tuple.tuple("30m", 100_000L));
        assertThat(shape.rows(QueueBy.MX)).hasSize(7);
    }

    @Test
    void shouldGroupByMxHostWithTheDomainStandingInWhenNoHostWasReached() {
        final List<DeferredEmail> deferred = List.of(
                email(R5, "a.test", "mx1.a.test", "u1", 10, 5, "e1"),
                email(R5, "c.test", "mx1.a.test", "u1", 10, 5, "e2"),
                email(R5, "b.test", null, "u1", 3, 3, "e3"));

        assertThat(QueueShape.rows(deferred, QueueBy.MX, STAGES)).extracting(QueueRow::key, QueueRow::total)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("mx1.a.test", 2L),
                        org.assertj.core.groups.Tuple.tuple("(b.test)", 1L));
    }

    @Test
    void shouldGroupByAccount() {
        final List<DeferredEmail> deferred = List.of(
                email(R5, "a.test", null, "u2", 10, 5, "e1"),
                email(R30, "b.test", null, "u1", 10, 5, "e2"));

        assertThat(QueueShape.rows(deferred, QueueBy.ACCOUNT, STAGES)).extracting(QueueRow::key)
                .containsExactly("u1", "u2"); // equal totals: by key
    }

    @Test
    void shouldListEveryStageInStageOrderEvenWhenEmpty() {
        final List<DeferredEmail> deferred = List.of(email(R30, "a.test", null, "u1", 40, 5, "e1"));

        assertThat(QueueShape.rows(deferred, QueueBy.STAGE, STAGES)).containsExactly(
                new QueueRow("5m", List.of(0L, 0L), 0, null, null),
                new QueueRow("30m", List.of(0L, 1L), 1, T.minusSeconds(40 * 60), "e1"));
    }
}
