package dev.mailpipe.deliverer.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.schemas.EventType;
import org.junit.jupiter.api.Test;

class LatestOutcomeTest {

    private static LatestOutcome fold(final EventType... types) {
        LatestOutcome outcome = LatestOutcome.NONE;
        for (final EventType type : types) {
            outcome = outcome.after(type);
        }
        return outcome;
    }

    @Test
    void shouldTakeTheLastDeliveryOutcome() {
        assertThat(fold(EventType.deferred, EventType.deferred, EventType.bounced)).isEqualTo(LatestOutcome.BOUNCED);
        assertThat(fold(EventType.bounced, EventType.deferred)).isEqualTo(LatestOutcome.RETRYING);
        assertThat(fold(EventType.deferred, EventType.expired)).isEqualTo(LatestOutcome.EXPIRED);
        assertThat(fold(EventType.bounced, EventType.dropped)).isEqualTo(LatestOutcome.DROPPED);
    }

    @Test
    void shouldKeepSuccessWhateverComesAfter() {
        assertThat(fold(EventType.bounced, EventType.delivered)).isEqualTo(LatestOutcome.SUCCESS);
        assertThat(fold(EventType.bounced, EventType.click, EventType.bounced)).isEqualTo(LatestOutcome.SUCCESS);
        assertThat(fold(EventType.deferred, EventType.open)).isEqualTo(LatestOutcome.SUCCESS);
        assertThat(fold(EventType.expired, EventType.spam_report)).isEqualTo(LatestOutcome.SUCCESS);
    }

    @Test
    void shouldIgnoreEventsThatSayNothingAboutDelivery() {
        assertThat(fold(EventType.bounced, EventType.request, EventType.unknown)).isEqualTo(LatestOutcome.BOUNCED);
        assertThat(fold(EventType.request)).isEqualTo(LatestOutcome.NONE);
    }

    @Test
    void shouldReplayFailuresAndRetryingOnlyWhenAsked() {
        assertThat(LatestOutcome.BOUNCED.replayable(false)).isTrue();
        assertThat(LatestOutcome.EXPIRED.replayable(false)).isTrue();
        assertThat(LatestOutcome.RETRYING.replayable(false)).isFalse();
        assertThat(LatestOutcome.RETRYING.replayable(true)).isTrue();
        assertThat(LatestOutcome.SUCCESS.replayable(true)).isFalse();
        assertThat(LatestOutcome.DROPPED.replayable(true)).isFalse();
        assertThat(LatestOutcome.NONE.replayable(true)).isFalse();
    }
}
