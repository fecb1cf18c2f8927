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
        assertThat(RetryHeaders.MX_HOST).isEqualTo("mailpipe.retry.mx-host");
        assertThat(RetryHeaders.LAST_ERROR).isEqualTo("mailpipe.retry.last-error");
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

    @Test
    void shouldReadTextHeadersAsUtf8() {
        final RecordHeaders headers = new RecordHeaders();
        RetryHeaders.put(headers, RetryHeaders.LAST_ERROR, "451 4.7.1 réessayez");

        assertThat(RetryHeaders.text(headers, RetryHeaders.LAST_ERROR)).hasValue("451 4.7.1 réessayez");
        assertThat(RetryHeaders.text(headers, RetryHeaders.MX_HOST)).isEmpty();
    }
}
