package dev.mailpipe.expander.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.core.mail.EmailIds;
import dev.mailpipe.core.mail.HeaderBlock;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MessageIdTest {

    private static HeaderBlock header(final String text) {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return HeaderBlock.scan(bytes, 0, bytes.length);
    }

    @Test
    void shouldKeepAWellFormedClientMessageIdUnfolded() {
        assertThat(EmailIds.clientMessageId(header("From: a@b.test\r\nMessage-ID:\r\n <x.1@app.test>\r\n\r\nbody")))
                .isEqualTo("<x.1@app.test>");
        assertThat(EmailIds.clientMessageId(header("From: a@b.test\r\n\r\nbody"))).isNull();
        assertThat(EmailIds.clientMessageId(header("Message-ID: not an id\r\n\r\n"))).isNull();
        assertThat(EmailIds.clientMessageId(header("Message-ID: <a@b> <c@d>\r\n\r\n"))).isNull();
    }

    @Test
    void shouldDeriveAFanOutsIdsFromTheEmailId() {
        assertThat(EmailIds.messageIdHeader("1425758592214_4576_32113_9310.sc-10_10_127_105-inbound", 3,
                "mail.example.com")).isEqualTo("<1425758592214_4576_32113_9310.sc-10_10_127_105-inbound.3@mail.example.com>");
    }
}
