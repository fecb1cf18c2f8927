package dev.mailpipe.deliverer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OffsetTrackerTest {

    @Test
    void shouldNotCommitPastAnUnfinishedRecord() {
        final OffsetTracker tracker = new OffsetTracker();
        tracker.started(10);
        tracker.started(11);
        tracker.started(12);

        tracker.completed(11);
        tracker.completed(12);

        assertThat(tracker.committable()).isEqualTo(-1);
        assertThat(tracker.hasNewCommit()).isFalse();
        assertThat(tracker.inFlight()).isEqualTo(3);
    }

    @Test
    void shouldCommitUpToTheHighestContiguousCompletedRecord() {
        final OffsetTracker tracker = new OffsetTracker();
        for (long o = 10; o <= 14; o++) {
            tracker.started(o);
        }
        tracker.completed(12);
        tracker.completed(10);
        assertThat(tracker.committable()).isEqualTo(11);

        tracker.completed(11);
        assertThat(tracker.committable()).isEqualTo(13);
        assertThat(tracker.inFlight()).isEqualTo(2);

        tracker.completed(14);
        tracker.completed(13);
        assertThat(tracker.committable()).isEqualTo(15);
        assertThat(tracker.inFlight()).isZero();
    }

    @Test
    void shouldReportANewCommitOnlyOnceAndSkipOffsetGaps() {
        final OffsetTracker tracker = new OffsetTracker();
        tracker.started(3);
        tracker.started(7); // 4-6 were transaction markers or paused retry records seen later

        tracker.completed(3);
        assertThat(tracker.hasNewCommit()).isTrue();
        tracker.markCommitted();
        assertThat(tracker.hasNewCommit()).isFalse();

        tracker.completed(7);
        assertThat(tracker.committable()).isEqualTo(8);
        assertThat(tracker.hasNewCommit()).isTrue();
    }

    @Test
    void shouldIgnoreCompletionsOfUnknownOrRepeatedOffsets() {
        final OffsetTracker tracker = new OffsetTracker();
        tracker.started(5);
        tracker.completed(4);
        tracker.completed(5);
        tracker.completed(5);

        assertThat(tracker.committable()).isEqualTo(6);
        assertThat(tracker.inFlight()).isZero();
    }
}
