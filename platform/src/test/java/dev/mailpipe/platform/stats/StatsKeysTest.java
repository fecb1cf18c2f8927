package dev.mailpipe.platform.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.schemas.BounceClass;
import dev.mailpipe.schemas.EventType;
import dev.mailpipe.schemas.StatsPeriod;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StatsKeysTest {

    @Test
    void shouldRoundTripDimensionsWhateverTheLabelHolds() {
        final String key = StatsKeys.dimensions("shop", "a|b%7C", "x.example");

        assertThat(StatsKeys.parseDimensions(key)).isEqualTo(new StatsKeys.Dimensions("shop", "a|b%7C", "x.example"));
        assertThat(StatsKeys.parseDimensions(StatsKeys.dimensions("shop", "", "")))
                .isEqualTo(new StatsKeys.Dimensions("shop", "", ""));
    }

    @Test
    void shouldKeyABucketByPeriodStartAndDimensions() {
        assertThat(StatsKeys.of(StatsPeriod.day, Instant.parse("2026-12-03T00:00:00Z"), "shop", "", "x.example"))
                .isEqualTo("day|2026-12-03T00:00:00Z|shop||x.example");
    }

    @Test
    void shouldCountOneEventIntoItsCounters() {
        assertThat(StatsCounts.ofEvent(EventType.bounced, BounceClass.soft, false))
                .isEqualTo(new StatsCounts(0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertThat(StatsCounts.ofEvent(EventType.open, null, true).uniqueOpen()).isEqualTo(1);
        assertThat(StatsCounts.ofEvent(EventType.open, null, false).uniqueOpen()).isZero();
        assertThat(StatsCounts.ofEvent(EventType.unknown, null, true)).isEqualTo(StatsCounts.ZERO);
        assertThat(StatsCounts.fromArray(StatsCounts.ofEvent(EventType.spam_report, null, false).toArray()).spamReport())
                .isEqualTo(1);
    }
}
