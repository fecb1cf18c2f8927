package dev.mailpipe.deliverer.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimeWindowTest {

    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    @Test
    void shouldCountDurationsBackFromNow() {
        final TimeWindow window = TimeWindow.parse("2h", "30m", NOW);

        assertThat(window.since()).isEqualTo(Instant.parse("2026-11-23T10:00:00Z"));
        assertThat(window.until()).isEqualTo(Instant.parse("2026-11-23T11:30:00Z"));
    }

    @Test
    void shouldTakeIsoInstantsAsGiven() {
        final TimeWindow window = TimeWindow.parse("2026-11-20T08:00:00Z", "2026-11-21T08:00:00.500Z", NOW);

        assertThat(window.since()).isEqualTo(Instant.parse("2026-11-20T08:00:00Z"));
        assertThat(window.until()).isEqualTo(Instant.parse("2026-11-21T08:00:00.500Z"));
    }

    @Test
    void shouldEndNowWithoutUntil() {
        assertThat(TimeWindow.parse("7d", null, NOW).until()).isEqualTo(NOW);
    }

    @Test
    void shouldMixInstantAndDuration() {
        final TimeWindow window = TimeWindow.parse("2026-11-23T09:00:00Z", "1h", NOW);

        assertThat(window.until()).isEqualTo(Instant.parse("2026-11-23T11:00:00Z"));
    }

    @Test
    void shouldRejectUntilBeforeSince() {
        assertThatThrownBy(() -> TimeWindow.parse("1h", "2h", NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--until").hasMessageContaining("after --since");
    }

    @Test
    void shouldRejectEmptyWindow() {
        assertThatThrownBy(() -> TimeWindow.parse("2026-11-23T09:00:00Z", "2026-11-23T09:00:00Z", NOW))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRejectGarbageNamingTheOption() {
        assertThatThrownBy(() -> TimeWindow.parse("yesterday", null, NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--since").hasMessageContaining("yesterday");
        assertThatThrownBy(() -> TimeWindow.parse("2h", "5 minutes", NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--until");
        assertThatThrownBy(() -> TimeWindow.parse("2026-11-23", null, NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--since");
    }

    @Test
    void shouldContainStartButNotEnd() {
        final TimeWindow window = TimeWindow.parse("2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z", NOW);
        final long start = window.since().toEpochMilli();
        final long end = window.until().toEpochMilli();

        assertThat(window.contains(start)).isTrue();
        assertThat(window.contains(end - 1)).isTrue();
        assertThat(window.contains(start - 1)).isFalse();
        assertThat(window.contains(end)).isFalse();
    }

    @Test
    void shouldMoveStartBackByLookbackButNotBeforeEpoch() {
        final TimeWindow window = TimeWindow.parse("2026-11-23T10:00:00Z", null, NOW);

        assertThat(window.startMinus(Duration.ofDays(7))).isEqualTo(Instant.parse("2026-11-16T10:00:00Z").toEpochMilli());
        assertThat(new TimeWindow(Instant.ofEpochMilli(1000), NOW).startMinus(Duration.ofDays(1))).isZero();
    }
}
