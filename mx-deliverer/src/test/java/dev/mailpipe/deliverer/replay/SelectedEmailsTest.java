package dev.mailpipe.deliverer.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SelectedEmailsTest {

    @Test
    void shouldKeepOutcomeAndSentFlagPerEmail() {
        final SelectedEmails emails = new SelectedEmails(10);
        emails.put("m10$a@x.test", LatestOutcome.BOUNCED, 7);

        assertThat(emails.outcome("m10$a@x.test")).isEqualTo(LatestOutcome.BOUNCED);
        assertThat(emails.info("m10$a@x.test")).isEqualTo(7);
        assertThat(emails.outcome("m11$b@x.test")).isEqualTo(LatestOutcome.NONE);
        assertThat(emails.update("m11$b@x.test", LatestOutcome.SUCCESS, 0)).as("not a candidate").isFalse();
        assertThat(emails.contains("m11$b@x.test")).isFalse();

        assertThat(emails.markSent("m10$a@x.test")).isTrue();
        assertThat(emails.markSent("m10$a@x.test")).as("once").isFalse();
        emails.update("m10$a@x.test", LatestOutcome.RETRYING, 0);
        assertThat(emails.sent("m10$a@x.test")).as("an update keeps the flag").isTrue();
        assertThat(emails.outcome("m10$a@x.test")).isEqualTo(LatestOutcome.RETRYING);
        assertThat(emails.size()).isEqualTo(1);
    }

    @Test
    void shouldHoldManyEmailsExactlyAcrossGrowth() {
        final SelectedEmails emails = new SelectedEmails(100_000);
        for (int i = 0; i < 100_000; i++) {
            emails.put("m" + i + "$r@x.test", i % 3 == 0 ? LatestOutcome.RETRYING : LatestOutcome.BOUNCED, i);
        }

        assertThat(emails.size()).isEqualTo(100_000);
        for (int i = 0; i < 100_000; i++) {
            assertThat(emails.info("m" + i + "$r@x.test")).isEqualTo(i);
        }
        assertThat(emails.contains("m100000$r@x.test")).isFalse();
        assertThat(emails.countUnsent(false)).isEqualTo(66_666);
        assertThat(emails.countUnsent(true)).isEqualTo(100_000);
        emails.markSent("m1$r@x.test");
        assertThat(emails.countUnsent(true)).isEqualTo(99_999);
        assertThat(emails.countByOutcome()[LatestOutcome.RETRYING.ordinal()]).isEqualTo(33_334);
    }

    @Test
    void shouldRefuseToGrowPastTheBound() {
        final SelectedEmails emails = new SelectedEmails(2);
        emails.put("a", LatestOutcome.BOUNCED, 0);
        emails.put("b", LatestOutcome.BOUNCED, 0);
        emails.put("a", LatestOutcome.EXPIRED, 0); // an update is not a new entry

        assertThatThrownBy(() -> emails.put("c", LatestOutcome.BOUNCED, 0))
                .isInstanceOf(SelectedEmails.TooManyException.class).hasMessageContaining("--max-selected 2");
        assertThat(emails.size()).isEqualTo(2);
    }
}
