package dev.mailpipe.ingest.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReadDeadlineTest {

    private static final long S = 1_000_000_000L;

    @Test
    void shouldBoundAWholeLineNotEachRead() {
        final ReadDeadline line = ReadDeadline.forLine(0, Duration.ofSeconds(30));
        // one byte every 5 s keeps every single read under a 10 s idle timeout ...
        for (int i = 1; i <= 5; i++) {
            line.received(1);
            assertThat(line.remainingNanos(i * 5 * S)).isPositive();
        }
        // ... but the line as a whole runs out
        assertThat(line.remainingNanos(30 * S)).isLessThanOrEqualTo(0);
        assertThat(line.nextReadTimeoutMillis(25 * S, 10_000)).isEqualTo(5_000);
        assertThat(line.nextReadTimeoutMillis(1 * S, 10_000)).isEqualTo(10_000);
    }

    @Test
    void shouldExtendTheDataDeadlineByTheMinimumRate() {
        final ReadDeadline data = ReadDeadline.forData(0, Duration.ofSeconds(60), 10_000);
        assertThat(data.remainingNanos(60 * S)).isZero();
        data.received(1_000_000); // 1 MB at 10 kB/s earns 100 s more
        assertThat(data.remainingNanos(60 * S)).isEqualTo(100 * S);
        assertThat(data.remainingNanos(161 * S)).isNegative();
    }

    @Test
    void shouldLetATrickleRunOutWhileAFastLargeMessageFits() {
        final ReadDeadline trickle = ReadDeadline.forData(0, Duration.ofSeconds(60), 10_000);
        for (long t = 0; t < 120; t += 5) {
            trickle.received(1);
        }
        assertThat(trickle.remainingNanos(120 * S)).isNegative();

        final ReadDeadline fast = ReadDeadline.forData(0, Duration.ofSeconds(60), 10_000);
        for (long t = 1; t <= 300; t++) {
            fast.received(50_000); // 50 kB/s for 5 minutes: 15 MB
            assertThat(fast.remainingNanos(t * S)).isPositive();
        }
    }

    @Test
    void shouldNotExtendWithoutARate() {
        final ReadDeadline data = ReadDeadline.forData(0, Duration.ofSeconds(10), 0);
        data.received(10_000_000);
        assertThat(data.remainingNanos(10 * S)).isZero();
    }
}
