package dev.mailpipe.deliverer.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.deliverer.RetryHeaders;
import dev.mailpipe.schemas.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class ReplayHeadersTest {

    @Test
    void shouldDropRetryStateAndNameTheSource() {
        final Headers dlt = new RecordHeaders()
                .add(RetryHeaders.ATTEMPT, ascii("5"))
                .add(RetryHeaders.FIRST_ATTEMPT, ascii("1700000000000"))
                .add(RetryHeaders.DUE_AT, ascii("1700000300000"))
                .add(RetryHeaders.MX_HOST, ascii("mx.example.com"))
                .add(RetryHeaders.LAST_ERROR, ascii("451 4.7.1 try later"))
                .add(DeadLetterHeaders.REASON, ascii("expired: 451 try later"))
                .add("traceparent", ascii("00-abc-def-01"));

        final Headers replay = ReplayHeaders.forReplay(dlt, "mail.outbound.dlt", 2, 41, "r-a");

        assertThat(replay.lastHeader(RetryHeaders.ATTEMPT)).isNull();
        assertThat(replay.lastHeader(RetryHeaders.FIRST_ATTEMPT)).isNull();
        assertThat(replay.lastHeader(RetryHeaders.DUE_AT)).isNull();
        assertThat(replay.lastHeader(RetryHeaders.MX_HOST)).isNull();
        assertThat(replay.lastHeader(RetryHeaders.LAST_ERROR)).isNull();
        assertThat(replay.lastHeader(DeadLetterHeaders.REASON)).isNull();
        assertThat(text(replay, "traceparent")).isEqualTo("00-abc-def-01");
        assertThat(text(replay, ReplayHeaders.REPLAYED_FROM)).isEqualTo("mail.outbound.dlt/2/41");
        assertThat(text(replay, ReplayHeaders.REPLAY_ID)).isEqualTo("r-a");
        assertThat(dlt.lastHeader(RetryHeaders.ATTEMPT)).as("the original is untouched").isNotNull();
    }

    @Test
    void shouldReplaceAnEarlierReplayMark() {
        final Headers once = ReplayHeaders.forReplay(new RecordHeaders(), "mail.outbound.dlt", 0, 7, "r-a");

        final Headers twice = ReplayHeaders.forReplay(once, "mail.outbound", 1, 99, "r-b");

        assertThat(twice.headers(ReplayHeaders.REPLAYED_FROM)).hasSize(1);
        assertThat(text(twice, ReplayHeaders.REPLAYED_FROM)).isEqualTo("mail.outbound/1/99");
        assertThat(twice.headers(ReplayHeaders.REPLAY_ID)).hasSize(1);
        assertThat(text(twice, ReplayHeaders.REPLAY_ID)).isEqualTo("r-b");
    }

    private static byte[] ascii(final String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(final Headers headers, final String key) {
        return new String(headers.lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
