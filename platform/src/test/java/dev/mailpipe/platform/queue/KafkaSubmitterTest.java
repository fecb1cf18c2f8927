package dev.mailpipe.platform.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.core.accounts.TrackingDefaults;
import dev.mailpipe.schemas.RawMessage;
import dev.mailpipe.schemas.TrackingFilters;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class KafkaSubmitterTest {

    private static Submission submission(final TrackingDefaults filters) {
        return submission(filters, Submission.SMTP);
    }

    private static Submission submission(final TrackingDefaults filters, final String source) {
        return new Submission("1_2_3_4.sc-1-inbound", "api_user", "7", "support@ifaxin.com",
                List.of("ben@ifaxin.com"), Instant.ofEpochMilli(1_000), "192.0.2.1", "client.test", null,
                "Subject: hi\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII), filters, false, source);
    }

    @Test
    void shouldCarryTheAccountFiltersOnTheRawRecord() {
        final RawMessage raw = KafkaSubmitter.toRecord(submission(new TrackingDefaults(true, false, true)));

        assertThat(raw.getAccountFilters()).isEqualTo(new TrackingFilters(true, false, true));
        assertThat(raw.getApiUser()).isEqualTo("api_user");
        assertThat(raw.getLabel()).isEqualTo("7");
        assertThat(raw.getAccountFooterText()).isNull();
        assertThat(raw.getSource()).isEqualTo("smtp");
    }

    @Test
    void shouldCarryTheAccountsFooterTextAndTheEntryPoint() {
        final RawMessage raw = KafkaSubmitter.toRecord(submission(
                new TrackingDefaults(true, false, false, "Abbestellen: hier klicken"), Submission.API));

        assertThat(raw.getAccountFilters()).isEqualTo(new TrackingFilters(true, false, false));
        assertThat(raw.getAccountFooterText()).isEqualTo("Abbestellen: hier klicken");
        assertThat(raw.getSource()).isEqualTo("api");
    }

    @Test
    void shouldLeaveAccountFiltersNullWhenTheAccountHasNone() {
        assertThat(KafkaSubmitter.toRecord(submission(null)).getAccountFilters()).isNull();
    }
}
