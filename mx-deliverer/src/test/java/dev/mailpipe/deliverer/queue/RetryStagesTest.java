package dev.mailpipe.deliverer.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RetryStagesTest {

    @Test
    void shouldOrderRetryTopicsByDelayAndIgnoreOthers() {
        assertThat(RetryStages.ordered(List.of("mail.outbound.retry-2h", "mail.outbound", "mail.outbound.retry-30m",
                "mail.outbound.retry-old", "mail.outbound.retry-5m", "mail.outbound.dlt", "mail.webhooks.retry-3m")))
                .containsExactly("mail.outbound.retry-5m", "mail.outbound.retry-30m", "mail.outbound.retry-2h",
                        "mail.outbound.retry-old");
        assertThat(RetryStages.label("mail.outbound.retry-30m")).isEqualTo("30m");
    }

    @Test
    void shouldParseByInAnyCase() {
        assertThat(QueueBy.parse("MX")).isEqualTo(QueueBy.MX);
        assertThat(QueueBy.parse(" stage ")).isEqualTo(QueueBy.STAGE);
    }
}
