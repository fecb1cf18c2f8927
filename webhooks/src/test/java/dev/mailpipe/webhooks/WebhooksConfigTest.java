package dev.mailpipe.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class WebhooksConfigTest {

    @Test
    void shouldDefaultToSendCloudsScheduleOfSevenRetriesFromThreeMinutesToADay() {
        final WebhooksConfig config = WebhooksConfig.fromEnvironment(Map.of());
        final RetrySchedule schedule = config.retrySchedule();

        assertThat(schedule.retries()).isEqualTo(7);
        assertThat(schedule.stages().get(0).delay()).isEqualTo(Duration.ofMinutes(3));
        assertThat(schedule.stages().get(6).delay()).isEqualTo(Duration.ofHours(24));
        assertThat(schedule.stages().get(0).topic()).isEqualTo("mail.webhooks.retry-3m");
        assertThat(schedule.stages().get(6).topic()).isEqualTo("mail.webhooks.retry-1d");
        assertThat(config.duration(WebhooksConfig.TIMEOUT)).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.getInt(WebhooksConfig.HTTP_PORT)).isEqualTo(8084);
    }

    @Test
    void shouldReadTheDocumentedVariables() {
        final WebhooksConfig config = WebhooksConfig.fromEnvironment(Map.of(
                "MAILPIPE_WEBHOOK_RETRY_DELAYS", "1s,2s", "MAILPIPE_WEBHOOK_TIMEOUT", "500ms",
                "MAILPIPE_WEBHOOK_ALLOWED_NETWORKS", "127.0.0.0/8"));

        assertThat(config.retrySchedule().stages()).extracting(RetrySchedule.Stage::topic)
                .containsExactly("mail.webhooks.retry-1s", "mail.webhooks.retry-2s");
        assertThat(config.duration(WebhooksConfig.TIMEOUT)).isEqualTo(Duration.ofMillis(500));
        assertThat(config.networkPolicy().refusal(java.net.InetAddress.getLoopbackAddress())).isEmpty();
    }

    @Test
    void shouldNameTheVariableOfAnInvalidValue() {
        assertThatThrownBy(() -> WebhooksConfig.fromEnvironment(Map.of("MAILPIPE_WEBHOOK_TIMEOUT", "3 seconds")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("MAILPIPE_WEBHOOK_TIMEOUT");
        assertThatThrownBy(() -> WebhooksConfig.fromEnvironment(Map.of("MAILPIPE_WEBHOOK_ALLOWED_NETWORKS", "lan")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("MAILPIPE_WEBHOOK_ALLOWED_NETWORKS");
        assertThatThrownBy(() -> WebhooksConfig.fromEnvironment(Map.of("MAILPIPE_WEBHOOK_RETRY_DELAYS", "0s")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("MAILPIPE_WEBHOOK_RETRY_DELAYS");
    }

    @Test
    void shouldDeadLetterAfterTheLastStage() {
        final RetrySchedule schedule = new RetrySchedule(java.util.List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)));
        assertThat(schedule.afterFailed(1).orElseThrow().delay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(schedule.afterFailed(2).orElseThrow().delay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(schedule.afterFailed(3)).isEmpty();
    }
}
