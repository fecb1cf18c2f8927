package dev.mailpipe.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.webhooks.core.CircuitBreaker;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    @Test
    void shouldOpenAfterConsecutiveFailuresAndLetOneTrialThroughAfterTheCoolDown() {
        final CircuitBreaker breaker = new CircuitBreaker(3, 1_000);
        breaker.failed(0);
        breaker.failed(1);
        assertThat(breaker.tryAcquire(2)).isTrue();
        breaker.failed(2);

        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(breaker.tryAcquire(500)).isFalse();
        assertThat(breaker.tryAcquire(1_002)).isTrue();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(breaker.tryAcquire(1_003)).as("only one trial at a time").isFalse();
    }

    @Test
    void shouldCloseOnASuccessfulTrialAndReopenOnAFailedOne() {
        final CircuitBreaker breaker = new CircuitBreaker(1, 1_000);
        breaker.failed(0);
        assertThat(breaker.tryAcquire(1_000)).isTrue();
        breaker.failed(1_000);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(breaker.tryAcquire(1_999)).isFalse();

        assertThat(breaker.tryAcquire(2_000)).isTrue();
        breaker.succeeded();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.tryAcquire(2_001)).isTrue();
    }

    @Test
    void shouldForgetFailuresAfterASuccess() {
        final CircuitBreaker breaker = new CircuitBreaker(2, 1_000);
        breaker.failed(0);
        breaker.succeeded();
        breaker.failed(1);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }
}
