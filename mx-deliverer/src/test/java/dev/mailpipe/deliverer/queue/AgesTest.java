package dev.mailpipe.deliverer.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AgesTest {

    @Test
    void shouldUseTwoUnitsAtMost() {
        assertThat(Ages.format(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(Ages.format(Duration.ofSeconds(12 * 60 + 5))).isEqualTo("12m05s");
        assertThat(Ages.format(Duration.ofMinutes(125))).isEqualTo("2h05m");
        assertThat(Ages.format(Duration.ofHours(76))).isEqualTo("3d04h");
    }

    @Test
    void shouldShowAFutureFirstAttemptAsZero() {
        assertThat(Ages.format(Duration.ofSeconds(-3))).isEqualTo("0s");
    }
}
