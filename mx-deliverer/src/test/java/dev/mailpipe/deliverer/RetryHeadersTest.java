package dev.mailpipe.deliverer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class RetryHeadersTest {

    @Test
    void shouldFollowTheOneHeaderConvention() {
        assertThat(RetryHeaders.ATTEMPT).isEqualTo("mailpipe.retry.attempt");
        assertThat(RetryHeaders.FIRST_ATTEMPT).isEqualTo("mailpipe.retry.first-attempt");
        assertThat(RetryHeaders.DUE_AT).isEqualTo("mailpipe.retry.due-at");
    }

    @Test
    void shouldReadARecordAnOlderDelivererLeftInARetryTopic() {
        final RecordHeaders headers = new RecordHeaders();
        headers.add("mailpipe-attempt", "3".getBytes(StandardCharsets.US_ASCII));
        headers.add("mailpipe-due-at", "1700000300000".getBytes(StandardCharsets.US_ASCII));

        assertThat(RetryHeaders.get(headers, RetryHeaders.ATTEMPT)).hasValue(3);
        assertThat(RetryHeaders.get(headers, RetryHeaders.DUE_AT)).hasValue(1700000300000L);
        assertThat(RetryHeaders.get(headers, RetryHeaders.FIRST_ATTEMPT)).isEmpty();
    }

    @Test
    void shouldPreferTheCurrentName() {
        final RecordHeaders headers = new RecordHeaders();
        headers.add("mailpipe-attempt", "3".getBytes(StandardCharsets.US_ASCII));
        RetryHeaders.put(headers, RetryHeaders.ATTEMPT, 4);

        assertThat(RetryHeaders.get(headers, RetryHeaders.ATTEMPT)).hasValue(4);
    }
}
