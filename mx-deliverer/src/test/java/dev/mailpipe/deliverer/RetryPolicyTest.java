package dev.mailpipe.deliverer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.platform.Durations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private final RetryPolicy policy = new RetryPolicy(List.of(Duration.ofMinutes(5), Duration.ofMinutes(30),
            Duration.ofHours(2), Duration.ofHours(6)), Duration.ofDays(5));

    private static Clock at(final Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }

    @Test
    void shouldNameOneTopicPerDelay() {
        assertThat(policy.stages()).extracting(RetryStage::topic).containsExactly("mail.outbound.retry-5m",
                "mail.outbound.retry-30m", "mail.outbound.retry-2h", "mail.outbound.retry-6h");
        assertThat(policy.stageOf("mail.outbound.retry-2h")).map(RetryStage::index).contains(2);
        assertThat(policy.stageOf("mail.outbound")).isEmpty();
    }

    @Test
    void shouldWaitTheDelayOfTheAttemptsStage() {
        final Clock clock = at(T0.plusSeconds(1));

        final RetryPolicy.Decision first = policy.afterDeferral(1, T0, clock.instant());
        assertThat(first).isEqualTo(new RetryPolicy.Decision.Retry(policy.stages().get(0),
                clock.instant().plus(Duration.ofMinutes(5)), 2));

        final RetryPolicy.Decision second = policy.afterDeferral(2, T0, clock.instant());
        assertThat(((RetryPolicy.Decision.Retry) second).stage().topic()).isEqualTo("mail.outbound.retry-30m");
    }

    @Test
    void shouldRepeatTheLastStageForLaterAttempts() {
        final RetryPolicy.Decision tenth = policy.afterDeferral(10, T0, at(T0.plus(Duration.ofDays(1))).instant());

        assertThat(tenth).isInstanceOfSatisfying(RetryPolicy.Decision.Retry.class, r -> {
            assertThat(r.stage().topic()).isEqualTo("mail.outbound.retry-6h");
            assertThat(r.nextAttempt()).isEqualTo(11);
            assertThat(r.dueAt()).isEqualTo(T0.plus(Duration.ofDays(1)).plus(Duration.ofHours(6)));
        });
    }

    @Test
    void shouldPullTheLastRetryInToTheMaximumAge() {
        final Instant now = T0.plus(Duration.ofDays(5)).minus(Duration.ofHours(1));

        final RetryPolicy.Decision decision = policy.afterDeferral(20, T0, now);

        assertThat(decision).isInstanceOfSatisfying(RetryPolicy.Decision.Retry.class,
                r -> assertThat(r.dueAt()).isEqualTo(T0.plus(Duration.ofDays(5))));
    }

    @Test
    void shouldExpireOnceTheMaximumAgeIsReached() {
        final Instant now = T0.plus(Duration.ofDays(5));

        assertThat(policy.afterDeferral(21, T0, now))
                .isEqualTo(new RetryPolicy.Decision.Expire(Duration.ofDays(5)));
    }

    @Test
    void shouldFormatAndParseDelayLiterals() {
        assertThat(Durations.parse("1500ms")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Durations.format(Duration.ofMinutes(120))).isEqualTo("2h");
        assertThat(Durations.format(Duration.ofDays(5))).isEqualTo("5d");
        assertThat(RetryStage.of(0, Duration.ofMillis(1500)).topic()).isEqualTo("mail.outbound.retry-1500ms");
    }
}
