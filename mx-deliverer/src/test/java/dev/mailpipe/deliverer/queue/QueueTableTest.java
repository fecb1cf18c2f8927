package dev.mailpipe.deliverer.queue;

import static dev.mailpipe.deliverer.queue.QueueShapeTest.R30;
import static dev.mailpipe.deliverer.queue.QueueShapeTest.R5;
import static dev.mailpipe.deliverer.queue.QueueShapeTest.STAGES;
import static dev.mailpipe.deliverer.queue.QueueShapeTest.T;
import static dev.mailpipe.deliverer.queue.QueueShapeTest.email;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class QueueTableTest {

    private static final QueueSnapshot SNAPSHOT = new QueueSnapshot(T, "mailpipe-mx-deliverer", STAGES, List.of(
            email(R5, "example.com", "mx1.example.com", "acme", 125, 3, "451 4.7.1 Greylisted, try again later"),
            email(R5, "example.com", "mx1.example.com", "acme", 20, 4, null),
            email(R30, "example.com", "mx2.example.com", "acme", 50, 20, "421 4.4.2 timeout"),
            email(R5, "b.test", null, "shop", 4, 4, "451 4.4.3 DNS: SERVFAIL for b.test")), 0,
            List.of(new GroupLag("mailpipe-mx-deliverer", "mail.outbound.retry-5m", 6, 3),
                    new GroupLag("mailpipe-expander", "mail.raw", 6, 0),
                    new GroupLag("mailpipe-mx-deliverer", "mail.outbound", 6, 12)));

    @Test
    void shouldPrintOneRowPerDomainWithAColumnPerStageThenTheLags() {
        assertThat(QueueTable.render(SNAPSHOT, QueueBy.DOMAIN, T)).isEqualToNormalizingNewlines("""
                deferred now: 4 email(s) in 2 retry topic(s) beyond group mailpipe-mx-deliverer, at 2026-12-03T10:00:00Z

                DOMAIN       DEFERRED  5m  30m  OLDEST  LAST ERROR
                example.com         3   2    1  2h05m   451 4.7.1 Greylisted, try again later
                b.test              1   1    0  4m00s   451 4.4.3 DNS: SERVFAIL for b.test

                CONSUMER GROUP         TOPIC                   PARTITIONS  LAG
                mailpipe-expander      mail.raw                         6    0
                mailpipe-mx-deliverer  mail.outbound                    6   12
                mailpipe-mx-deliverer  mail.outbound.retry-5m           6    3
                """);
    }

    @Test
    void shouldPrintOneRowPerStageWithoutStageColumns() {
        assertThat(QueueTable.render(SNAPSHOT, QueueBy.STAGE, T)).contains("""
                STAGE  DEFERRED  OLDEST  LAST ERROR
                5m            3  2h05m   451 4.7.1 Greylisted, try again later
                30m           1  50m00s  421 4.4.2 timeout
                """);
    }

    @Test
    void shouldSayWhenNothingIsDeferredOrThereAreNoRetryTopics() {
        assertThat(QueueTable.render(new QueueSnapshot(T, "g", STAGES, List.of(), 0, List.of()), QueueBy.DOMAIN, T))
                .contains("nothing deferred").contains("no consumer groups with committed offsets");
        assertThat(QueueTable.render(new QueueSnapshot(T, "g", List.of(), List.of(), 0, List.of()), QueueBy.STAGE, T))
                .contains("no retry topics (mail.outbound.retry-*) yet");
    }

    @Test
    void shouldNameUndecodableRecordsAndCutLongErrorsToOneLine() {
        final String longError = "452 4.2.2 " + "mailbox full ".repeat(20) + "\r\n  continued";
        final QueueSnapshot s = new QueueSnapshot(T, "g", STAGES,
                List.of(email(R5, "a.test", null, "u", 1, 1, longError)), 2, List.of());

        final String text = QueueTable.render(s, QueueBy.DOMAIN, T);

        assertThat(text).contains("(2 undecodable record(s) in the retry topics, not counted)");
        final String cut = QueueTable.cut(longError);
        assertThat(cut).hasSize(QueueTable.MAX_ERROR_CHARS).endsWith("...").doesNotContain("\n");
        assertThat(text).contains(cut);
    }
}
