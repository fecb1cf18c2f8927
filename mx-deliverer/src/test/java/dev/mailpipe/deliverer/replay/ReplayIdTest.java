package dev.mailpipe.deliverer.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReplayIdTest {

    private static final Instant NOW = Instant.parse("2026-12-03T12:07:31.250Z");

    @Test
    void shouldGenerateATimestampedIdThatSaysWhenItStarted() {
        final String id = ReplayId.generate(NOW);

        assertThat(id).matches("20261203T120731Z-[0-9a-f]{6}");
        assertThat(ReplayId.generate(NOW)).as("random part").isNotEqualTo(id);
        assertThat(ReplayId.startedAt(id)).hasValue(Instant.parse("2026-12-03T12:07:31Z"));
        assertThat(ReplayId.validate(id)).isEqualTo(id);
    }

    @Test
    void shouldAcceptHandChosenIdsWithoutATime() {
        assertThat(ReplayId.validate("incident-42")).isEqualTo("incident-42");
        assertThat(ReplayId.startedAt("incident-42")).isEmpty();
        assertThat(ReplayId.startedAt("20261399T999999Z-abcdef")).isEmpty();
    }

    @Test
    void shouldRejectIdsThatDoNotFitAHeaderAndACommandLine() {
        assertThatThrownBy(() -> ReplayId.validate("two words")).hasMessageContaining("--replay-id");
        assertThatThrownBy(() -> ReplayId.validate("-x")).hasMessageContaining("--replay-id");
        assertThatThrownBy(() -> ReplayId.validate("x".repeat(65))).hasMessageContaining("--replay-id");
        assertThatThrownBy(() -> ReplayId.validate("")).hasMessageContaining("--replay-id");
    }
}
