package dev.mailpipe.deliverer.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

    private static final long S = 1_000_000_000L;

    @Test
    void shouldShowOffsetsSelectedSentRateAndEta() {
        final ProgressLine.Snapshot before = new ProgressLine.Snapshot("mail.outbound", 2_000, 10_000, 120, 40, 0);
        final ProgressLine.Snapshot now = new ProgressLine.Snapshot("mail.outbound", 4_200, 10_000, 120, 80, 10 * S);

        assertThat(ProgressLine.format(now, before))
                .isEqualTo("reading mail.outbound: 4,200/10,000 offsets (42%), selected 120, sent 80 (4/s), ETA 27s");
    }

    @Test
    void shouldNotGuessAnEtaForANewReadOrAStall() {
        final ProgressLine.Snapshot events = new ProgressLine.Snapshot("mail.delivery-events", 500, 500, 0, 0, 0);
        final ProgressLine.Snapshot outbound = new ProgressLine.Snapshot("mail.outbound", 10, 1_000, 3, 0, 5 * S);

        assertThat(ProgressLine.format(outbound, events)).endsWith("sent 0 (0/s), ETA ?");
        assertThat(ProgressLine.format(outbound, outbound)).as("no time passed").endsWith("sent 0, ETA ?");
        assertThat(ProgressLine.format(events, events)).endsWith("ETA 0s").contains("(100%)");
    }

    @Test
    void shouldWriteDurationsShortly() {
        assertThat(ProgressLine.duration(Duration.ofSeconds(59))).isEqualTo("59s");
        assertThat(ProgressLine.duration(Duration.ofSeconds(145))).isEqualTo("2m25s");
        assertThat(ProgressLine.duration(Duration.ofSeconds(120))).isEqualTo("2m");
        assertThat(ProgressLine.duration(Duration.ofMinutes(125))).isEqualTo("2h5m");
    }
}
