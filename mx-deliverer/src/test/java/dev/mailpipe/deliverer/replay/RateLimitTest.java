package dev.mailpipe.deliverer.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RateLimitTest {

    private long now = 1_000_000_000L;

    @Test
    void shouldPaceSendsAtTheRateWithoutAnInitialBurst() {
        final RateLimit limit = new RateLimit(10, () -> now);

        assertThat(limit.acquire()).as("the first goes at once").isZero();
        assertThat(limit.acquire()).isEqualTo(ms(100));
        assertThat(limit.acquire()).as("reservations add up").isEqualTo(ms(200));
        now += ms(200); // the caller slept as told
        assertThat(limit.acquire()).isEqualTo(ms(100));
    }

    @Test
    void shouldRefillWhileIdleButOnlyUpToATenthOfASecond() {
        final RateLimit limit = new RateLimit(100, () -> now);
        limit.acquire();
        now += TimeUnit.SECONDS.toNanos(60); // a long pause must not allow 6000 at once

        long waited = 0;
        for (int i = 0; i < 10; i++) {
            waited += limit.acquire();
        }
        assertThat(waited).as("10 tokens in the bucket").isZero();
        assertThat(limit.acquire()).isEqualTo(ms(10));
    }

    @Test
    void shouldKeepTheLongRunRate() {
        final RateLimit limit = new RateLimit(3, () -> now);
        final long start = now;
        for (int i = 0; i < 300; i++) {
            now += limit.acquire();
        }
        assertThat((now - start) / 1e9).isCloseTo(299 / 3.0, within(0.01));
    }

    @Test
    void shouldParsePerSecondMinuteAndHour() {
        assertThat(RateLimit.parse("50/s")).isEqualTo(50);
        assertThat(RateLimit.parse("50")).isEqualTo(50);
        assertThat(RateLimit.parse("600/m")).isEqualTo(10);
        assertThat(RateLimit.parse("7200 / H")).isEqualTo(2);
        assertThat(RateLimit.parse("0.5/s")).isEqualTo(0.5);
        assertThatThrownBy(() -> RateLimit.parse("0/s")).hasMessageContaining("--rate");
        assertThatThrownBy(() -> RateLimit.parse("fast")).hasMessageContaining("--rate");
        assertThatThrownBy(() -> RateLimit.parse("5/d")).hasMessageContaining("--rate");
    }

    private static long ms(final long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
