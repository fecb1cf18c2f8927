package dev.mailpipe.deliverer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {

    private static OffsetTracker startedAt(final long... offsets) {
        final OffsetTracker tracker = OffsetTracker.fresh();
        for (final long o : offsets) {
            assertThat(tracker.begin(o)).isTrue();
        }
        return tracker;
    }

    @Test
    void shouldNotCommitPastAnUnfinishedRecord() {
        final OffsetTracker tracker = startedAt(10, 11, 12);

        tracker.completed(11);
        tracker.completed(12);

        assertThat(tracker.committable()).isEqualTo(10);
        assertThat(tracker.pending()).isEqualTo(1);
        assertThat(tracker.metadata()).isEqualTo("mp1:1-1");
    }

    @Test
    void shouldCommitUpToTheHighestContiguousCompletedRecord() {
        final OffsetTracker tracker = startedAt(10, 11, 12, 13, 14);
        tracker.completed(12);
        tracker.completed(10);
        assertThat(tracker.committable()).isEqualTo(11);
        assertThat(tracker.metadata()).isEqualTo("mp1:1");

        tracker.completed(11);
        assertThat(tracker.committable()).isEqualTo(13);
        assertThat(tracker.pending()).isEqualTo(2);
        assertThat(tracker.metadata()).isEqualTo("mp1:");

        tracker.completed(14);
        tracker.completed(13);
        assertThat(tracker.committable()).isEqualTo(15);
        assertThat(tracker.pending()).isZero();
    }

    @Test
    void shouldReportANewCommitOnlyOnceAndSkipOffsetGaps() {
        final OffsetTracker tracker = startedAt(3, 7); // 4-6: transaction markers or compacted away

        tracker.completed(3);
        assertThat(tracker.hasNewCommit()).isTrue();
        tracker.markCommitted();
        assertThat(tracker.hasNewCommit()).isFalse();

        tracker.completed(7);
        assertThat(tracker.committable()).isEqualTo(8);
        assertThat(tracker.hasNewCommit()).isTrue();
    }

    @Test
    void shouldReportANewCommitWhenOnlyTheMetadataChanged() {
        final OffsetTracker tracker = startedAt(0, 1, 2);
        tracker.markCommitted();
        tracker.completed(2);
        assertThat(tracker.committable()).isZero();
        assertThat(tracker.hasNewCommit()).isTrue();
        tracker.markCommitted();
        tracker.commitFailed();
        assertThat(tracker.hasNewCommit()).as("a failed commit is sent again").isTrue();
    }

    @Test
    void shouldIgnoreCompletionsOfUnknownOrRepeatedOffsets() {
        final OffsetTracker tracker = startedAt(5);
        tracker.completed(4);
        tracker.completed(5);
        tracker.completed(5);

        assertThat(tracker.committable()).isEqualTo(6);
        assertThat(tracker.pending()).isZero();
    }

    @Test
    void shouldSkipWhatTheCommitMetadataNamesAfterACrash() {
        final OffsetTracker before = startedAt(100, 101, 102, 103, 104, 105, 106);
        before.completed(101);
        before.completed(102);
        before.completed(104);
        before.completed(106);
        final long committed = before.committable();
        final String metadata = before.metadata();
        assertThat(committed).isEqualTo(100);

        // a new owner (another process) reads the commit and the fetch replays from 100
        final OffsetTracker after = OffsetTracker.seeded(committed, metadata);
        final List<Long> processed = new ArrayList<>();
        for (long o = 100; o <= 108; o++) {
            if (after.begin(o)) {
                processed.add(o);
            }
        }
        assertThat(processed).containsExactly(100L, 103L, 105L, 107L, 108L);
        processed.forEach(after::completed);
        assertThat(after.committable()).isEqualTo(109);
    }

    @Test
    void shouldNotMovePastSeededOffsetsBeyondWhatWasFetched() {
        final OffsetTracker tracker = OffsetTracker.seeded(10, "mp1:2");
        assertThat(tracker.begin(10)).isTrue();
        tracker.completed(10);
        // 11 was not fetched yet (poll boundary): the position must stop there, not jump past 12
        assertThat(tracker.committable()).isEqualTo(11);
        assertThat(tracker.metadata()).isEqualTo("mp1:1");
        assertThat(tracker.begin(11)).isTrue();
        assertThat(tracker.begin(12)).isFalse();
        tracker.completed(11);
        assertThat(tracker.committable()).isEqualTo(13);
    }

    @Test
    void shouldKeepWhatThisProcessDeliveredWhenAPartitionComesBack() {
        final OffsetTracker tracker = startedAt(0, 1, 2, 3);
        tracker.completed(1);
        tracker.completed(3);
        // the partition is lost (broker outage) with nothing committed; 0 is still in flight here
        final OffsetTracker back = tracker.reassigned(-1, "");
        final List<Long> again = new ArrayList<>();
        for (long o = 0; o <= 4; o++) {
            if (back.begin(o)) {
                again.add(o);
            }
        }
        assertThat(again).as("0 and 2 are still running, 1 and 3 are done").containsExactly(4L);
        back.completed(0);
        back.completed(2);
        back.completed(4);
        assertThat(back.committable()).isEqualTo(5);
        assertThat(back.hasNewCommit()).isTrue();
    }

    @Test
    void shouldFollowANewerCommitOfAnotherOwnerButKeepWhatRunsHere() {
        final OffsetTracker tracker = startedAt(0, 1, 2, 20);
        tracker.completed(0);
        final OffsetTracker back = tracker.reassigned(10, "mp1:5");
        assertThat(back.committable()).isEqualTo(10);
        assertThat(back.begin(15)).isFalse();
        assertThat(back.begin(20)).as("still in flight in this process").isFalse();
        assertThat(back.begin(21)).isTrue();
    }

    @Test
    void shouldProcessAFailedRecordAgainWhenFetchedAgain() {
        final OffsetTracker tracker = startedAt(0, 1);
        tracker.failed(0);
        tracker.completed(1);
        assertThat(tracker.committable()).isZero();
        assertThat(tracker.unsettled()).isEqualTo(1);
        final OffsetTracker back = tracker.reassigned(0, tracker.metadata());
        assertThat(back.begin(0)).isTrue();
        assertThat(back.begin(1)).isFalse();
    }

    @Test
    void shouldCountRecordsAsUnsettledUntilACommitCoversThem() {
        final OffsetTracker tracker = startedAt(0, 1, 2);
        assertThat(tracker.unsettled()).isEqualTo(3);
        tracker.completed(2);
        tracker.completed(1);
        assertThat(tracker.unsettled()).as("done, not committed").isEqualTo(3);
        final long mark = tracker.markCommitted();
        tracker.settled(mark);
        assertThat(tracker.unsettled()).as("only 0 would be redelivered").isEqualTo(1);
    }

    @Test
    void shouldIgnoreForeignOrMalformedMetadata() {
        assertThat(OffsetTracker.decode(5, "something else")).isEmpty();
        assertThat(OffsetTracker.decode(5, "mp1:x-")).isEmpty();
        assertThat(OffsetTracker.decode(5, "mp1:-3")).isEmpty();
        assertThat(OffsetTracker.decode(5, "mp1:1,zzzzzzzzzz")).isEmpty();
        assertThat(OffsetTracker.decode(5, null)).isEmpty();
        assertThat(OffsetTracker.decode(5, "mp1:1-2,a")).containsExactly(6L, 7L, 8L, 15L);
    }

    @Test
    void shouldRoundTripRandomCompletionsAndStayUnderTheMetadataLimit() {
        final Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            final OffsetTracker tracker = OffsetTracker.fresh();
            final long base = random.nextInt(1_000_000);
            final int n = 1 + random.nextInt(round < 190 ? 300 : 3000);
            final TreeSet<Long> done = new TreeSet<>();
            for (long o = base; o < base + n; o++) {
                tracker.begin(o);
                if (random.nextInt(3) > 0) {
                    done.add(o);
                }
            }
            done.forEach(tracker::completed);
            final String metadata = tracker.metadata();
            assertThat(metadata.length()).isLessThanOrEqualTo(OffsetTracker.MAX_METADATA_CHARS);
            final List<Long> decoded = OffsetTracker.decode(tracker.committable(), metadata);
            assertThat(done).containsAll(decoded);
            if (metadata.length() < OffsetTracker.MAX_METADATA_CHARS - 20) {
                assertThat(decoded).containsExactlyElementsOf(done.tailSet(tracker.committable(), true));
            }
        }
    }
}
