package dev.mailpipe.platform.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.platform.TopicProvisioner;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ClusterRateLimiterIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    /** One fixed minute, so the budget cannot roll over mid-test. */
    private static final Clock CLOCK = Clock.fixed(Instant.now(), ZoneOffset.UTC);

    @Test
    void shouldHoldTheLimitAcrossReplicas() {
        TopicProvisioner.ensure(KAFKA.bootstrapServers(), 1, List.of(ClusterRateLimiter.topicSpec()));
        try (ClusterRateLimiter a = ClusterRateLimiter.start(KAFKA.bootstrapServers(), "replica-a", 10, Duration.ofMillis(100), CLOCK);
             ClusterRateLimiter b = ClusterRateLimiter.start(KAFKA.bootstrapServers(), "replica-b", 10, Duration.ofMillis(100), CLOCK)) {
            for (int i = 0; i < 6; i++) {
                assertThat(a.tryAcquire("acme")).isTrue();
            }
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> b.remoteCount("acme") == 6);
            for (int i = 0; i < 4; i++) {
                assertThat(b.tryAcquire("acme")).as("submission %d on replica b", i + 7).isTrue();
            }
            assertThat(b.tryAcquire("acme")).as("11th submission").isFalse();
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> a.remoteCount("acme") == 4);
            assertThat(a.tryAcquire("acme")).isFalse();
            assertThat(a.tryAcquire("other-user")).isTrue();
            assertThat(b.tryAcquire("other-user")).isTrue();
        }
    }

    @Test
    void shouldSeeCountsPublishedBeforeItStarted() {
        TopicProvisioner.ensure(KAFKA.bootstrapServers(), 1, List.of(ClusterRateLimiter.topicSpec()));
        try (ClusterRateLimiter first = ClusterRateLimiter.start(KAFKA.bootstrapServers(), "early", 3, Duration.ofMillis(50), CLOCK)) {
            assertThat(first.tryAcquire("late-user")).isTrue();
            assertThat(first.tryAcquire("late-user")).isTrue();
            try (ClusterRateLimiter late = ClusterRateLimiter.start(KAFKA.bootstrapServers(), "late", 3, Duration.ofMillis(50), CLOCK)) {
                Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> late.remoteCount("late-user") == 2);
                assertThat(late.tryAcquire("late-user")).isTrue();
                assertThat(late.tryAcquire("late-user")).isFalse();
            }
        }
    }
}
